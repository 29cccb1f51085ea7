/** A tiny inline SVG line of hourly averages; gaps where there was no reading. */

import { Component } from "@odoo/owl";

const WIDTH = 100;
const HEIGHT = 24;

export class Sparkline extends Component {
    static template = "home_assistant.Sparkline";
    static props = { values: Array };

    get paths() {
        const values = this.props.values;
        const present = values.filter((value) => value !== null);
        const low = Math.min(...present);
        const span = Math.max(...present) - low || 1;
        const step = WIDTH / Math.max(values.length - 1, 1);
        const paths = [];
        let path = "";
        values.forEach((value, index) => {
            if (value === null) {
                if (path) {
                    paths.push(path);
                }
                path = "";
                return;
            }
            const x = (index * step).toFixed(1);
            const y = (HEIGHT - 2 - ((value - low) / span) * (HEIGHT - 4)).toFixed(1);
            path += `${path ? "L" : "M"}${x} ${y} `;
        });
        if (path) {
            paths.push(path);
        }
        return paths;
    }
}

/** A remote: on/off, and a command (or several, comma separated) sent with its repeats. */

import { Component, useState } from "@odoo/owl";

export class RemoteControl extends Component {
    static template = "home_assistant.RemoteControl";
    static props = { entity: Object, shown: Object, call: Function };

    setup() {
        this.form = useState({ command: "", repeats: 1 });
    }

    send(ev) {
        ev.preventDefault();
        const commands = this.form.command.split(",").map((part) => part.trim()).filter(Boolean);
        if (!commands.length) {
            return;
        }
        const data = { command: commands.length === 1 ? commands[0] : commands };
        if (Number(this.form.repeats) > 1) {
            data.num_repeats = Number(this.form.repeats);
        }
        this.props.call("send_command", data);
    }
}

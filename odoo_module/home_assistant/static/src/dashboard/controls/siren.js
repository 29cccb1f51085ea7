/** A siren: on/off, and sounding with the tone, volume and duration it supports. */

import { Component, useState } from "@odoo/owl";

// Home Assistant's SirenEntityFeature bits.
const TONES = 4;
const VOLUME_SET = 8;
const DURATION = 16;

export class SirenControl extends Component {
    static template = "home_assistant.SirenControl";
    static props = { entity: Object, shown: Object, call: Function };

    setup() {
        this.options = useState({ tone: "", volume: 50, duration: "" });
    }

    supports(feature) {
        return Boolean((this.props.entity.attributes.supported_features || 0) & feature);
    }

    get offered() {
        return { tones: this.supports(TONES), volume: this.supports(VOLUME_SET), duration: this.supports(DURATION) };
    }

    /**
     * The tones Home Assistant lists, or the names of those it maps (a mapping's keys lose
     * their type in JSON; Home Assistant takes a tone by its name too).
     */
    get tones() {
        const tones = this.props.entity.attributes.available_tones || [];
        return Array.isArray(tones) ? tones : Object.values(tones);
    }

    sound() {
        const data = {};
        const features = this.offered;
        if (features.tones && this.options.tone !== "") {
            data.tone = this.options.tone;
        }
        if (features.volume) {
            data.volume_level = Number(this.options.volume) / 100;
        }
        if (features.duration && this.options.duration !== "") {
            data.duration = Number(this.options.duration);
        }
        this.props.call("turn_on", data, { state: "on" });
    }
}

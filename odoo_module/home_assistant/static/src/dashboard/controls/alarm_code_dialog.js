/** The dialog an alarm code is typed in: handed to `onConfirm` once, then forgotten. */

import { Component, useRef, onMounted } from "@odoo/owl";
import { Dialog } from "@web/core/dialog/dialog";

export class AlarmCodeDialog extends Component {
    static template = "home_assistant.AlarmCodeDialog";
    static components = { Dialog };
    static props = { title: String, numeric: Boolean, onConfirm: Function, close: Function };

    setup() {
        // Read from the input on confirm only: the code is in no component state.
        this.input = useRef("code");
        onMounted(() => this.input.el?.focus());
    }

    confirm() {
        const code = this.input.el.value;
        this.input.el.value = "";
        if (code) {
            this.props.onConfirm(code);
        }
        this.props.close();
    }

    onKeydown(ev) {
        if (ev.key === "Enter") {
            this.confirm();
        }
    }
}

/** An alarm panel: arm in the modes it supports, disarm; a code typed in a dialog when needed. */

import { Component } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";
import { AlarmCodeDialog } from "./alarm_code_dialog";

// Home Assistant's AlarmControlPanelEntityFeature bits, and the service of each mode.
const ARM_MODES = [
    { feature: 1, service: "alarm_arm_home", label: () => _t("Arm home"), state: "armed_home" },
    { feature: 2, service: "alarm_arm_away", label: () => _t("Arm away"), state: "armed_away" },
    { feature: 4, service: "alarm_arm_night", label: () => _t("Arm night"), state: "armed_night" },
    { feature: 32, service: "alarm_arm_vacation", label: () => _t("Arm vacation"), state: "armed_vacation" },
];

export class AlarmPanel extends Component {
    static template = "home_assistant.AlarmPanel";
    static props = { entity: Object, shown: Object, call: Function };

    setup() {
        this.dialog = useService("dialog");
    }

    get modes() {
        const features = this.props.entity.attributes.supported_features || 0;
        return ARM_MODES.filter((mode) => features & mode.feature);
    }

    get disarmLabel() {
        return _t("Disarm");
    }

    get isDisarmed() {
        return this.props.shown.state === "disarmed";
    }

    /** Whether `service` needs a code: disarming whenever the panel has one, arming when it says so. */
    needsCode(service) {
        const attributes = this.props.entity.attributes;
        if (!attributes.code_format) {
            return false;
        }
        return service === "alarm_disarm" || attributes.code_arm_required !== false;
    }

    run(service, label, state) {
        if (!this.needsCode(service)) {
            this.props.call(service, {}, { state });
            return;
        }
        // The code lives in the dialog until it is sent, once; nothing keeps it afterwards.
        this.dialog.add(AlarmCodeDialog, {
            title: label,
            numeric: this.props.entity.attributes.code_format === "number",
            onConfirm: (code) => this.props.call(service, { code }, { state }),
        });
    }
}

/** The instance picker and the chosen instance's connection status, on their own. */

import { Component } from "@odoo/owl";
import { deserializeDateTime, formatDateTime } from "@web/core/l10n/dates";
import { _t } from "@web/core/l10n/translation";

/**
 * Its own component so that a heartbeat or a push, which change an instance's
 * `connected` and `last_seen`, re-render these few nodes and not the dashboard's cards:
 * `status` is a reactive object only this component reads.
 */
export class InstanceStatus extends Component {
    static template = "home_assistant.InstanceStatus";
    static props = {
        status: Object, // reactive {instances: [...]}
        instanceId: { type: [Number, { value: null }] },
        onSelect: Function,
    };

    get instances() {
        return this.props.status.instances;
    }

    get current() {
        return this.instances.find((record) => record.id === this.props.instanceId);
    }

    formatLastSeen(instance) {
        return instance.last_seen
            ? formatDateTime(deserializeDateTime(instance.last_seen))
            : _t("never");
    }

    onChange(ev) {
        this.props.onSelect(Number(ev.target.value));
    }
}

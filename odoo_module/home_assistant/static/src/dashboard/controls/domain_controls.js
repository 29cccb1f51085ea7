/**
 * The controls of the domains beyond the card's own (alarm panels, sirens, remotes, lawn
 * mowers, updates, automations, todo lists) and the read-only weather and device tracker
 * details: on the dashboard card and on the entity form.
 *
 * `call(service, data, optimistic)` sends a command and resolves true when Home Assistant
 * accepted it; `ask(service, data)` sends a service that answers with data and resolves to
 * this entity's part of the answer (null when it failed; the caller shows why).
 */

import { Component, useState } from "@odoo/owl";
import { AlarmPanel } from "./alarm_panel";
import { RemoteControl } from "./remote";
import { SirenControl } from "./siren";
import { TodoList } from "./todo_list";
import { WeatherCard } from "./weather";

export const CONTROLLED_DOMAINS = new Set([
    "alarm_control_panel",
    "automation",
    "device_tracker",
    "lawn_mower",
    "remote",
    "siren",
    "todo",
    "update",
    "weather",
]);
// Home Assistant's UpdateEntityFeature bits.
const UPDATE_INSTALL = 1;
const UPDATE_BACKUP = 8;

export class DomainControls extends Component {
    static template = "home_assistant.DomainControls";
    static components = { AlarmPanel, RemoteControl, SirenControl, TodoList, WeatherCard };
    static props = { entity: Object, shown: Object, call: Function, ask: Function };

    setup() {
        this.update = useState({ backup: true });
    }

    get canBackUp() {
        return Boolean((this.props.entity.attributes.supported_features || 0) & UPDATE_BACKUP);
    }

    get canInstall() {
        const features = this.props.entity.attributes.supported_features || 0;
        return Boolean(features & UPDATE_INSTALL) && this.props.shown.state === "on";
    }

    install() {
        const data = this.canBackUp ? { backup: this.update.backup } : {};
        this.props.call("install", data, { attributes: { in_progress: true } });
    }
}

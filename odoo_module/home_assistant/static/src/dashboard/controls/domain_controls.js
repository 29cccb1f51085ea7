/**
 * The controls of the domains beyond the card's own (alarm panels, sirens, remotes, lawn
 * mowers, automations, todo lists) and the read-only weather, device tracker and update
 * details: on the dashboard card and on the entity form. Updates are shown, not installed:
 * Home Assistant lets only its administrators install them, which the bridge's user is not.
 *
 * `call(service, data, optimistic)` sends a command and resolves true when Home Assistant
 * accepted it; `ask(service, data)` sends a service that answers with data and resolves to
 * this entity's part of the answer (null when it failed; the caller shows why).
 */

import { Component } from "@odoo/owl";
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

export class DomainControls extends Component {
    static template = "home_assistant.DomainControls";
    static components = { AlarmPanel, RemoteControl, SirenControl, TodoList, WeatherCard };
    static props = { entity: Object, shown: Object, call: Function, ask: Function };
}

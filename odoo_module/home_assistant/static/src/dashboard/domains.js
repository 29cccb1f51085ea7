/** What the dashboard knows about Home Assistant domains and device classes. */

import { _t } from "@web/core/l10n/translation";

// Built on first use (translations are loaded by then) and kept: every card asks for
// its icon and state label, 2 000 cards must not build these tables 2 000 times each.
let domains = null;
let domainOrder = null;
let stateLabels = null;
const domainInfos = new Map();

function knownDomains() {
    domains ??= {
        light: [_t("Lights"), "fa-lightbulb-o"],
        switch: [_t("Switches"), "fa-toggle-on"],
        input_boolean: [_t("Toggles"), "fa-toggle-on"],
        fan: [_t("Fans"), "fa-asterisk"],
        cover: [_t("Covers"), "fa-columns"],
        climate: [_t("Climate"), "fa-thermometer-half"],
        lock: [_t("Locks"), "fa-lock"],
        camera: [_t("Cameras"), "fa-video-camera"],
        alarm_control_panel: [_t("Alarm panels"), "fa-shield"],
        siren: [_t("Sirens"), "fa-bullhorn"],
        media_player: [_t("Media players"), "fa-play-circle"],
        scene: [_t("Scenes"), "fa-picture-o"],
        script: [_t("Scripts"), "fa-file-code-o"],
        remote: [_t("Remotes"), "fa-wifi"],
        lawn_mower: [_t("Lawn mowers"), "fa-leaf"],
        automation: [_t("Automations"), "fa-magic"],
        button: [_t("Buttons"), "fa-hand-pointer-o"],
        input_button: [_t("Buttons"), "fa-hand-pointer-o"],
        number: [_t("Numbers"), "fa-sliders"],
        input_number: [_t("Numbers"), "fa-sliders"],
        select: [_t("Selects"), "fa-list"],
        input_select: [_t("Selects"), "fa-list"],
        input_text: [_t("Texts"), "fa-i-cursor"],
        todo: [_t("To-do lists"), "fa-check-square-o"],
        update: [_t("Updates"), "fa-download"],
        weather: [_t("Weather"), "fa-cloud"],
        device_tracker: [_t("Trackers"), "fa-map-marker"],
        sensor: [_t("Sensors"), "fa-eye"],
        binary_sensor: [_t("Binary sensors"), "fa-dot-circle-o"],
    };
    domainOrder ??= new Map(Object.keys(domains).map((domain, index) => [domain, index]));
    return domains;
}

/** Domains in the order their groups appear in an area, with a label and an icon. */
export function domainInfo(domain) {
    let info = domainInfos.get(domain);
    if (!info) {
        const known = knownDomains();
        const [label, icon] = (Object.hasOwn(known, domain) && known[domain]) || [domain, "fa-cube"];
        info = Object.freeze({ label, icon, order: domainOrder.get(domain) ?? 99 });
        domainInfos.set(domain, info);
    }
    return info;
}

const DEVICE_CLASS_ICONS = {
    temperature: "fa-thermometer-half",
    humidity: "fa-tint",
    moisture: "fa-tint",
    power: "fa-bolt",
    energy: "fa-bolt",
    voltage: "fa-bolt",
    current: "fa-bolt",
    battery: "fa-battery-three-quarters",
    illuminance: "fa-sun-o",
    pressure: "fa-tachometer",
    carbon_dioxide: "fa-leaf",
    motion: "fa-male",
    occupancy: "fa-user",
    presence: "fa-user",
    door: "fa-sign-in",
    window: "fa-window-maximize",
    opening: "fa-window-maximize",
    smoke: "fa-fire",
    connectivity: "fa-wifi",
    plug: "fa-plug",
    outlet: "fa-plug",
    timestamp: "fa-clock-o",
};

/** The Font Awesome icon of an entity: its device class's, else its domain's. */
export function entityIcon(entity) {
    return DEVICE_CLASS_ICONS[entity.device_class] || domainInfo(entity.domain).icon;
}

/** Human words for Home Assistant's raw states. */
export function stateLabel(state) {
    stateLabels ??= {
        on: _t("On"),
        off: _t("Off"),
        open: _t("Open"),
        opening: _t("Opening"),
        closed: _t("Closed"),
        closing: _t("Closing"),
        locked: _t("Locked"),
        unlocked: _t("Unlocked"),
        locking: _t("Locking"),
        unlocking: _t("Unlocking"),
        jammed: _t("Jammed"),
        playing: _t("Playing"),
        paused: _t("Paused"),
        idle: _t("Idle"),
        standby: _t("Standby"),
        heat: _t("Heat"),
        cool: _t("Cool"),
        heat_cool: _t("Heat/Cool"),
        auto: _t("Auto"),
        dry: _t("Dry"),
        fan_only: _t("Fan only"),
        disarmed: _t("Disarmed"),
        armed_home: _t("Armed home"),
        armed_away: _t("Armed away"),
        armed_night: _t("Armed night"),
        armed_vacation: _t("Armed vacation"),
        armed_custom_bypass: _t("Armed (bypass)"),
        arming: _t("Arming"),
        disarming: _t("Disarming"),
        pending: _t("Pending"),
        triggered: _t("Triggered"),
        mowing: _t("Mowing"),
        docked: _t("Docked"),
        returning: _t("Returning"),
        error: _t("Error"),
        home: _t("Home"),
        not_home: _t("Away"),
        sunny: _t("Sunny"),
        "clear-night": _t("Clear night"),
        partlycloudy: _t("Partly cloudy"),
        cloudy: _t("Cloudy"),
        rainy: _t("Rainy"),
        pouring: _t("Pouring"),
        snowy: _t("Snowy"),
        fog: _t("Fog"),
        windy: _t("Windy"),
        lightning: _t("Lightning"),
        unavailable: _t("Unavailable"),
        unknown: _t("Unknown"),
    };
    return (Object.hasOwn(stateLabels, state) && stateLabels[state]) || state || "";
}

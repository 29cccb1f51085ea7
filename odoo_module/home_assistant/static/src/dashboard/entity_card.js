/** One entity as a card: its state, the controls of its domain, pending and error states. */

import { Component, onWillUnmount, toRaw, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";
import { CameraStill } from "./camera_still";
import { Sparkline } from "./sparkline";
import { entityIcon, stateLabel } from "./domains";
import { CONTROLLED_DOMAINS, DomainControls } from "./controls/domain_controls";

// A command Home Assistant accepted but whose state never comes back (the entity did not
// change, or the push was lost) stops showing as pending this long after the answer.
const PENDING_TIMEOUT_MS = 10000;
const ON_STATES = new Set(["on", "open", "opening", "unlocked", "playing", "heat", "cool"]);
const COLOR_MODES = new Set(["hs", "rgb", "rgbw", "rgbww", "xy"]);

export class EntityCard extends Component {
    static template = "home_assistant.EntityCard";
    static components = { CameraStill, DomainControls, Sparkline };
    static props = {
        entity: Object,
        // Reactive {entity id: values}: the card reads (and so observes) its own key only.
        sparklines: Object,
        onOpenHistory: Function,
    };

    setup() {
        this.orm = useService("orm");
        // `pending` holds what the card shows until the entity's next pushed state; `sent`
        // tells that Home Assistant accepted the command (waiting for its state, not for it).
        this.card = useState({ pending: null, sent: false, error: null });
        this.pendingTimer = null;
        onWillUnmount(() => clearTimeout(this.pendingTimer));
    }

    get entity() {
        return this.props.entity;
    }

    get sparklineValues() {
        return this.entity.domain === "sensor" ? this.props.sparklines[this.entity.id] : undefined;
    }

    /** The state shown: the optimistic one while a command is pending. */
    get shown() {
        const pending = this.card.pending;
        // Reading `attributes` observes it; a new state always brings a new object, so its
        // keys need not be observed one by one (spreading the raw object is cheaper).
        const attributes = toRaw(this.entity.attributes);
        if (pending && pending.revision === this.entity.revision) {
            return { ...attributes, ...pending.attributes, state: pending.state ?? this.entity.state };
        }
        return { ...attributes, state: this.entity.state };
    }

    get isPending() {
        return Boolean(this.card.pending && this.card.pending.revision === this.entity.revision);
    }

    get pendingLabel() {
        return this.card.sent
            ? _t("Sent, waiting for Home Assistant's new state")
            : _t("Sending to Home Assistant");
    }

    get isOn() {
        return this.isOnState(this.shown.state);
    }

    isOnState(state) {
        return ON_STATES.has(state);
    }

    get icon() {
        return entityIcon(this.entity);
    }

    label(state) {
        return stateLabel(state);
    }

    get brightnessPercent() {
        return Math.round(((this.shown.brightness || 0) * 100) / 255);
    }

    get supportsColorTemp() {
        return (this.entity.attributes.supported_color_modes || []).includes("color_temp");
    }

    get supportsBrightness() {
        const modes = this.entity.attributes.supported_color_modes || [];
        return modes.some((mode) => mode !== "onoff");
    }

    get supportsColor() {
        return (this.entity.attributes.supported_color_modes || []).some((mode) =>
            COLOR_MODES.has(mode)
        );
    }

    get colorHex() {
        const [red, green, blue] = this.shown.rgb_color || [255, 255, 255];
        return "#" + [red, green, blue].map((value) => value.toString(16).padStart(2, "0")).join("");
    }

    get numberRange() {
        const attributes = this.entity.attributes;
        return { min: attributes.min ?? 0, max: attributes.max ?? 100, step: attributes.step ?? 1 };
    }

    get hasDomainControls() {
        return CONTROLLED_DOMAINS.has(this.entity.domain);
    }

    get temperatureStep() {
        return this.entity.attributes.target_temp_step || 0.5;
    }

    /**
     * Send `service` with `data` to Home Assistant; show `optimistic` (a state and/or
     * attributes) until the pushed state arrives, or the error when Odoo refuses.
     * Resolves true when Home Assistant accepted the command.
     */
    async call(service, data = {}, optimistic = {}) {
        if (!this.entity.available) {
            return false;
        }
        const pending = { revision: this.entity.revision, ...optimistic };
        Object.assign(this.card, { error: null, pending, sent: false });
        clearTimeout(this.pendingTimer);
        try {
            await this.orm.call("ha.entity", "call_entity_service", [
                [this.entity.id],
                service,
                data,
            ]);
        } catch (error) {
            if (toRaw(this.card.pending) === pending) {
                Object.assign(this.card, { pending: null, sent: false });
            }
            this.card.error = error.data?.message || error.message;
            return false;
        }
        // A later command on this card replaced this one: its own answer decides.
        if (toRaw(this.card.pending) === pending) {
            this.card.sent = true;
            this.pendingTimer = setTimeout(() => {
                Object.assign(this.card, { pending: null, sent: false });
            }, PENDING_TIMEOUT_MS);
        }
        return true;
    }

    /** Ask Home Assistant for data (todo items, a forecast): this entity's answer, or null. */
    async ask(service, data = {}) {
        if (!this.entity.available) {
            return null;
        }
        try {
            const result = await this.orm.call("ha.entity", "call_entity_service", [
                [this.entity.id],
                service,
                data,
            ]);
            this.card.error = null;
            return result.response || null;
        } catch (error) {
            this.card.error = error.data?.message || error.message;
            return null;
        }
    }

    toggle() {
        const turnOn = !this.isOn;
        this.call(turnOn ? "turn_on" : "turn_off", {}, { state: turnOn ? "on" : "off" });
    }

    setBrightness(ev) {
        const brightness = Math.round((Number(ev.target.value) * 255) / 100);
        this.call("turn_on", { brightness }, { state: "on", attributes: { brightness } });
    }

    setColorTemp(ev) {
        const kelvin = Number(ev.target.value);
        this.call("turn_on", { color_temp_kelvin: kelvin }, { state: "on", attributes: { color_temp_kelvin: kelvin } });
    }

    setColor(ev) {
        const hex = ev.target.value;
        const rgb = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16));
        this.call("turn_on", { rgb_color: rgb }, { state: "on", attributes: { rgb_color: rgb } });
    }

    setFanPercentage(ev) {
        const percentage = Number(ev.target.value);
        this.call("turn_on", { percentage }, { state: "on", attributes: { percentage } });
    }

    setCoverPosition(ev) {
        const position = Number(ev.target.value);
        this.call("set_cover_position", { position }, { attributes: { current_position: position } });
    }

    setHvacMode(ev) {
        const mode = ev.target.value;
        this.call("set_hvac_mode", { hvac_mode: mode }, { state: mode });
    }

    stepTemperature(direction) {
        const current = this.shown.temperature ?? this.entity.attributes.current_temperature ?? 20;
        const temperature = Math.round((current + direction * this.temperatureStep) * 10) / 10;
        this.call("set_temperature", { temperature }, { attributes: { temperature } });
    }

    setNumber(ev) {
        const value = Number(ev.target.value);
        this.call("set_value", { value }, { state: String(value) });
    }

    selectOption(ev) {
        const option = ev.target.value;
        this.call("select_option", { option }, { state: option });
    }

    setText(ev) {
        const value = ev.target.value;
        this.call("set_value", { value }, { state: value });
    }

    setVolume(ev) {
        const volume = Number(ev.target.value) / 100;
        this.call("volume_set", { volume_level: volume }, { attributes: { volume_level: volume } });
    }

    openHistory() {
        this.props.onOpenHistory(this.entity);
    }
}

/**
 * The entity form's controls for the domains of `DomainControls` (a field widget on the
 * entity's `attributes`): the same controls as the dashboard card, on the form's record.
 * After a command the record is reloaded, so the form shows the state Home Assistant pushed.
 */

import { Component, useState } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { CONTROLLED_DOMAINS, DomainControls } from "./domain_controls";

export class EntityControlsField extends Component {
    static template = "home_assistant.EntityControlsField";
    static components = { DomainControls };
    static props = { ...standardFieldProps };

    setup() {
        this.orm = useService("orm");
        this.state = useState({ error: null });
    }

    /** The record as the dashboard's entity rows are: what the controls read. */
    get entity() {
        const data = this.props.record.data;
        return {
            id: this.props.record.resId,
            domain: data.domain,
            entity_id: data.entity_id,
            state: data.state,
            available: data.available,
            last_updated: data.last_updated,
            attributes: data[this.props.name] || {},
        };
    }

    get shown() {
        return { ...this.entity.attributes, state: this.entity.state };
    }

    get hasControls() {
        return CONTROLLED_DOMAINS.has(this.entity.domain) && this.entity.available;
    }

    async send(service, data) {
        this.state.error = null;
        try {
            return await this.orm.call("ha.entity", "call_entity_service", [
                [this.props.record.resId],
                service,
                data,
            ]);
        } catch (error) {
            this.state.error = error.data?.message || error.message;
            return null;
        }
    }

    async call(service, data = {}) {
        const result = await this.send(service, data);
        if (result) {
            await this.props.record.load();
        }
        return Boolean(result);
    }

    async ask(service, data = {}) {
        const result = await this.send(service, data);
        return result?.response || null;
    }
}

registry.category("fields").add("ha_entity_controls", {
    component: EntityControlsField,
    supportedTypes: ["json"],
});

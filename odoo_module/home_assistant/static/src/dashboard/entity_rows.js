/** The dashboard's rows: one reactive row per entity, updated in place, caught up after an outage. */

import { reactive, toRaw } from "@odoo/owl";

export class EntityRows {
    constructor() {
        // Entity id → reactive row. Cards observe their own row; the dashboard reads rows
        // raw and re-groups only when told to, so one state never re-renders it.
        this.byId = new Map();
        // The server's time of the data applied last: where a catch-up starts from.
        this.serverTime = null;
    }

    get size() {
        return this.byId.size;
    }

    values() {
        return this.byId.values();
    }

    /** Replace every row with `entities` as the server loaded them at `serverTime`. */
    reset(entities, serverTime) {
        this.byId = new Map(entities.map((row) => [row.id, reactive({ ...row, revision: 0 })]));
        this.serverTime = serverTime;
    }

    /**
     * Apply pushed (or caught-up) entity states in place; older ones than a row's are
     * ignored. Return whether the grouping changed: an entity came, went or changed area,
     * or changed availability while `byAvailability` filters on it.
     */
    apply(entities, { byAvailability = false } = {}) {
        let relayout = false;
        for (const update of entities) {
            const row = this.byId.get(update.id);
            if (!update.active) {
                relayout = this.byId.delete(update.id) || relayout;
                continue;
            }
            if (row && update.last_updated && row.last_updated > update.last_updated) {
                continue;
            }
            const values = rowValues(update, row);
            if (!row) {
                this.byId.set(update.id, reactive({ ...values, revision: 0 }));
                relayout = true;
                continue;
            }
            const raw = toRaw(row);
            relayout ||=
                raw.area_id !== values.area_id ||
                (byAvailability && raw.available !== values.available);
            Object.assign(row, values, { revision: raw.revision + 1 });
        }
        return relayout;
    }

    /**
     * After a bus outage: fetch what changed on `instanceId` since the last applied data.
     * Returns the server's answer (`areas`, `instance` status, `entities`) for the caller
     * to apply, or null when there is no instance.
     */
    async changesSince(orm, instanceId) {
        if (!instanceId) {
            return null;
        }
        const data = await orm.call("ha.dashboard", "changes_since", [instanceId, this.serverTime]);
        this.serverTime = data.server_time;
        return data;
    }
}

/** A row's values from a bus or catch-up update, completing what the bus leaves out. */
function rowValues(update, row) {
    const attributes = update.attributes || {};
    return {
        ...update,
        domain: update.domain || update.entity_id.split(".")[0],
        name: update.name || attributes.friendly_name || row?.name || update.entity_id,
        unit_of_measurement: update.unit_of_measurement ?? attributes.unit_of_measurement ?? null,
        device_class: update.device_class ?? attributes.device_class ?? null,
        icon: update.icon ?? attributes.icon ?? null,
    };
}

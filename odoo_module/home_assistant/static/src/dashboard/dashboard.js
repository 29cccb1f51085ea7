/** The Home Assistant dashboard: one instance's entities by area and domain, live. */

import { Component, onMounted, onWillStart, onWillUnmount, reactive, toRaw, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { domainInfo } from "./domains";
import { EntityCard } from "./entity_card";
import { EntityRows } from "./entity_rows";
import { HistoryDialog } from "./history_dialog";
import { InstanceStatus } from "./instance_status";
import { CARD_ROW_PX, GROUP_HEADING_PX, cardColumns, useProgressiveCards } from "./progressive_cards";

// The server only notifies batches that changed entities: a quiet instance's status is
// refreshed this often so "connected" and "last seen" stay true.
const STATUS_REFRESH_MS = 60000;
const SPARKLINE_CHUNK = 500;

export class Dashboard extends Component {
    static template = "home_assistant.Dashboard";
    static components = { EntityCard, InstanceStatus };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.dialog = useService("dialog");
        this.live = useService("home_assistant.live");
        // Re-grouped only when `state.layout` changes, so one state never re-renders it.
        this.rows = new EntityRows();
        this.cards = useProgressiveCards(() => this.rows.size);
        // Read by InstanceStatus only: a push or heartbeat changing an instance's
        // `last_seen` re-renders that small component, never the 2 000 cards.
        this.status = reactive({ instances: [] });
        // Entity id → its sparkline's values; each card reads its own key only, so a
        // chunk of sparklines arriving re-renders those cards, not the dashboard.
        this.sparklines = reactive({});
        this.state = useState({
            hasInstances: false,
            instanceId: null,
            areas: [],
            floors: [],
            labels: [],
            layout: 0,
            search: "",
            domain: "",
            availability: "",
            areaId: "",
            floorId: "",
            labelId: "",
        });
        this.collator = new Intl.Collator();
        this.grouped = { key: null, sections: [] };
        this.openHistory = this.openHistory.bind(this);
        onWillStart(() => this.load(this.props.action.context?.instance_id));
        onMounted(() => {
            this.stopListening = this.live.listen({
                onUpdate: (payload) => this.onUpdate(payload),
                onReconnect: () => this.catchUp(),
            });
            this.statusTimer = setInterval(() => this.refreshStatuses(), STATUS_REFRESH_MS);
            this.loadSparklines();
        });
        onWillUnmount(() => {
            this.stopListening();
            clearInterval(this.statusTimer);
        });
    }

    async load(instanceId) {
        const data = await this.orm.call("ha.dashboard", "load", [instanceId || null]);
        this.rows.reset(data.entities, data.server_time);
        this.status.instances = data.instances;
        this.sparklines = reactive({});
        Object.assign(this.state, {
            hasInstances: data.instances.length > 0,
            instanceId: data.instance_id,
            areas: data.areas,
            floors: data.floors,
            labels: data.labels,
            areaId: "",
            floorId: "",
            labelId: "",
            layout: this.state.layout + 1,
        });
        this.cards.restart();
    }

    async selectInstance(instanceId) {
        await this.load(instanceId);
        this.loadSparklines();
    }

    async loadSparklines() {
        const ids = [...this.rows.values()]
            .filter((row) => row.domain === "sensor" && row.numeric_value !== null)
            .map((row) => row.id);
        const store = this.sparklines; // another instance chosen meanwhile: a new store
        for (let start = 0; start < ids.length; start += SPARKLINE_CHUNK) {
            const series = await this.orm.call("ha.dashboard", "sparklines", [
                ids.slice(start, start + SPARKLINE_CHUNK),
            ]);
            Object.assign(store, series);
        }
    }

    /** Apply a pushed batch: update each card's row in place, re-group only when needed. */
    onUpdate({ instance_id: instanceId, entities }) {
        this.updateStatus({
            id: instanceId,
            connected: true,
            last_seen: luxon.DateTime.utc().toFormat("yyyy-MM-dd HH:mm:ss"),
        });
        if (instanceId === this.state.instanceId) {
            this.applyRows(entities);
        }
    }

    applyRows(entities) {
        if (this.rows.apply(entities, { byAvailability: this.state.availability !== "" })) {
            this.state.layout++;
        }
    }

    /** After a bus outage: apply what changed since the last applied update. */
    async catchUp() {
        const data = await this.rows.changesSince(this.orm, this.state.instanceId);
        if (data) {
            Object.assign(this.state, {
                areas: data.areas,
                floors: data.floors,
                labels: data.labels,
            });
            this.updateStatus(data.instance);
            this.applyRows(data.entities);
        }
    }

    async refreshStatuses() {
        for (const status of await this.orm.call("ha.dashboard", "instance_statuses", [])) {
            this.updateStatus(status);
        }
    }

    updateStatus(status) {
        const instance = this.status.instances.find((record) => record.id === status.id);
        if (instance) {
            Object.assign(instance, status);
        }
    }

    get domainOptions() {
        this.state.layout; // re-list when entities come or go
        const domains = new Set([...this.rows.values()].map((row) => toRaw(row).domain));
        return [...domains]
            .map((domain) => ({ domain, ...domainInfo(domain) }))
            .sort((a, b) => a.order - b.order || a.domain.localeCompare(b.domain));
    }

    /** The sections to render: the first `cards.budget` cards of `groupedSections`. */
    get sections() {
        let budget = this.cards.budget;
        const sections = [];
        for (const section of this.groupedSections()) {
            if (budget <= 0) {
                break;
            }
            const groups = [];
            for (const group of section.groups) {
                if (budget <= 0) {
                    break;
                }
                groups.push(
                    budget >= group.rows.length
                        ? group
                        : { ...group, rows: group.rows.slice(0, budget) }
                );
                budget -= group.rows.length;
            }
            sections.push(groups.length === section.groups.length ? section : { ...section, groups });
        }
        return sections;
    }

    /**
     * Areas (then "No area"), each with its domains' groups of matching entities; kept
     * until the entities or the filters change (not recomputed for each chunk of cards).
     */
    groupedSections() {
        const { layout, search, domain, availability, areaId, floorId, labelId, areas } =
            this.state;
        const key = JSON.stringify([layout, search, domain, availability, areaId, floorId, labelId]);
        if (this.grouped.key === key && this.grouped.areas === toRaw(areas)) {
            return this.grouped.sections;
        }
        this.grouped = { key, areas: toRaw(areas), sections: this.groupSections() };
        return this.grouped.sections;
    }

    groupSections() {
        const { search, domain, availability, areaId, floorId, labelId } = this.state;
        const needle = search.trim().toLowerCase();
        const knownAreas = new Set(this.state.areas.map((area) => area.id));
        const floorOfArea = new Map(this.state.areas.map((area) => [area.id, area.floor_id]));
        const byArea = new Map();
        for (const row of this.rows.values()) {
            const raw = toRaw(row);
            if (
                (domain && raw.domain !== domain) ||
                (availability === "available" && !raw.available) ||
                (availability === "unavailable" && raw.available) ||
                (areaId && String(knownAreas.has(raw.area_id) ? raw.area_id : "none") !== areaId) ||
                (floorId && String(floorOfArea.get(raw.area_id) ?? "none") !== floorId) ||
                (labelId && !(raw.label_ids || []).includes(Number(labelId))) ||
                (needle &&
                    !raw.entity_id.toLowerCase().includes(needle) &&
                    !(raw.name || "").toLowerCase().includes(needle))
            ) {
                continue;
            }
            const areaKey = knownAreas.has(raw.area_id) ? raw.area_id : "none";
            if (!byArea.has(areaKey)) {
                byArea.set(areaKey, new Map());
            }
            const groups = byArea.get(areaKey);
            if (!groups.has(raw.domain)) {
                groups.set(raw.domain, []);
            }
            groups.get(raw.domain).push(row);
        }
        const columns = cardColumns();
        const areas = [...this.state.areas, { id: "none", name: _t("No area") }];
        return areas
            .filter((area) => byArea.has(area.id))
            .map((area) => ({
                id: area.id,
                name: area.name,
                groups: [...byArea.get(area.id)]
                    .map(([domainKey, rows]) => ({
                        domain: domainKey,
                        ...domainInfo(domainKey),
                        height: GROUP_HEADING_PX + Math.ceil(rows.length / columns) * CARD_ROW_PX,
                        rows: rows.sort((a, b) =>
                            this.collator.compare(toRaw(a).name || "", toRaw(b).name || "")
                        ),
                    }))
                    .sort((a, b) => a.order - b.order || a.domain.localeCompare(b.domain)),
            }));
    }

    openHistory(entity) {
        this.dialog.add(HistoryDialog, { entity: toRaw(entity) });
    }
}

registry.category("actions").add("home_assistant.dashboard", Dashboard);

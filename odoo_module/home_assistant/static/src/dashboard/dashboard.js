/** The Home Assistant dashboard: one instance's entities by area and domain, live. */

import {
    Component,
    onMounted,
    onPatched,
    onWillStart,
    onWillUnmount,
    reactive,
    toRaw,
    useState,
} from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { domainInfo } from "./domains";
import { EntityCard } from "./entity_card";
import { HistoryDialog } from "./history_dialog";
import { InstanceStatus } from "./instance_status";

// The server only notifies batches that changed entities: a quiet instance's status is
// refreshed this often so "connected" and "last seen" stay true.
const STATUS_REFRESH_MS = 60000;
const SPARKLINE_CHUNK = 500;
// For the height an off-screen group is given before it is first drawn (dashboard.scss):
// roughly a card's width with its gap, a row of cards' height and a group heading's.
const CARD_WIDTH_PX = 232;
const CARD_ROW_PX = 124;
const GROUP_HEADING_PX = 36;
// Cards are rendered a screenful first, then, once it is painted, this many more per task
// until all are: the first screen shows without waiting for 2 000 cards.
const CARDS_PER_CHUNK = 1000;

export class Dashboard extends Component {
    static template = "home_assistant.Dashboard";
    static components = { EntityCard, InstanceStatus };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.dialog = useService("dialog");
        this.live = useService("home_assistant.live");
        // Entity id → reactive row. Cards observe their own row; the dashboard reads rows
        // raw and re-groups only when `layout` changes, so one state never re-renders it.
        this.rows = new Map();
        this.serverTime = null;
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
            layout: 0,
            search: "",
            domain: "",
            availability: "",
            areaId: "",
            // How many cards are rendered so far (see CARDS_PER_CHUNK).
            cardBudget: 0,
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
            this.renderMoreCards();
        });
        onPatched(() => this.renderMoreCards());
        onWillUnmount(() => {
            this.stopListening();
            clearInterval(this.statusTimer);
            clearTimeout(this.chunkTimer);
            cancelAnimationFrame(this.chunkFrame);
        });
    }

    async load(instanceId) {
        const data = await this.orm.call("ha.dashboard", "load", [instanceId || null]);
        this.serverTime = data.server_time;
        this.rows = new Map(data.entities.map((row) => [row.id, reactive({ ...row, revision: 0 })]));
        this.status.instances = data.instances;
        this.sparklines = reactive({});
        Object.assign(this.state, {
            hasInstances: data.instances.length > 0,
            instanceId: data.instance_id,
            areas: data.areas,
            areaId: "",
            layout: this.state.layout + 1,
            cardBudget: firstScreenCards(),
        });
    }

    /** Render the next chunk of cards, if any: after a frame for the first screen. */
    renderMoreCards() {
        if (this.chunkFrame || this.chunkTimer || this.state.cardBudget >= this.rows.size) {
            return;
        }
        const more = () => {
            this.chunkTimer = setTimeout(() => {
                this.chunkFrame = this.chunkTimer = null;
                this.state.cardBudget += CARDS_PER_CHUNK;
            });
        };
        if (this.state.cardBudget > firstScreenCards()) {
            more();
        } else {
            this.chunkFrame = requestAnimationFrame(more);
        }
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
        let relayout = false;
        for (const update of entities) {
            const row = this.rows.get(update.id);
            if (!update.active) {
                relayout ||= this.rows.delete(update.id);
                continue;
            }
            if (row && update.last_updated && row.last_updated > update.last_updated) {
                continue;
            }
            const attributes = update.attributes || {};
            const values = {
                ...update,
                domain: update.domain || update.entity_id.split(".")[0],
                name: update.name || attributes.friendly_name || row?.name || update.entity_id,
                unit_of_measurement: update.unit_of_measurement ?? attributes.unit_of_measurement ?? null,
                device_class: update.device_class ?? attributes.device_class ?? null,
                icon: update.icon ?? attributes.icon ?? null,
            };
            if (!row) {
                this.rows.set(update.id, reactive({ ...values, revision: 0 }));
                relayout = true;
                continue;
            }
            const raw = toRaw(row);
            relayout ||=
                raw.area_id !== values.area_id ||
                (this.state.availability !== "" && raw.available !== values.available);
            Object.assign(row, values, { revision: raw.revision + 1 });
        }
        if (relayout) {
            this.state.layout++;
        }
    }

    /** After a bus outage: fetch what changed since the last applied update. */
    async catchUp() {
        if (!this.state.instanceId) {
            return;
        }
        const data = await this.orm.call("ha.dashboard", "changes_since", [
            this.state.instanceId,
            this.serverTime,
        ]);
        this.serverTime = data.server_time;
        this.state.areas = data.areas;
        this.updateStatus(data.instance);
        this.applyRows(data.entities);
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

    /** The sections to render: the first `cardBudget` cards of `groupedSections`. */
    get sections() {
        let budget = this.state.cardBudget;
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
        const { layout, search, domain, availability, areaId, areas } = this.state;
        const key = JSON.stringify([layout, search, domain, availability, areaId]);
        if (this.grouped.key === key && this.grouped.areas === toRaw(areas)) {
            return this.grouped.sections;
        }
        this.grouped = { key, areas: toRaw(areas), sections: this.groupSections() };
        return this.grouped.sections;
    }

    groupSections() {
        const { search, domain, availability, areaId } = this.state;
        const needle = search.trim().toLowerCase();
        const knownAreas = new Set(this.state.areas.map((area) => area.id));
        const byArea = new Map();
        for (const row of this.rows.values()) {
            const raw = toRaw(row);
            if (
                (domain && raw.domain !== domain) ||
                (availability === "available" && !raw.available) ||
                (availability === "unavailable" && raw.available) ||
                (areaId && String(knownAreas.has(raw.area_id) ? raw.area_id : "none") !== areaId) ||
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

/** How many cards a row of the window holds, about (its padding taken off). */
function cardColumns() {
    return Math.max(1, Math.floor((window.innerWidth - 24) / CARD_WIDTH_PX));
}

/** About how many cards fill the window (twice over, to be safe), rendered first. */
function firstScreenCards() {
    return 2 * cardColumns() * Math.ceil(window.innerHeight / CARD_ROW_PX);
}

registry.category("actions").add("home_assistant.dashboard", Dashboard);

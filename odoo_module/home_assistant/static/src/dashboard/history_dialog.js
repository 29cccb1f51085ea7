/** An entity's history in a dialog: a line chart for readings, a timeline for states. */

import { Component, onMounted, onWillStart, onWillUnmount, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { Dialog } from "@web/core/dialog/dialog";
import { _t } from "@web/core/l10n/translation";
import { useService } from "@web/core/utils/hooks";
import { stateLabel } from "./domains";

const STATE_COLORS = ["#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#6b7280", "#ec4899"];

export class HistoryDialog extends Component {
    static template = "home_assistant.HistoryDialog";
    static components = { Dialog };
    static props = { entity: Object, close: Function };

    setup() {
        this.orm = useService("orm");
        this.canvas = useRef("canvas");
        this.ranges = [
            { key: "1h", label: _t("1 hour") },
            { key: "24h", label: _t("24 hours") },
            { key: "7d", label: _t("7 days") },
            { key: "30d", label: _t("30 days") },
            { key: "365d", label: _t("365 days") },
        ];
        this.state = useState({ range: "24h", history: null });
        this.chart = null;
        onWillStart(() => Promise.all([loadBundle("web.chartjs_lib"), this.fetch()]));
        onMounted(() => this.draw());
        onWillUnmount(() => this.chart?.destroy());
    }

    async fetch() {
        this.state.history = await this.orm.call("ha.dashboard", "history", [
            this.props.entity.id,
            this.state.range,
        ]);
    }

    async selectRange(range) {
        this.state.range = range;
        await this.fetch();
        this.draw();
    }

    get isEmpty() {
        const history = this.state.history;
        return !(history.kind === "numeric" ? history.points : history.timeline).length;
    }

    draw() {
        this.chart?.destroy();
        this.chart = null;
        if (this.isEmpty) {
            return;
        }
        const history = this.state.history;
        const style = getComputedStyle(this.canvas.el);
        const textColor = style.getPropertyValue("--body-color") || style.color;
        const config =
            history.kind === "numeric" ? this.lineConfig(history) : this.timelineConfig(history);
        config.options = {
            ...config.options,
            animation: false,
            maintainAspectRatio: false,
            color: textColor,
        };
        this.chart = new Chart(this.canvas.el, config);
    }

    lineConfig(history) {
        const downsampled = history.points.some(([, value, low, high]) => low !== high);
        const datasets = [
            {
                label: this.props.entity.name || this.props.entity.entity_id,
                data: history.points.map(([x, y]) => ({ x, y })),
                borderColor: STATE_COLORS[0],
                backgroundColor: STATE_COLORS[0],
                pointRadius: history.points.length > 100 ? 0 : 2,
                stepped: !downsampled,
            },
        ];
        if (downsampled) {
            datasets.push(
                {
                    label: _t("Minimum"),
                    data: history.points.map(([x, , low]) => ({ x, y: low })),
                    borderWidth: 0,
                    pointRadius: 0,
                    fill: false,
                },
                {
                    label: _t("Maximum"),
                    data: history.points.map(([x, , , high]) => ({ x, y: high })),
                    borderWidth: 0,
                    pointRadius: 0,
                    backgroundColor: "rgba(59, 130, 246, 0.2)",
                    fill: "-1",
                }
            );
        }
        return {
            type: "line",
            data: { datasets },
            options: {
                plugins: { legend: { display: downsampled } },
                scales: {
                    x: { type: "time", min: history.start, max: history.end },
                    y: { title: { display: Boolean(history.unit), text: history.unit } },
                },
            },
        };
    }

    timelineConfig(history) {
        const states = [...new Set(history.timeline.map(([, state]) => state))];
        const datasets = states.map((state, index) => ({
            label: stateLabel(state),
            data: history.timeline
                .map(([start, segmentState], position) => ({
                    x: [start, history.timeline[position + 1]?.[0] ?? history.end],
                    y: "",
                    state: segmentState,
                }))
                .filter((segment) => segment.state === state),
            backgroundColor: STATE_COLORS[index % STATE_COLORS.length],
            barPercentage: 1,
            categoryPercentage: 1,
        }));
        return {
            type: "bar",
            data: { datasets },
            options: {
                indexAxis: "y",
                scales: {
                    x: { type: "time", min: history.start, max: history.end },
                    y: { stacked: true },
                },
            },
        };
    }
}

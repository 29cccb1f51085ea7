/** A weather entity, read only: the current conditions and the forecast (weather.get_forecasts). */

import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";

// Home Assistant's WeatherEntityFeature bits of each forecast type.
const FORECAST_TYPES = [
    { type: "daily", feature: 1, label: () => _t("Daily") },
    { type: "hourly", feature: 2, label: () => _t("Hourly") },
    { type: "twice_daily", feature: 4, label: () => _t("Twice daily") },
];
const FORECAST_LENGTH = 5;

export class WeatherCard extends Component {
    static template = "home_assistant.WeatherCard";
    static props = { entity: Object, ask: Function };

    setup() {
        this.forecast = useState({ type: null, items: null });
    }

    get types() {
        const features = this.props.entity.attributes.supported_features || 0;
        return FORECAST_TYPES.filter((kind) => features & kind.feature);
    }

    async show(type) {
        if (this.forecast.type === type) {
            Object.assign(this.forecast, { type: null, items: null });
            return;
        }
        Object.assign(this.forecast, { type, items: null });
        const response = await this.props.ask("get_forecasts", { type });
        if (response && this.forecast.type === type) {
            this.forecast.items = (response.forecast || []).slice(0, FORECAST_LENGTH);
        }
    }

    moment(item) {
        const date = new Date(item.datetime);
        return this.forecast.type === "hourly"
            ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
            : date.toLocaleDateString([], { weekday: "short", day: "numeric" });
    }
}

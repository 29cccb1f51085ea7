/** The dashboard in a real browser: find an entity, search, open its history. */

import { registry } from "@web/core/registry";

const card = (entityId) => `.o_ha_card[data-entity-id='${entityId}']`;

registry.category("web_tour.tours").add("home_assistant_dashboard", {
    url: "/odoo/home-assistant",
    steps: () => [
        {
            content: "The seeded entities are shown in their area",
            trigger: `.o_ha_area:contains(Kitchen) ${card("light.kitchen")}`,
        },
        {
            content: "Search for the power sensor",
            trigger: ".o_ha_search",
            run: "edit power",
        },
        {
            content: "Only the sensor matches",
            trigger: `${card("sensor.power")}`,
            run() {
                if (document.querySelector(card("light.kitchen"))) {
                    throw new Error("the search did not hide the light");
                }
            },
        },
        {
            content: "Open the power sensor's history",
            trigger: `${card("sensor.power")} .o_ha_name`,
            run: "click",
        },
        {
            content: "The chart is drawn",
            trigger: ".o_ha_history canvas",
        },
        {
            content: "Switch to 7 days",
            trigger: ".o_ha_history button[data-range='7d']",
            run: "click",
        },
        {
            content: "The range is selected",
            trigger: ".o_ha_history button[data-range='7d'].btn-primary",
        },
    ],
});

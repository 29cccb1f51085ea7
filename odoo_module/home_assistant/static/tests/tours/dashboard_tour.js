/**
 * The dashboard in a real browser: find an entity, filter by floor and label, a live update
 * pushed by Home Assistant, a command and its pending state, a refused command, and a
 * history chart.
 *
 * Driven by TestDashboardTour (tests/test_dashboard.py), which points the instance at a fake
 * Home Assistant and leaves signed push batches in sessionStorage (live_pushes.js) for the steps
 * that play Home Assistant pushing: the browser POSTs them to the public push endpoint as
 * Home Assistant would, and the card must change through the bus only.
 */

import { registry } from "@web/core/registry";
import { assertNotReloaded, markPage, push } from "@home_assistant/../tests/tours/live_pushes";

const card = (entityId) => `.o_ha_card[data-entity-id='${entityId}']`;

registry.category("web_tour.tours").add("home_assistant_dashboard", {
    url: "/odoo/home-assistant",
    steps: () => [
        {
            content: "The seeded entities are shown in their area",
            trigger: `.o_ha_area:contains(Kitchen) ${card("light.kitchen")}`,
            run: markPage,
        },
        {
            content: "The instance's status is shown",
            trigger: ".o_ha_status .o_ha_connected",
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
            content: "Clear the search",
            trigger: ".o_ha_search",
            run: "clear",
        },
        {
            content: "Filter by the ground floor",
            trigger: ".o_ha_floor_filter",
            run: "selectByLabel Ground floor",
        },
        {
            content: "Only the light, in the kitchen on the ground floor, is shown",
            trigger: `${card("light.kitchen")}`,
            run() {
                if (document.querySelector(card("sensor.power"))) {
                    throw new Error("the floor filter did not hide the sensor without an area");
                }
            },
        },
        {
            content: "Back to all floors",
            trigger: ".o_ha_floor_filter",
            run: "selectByLabel All floors",
        },
        {
            content: "Filter by the Safe label",
            trigger: ".o_ha_label_filter",
            run: "selectByLabel Safe",
        },
        {
            content: "Only the labelled light is shown",
            trigger: `${card("light.kitchen")}`,
            run() {
                if (document.querySelector(card("button.refused"))) {
                    throw new Error("the label filter did not hide the unlabelled button");
                }
            },
        },
        {
            content: "Back to all labels",
            trigger: ".o_ha_label_filter",
            run: "selectByLabel All labels",
        },
        {
            content: "Home Assistant pushes a new power reading",
            trigger: `${card("sensor.power")} .o_ha_value:contains(201)`,
            run: () => push("reading"),
        },
        {
            content: "The card shows the reading, without a reload",
            trigger: `${card("sensor.power")} .o_ha_value:contains(251.5)`,
            run: assertNotReloaded,
        },
        {
            content: "Turn the kitchen light on",
            trigger: `${card("light.kitchen")}:not(.o_ha_on) .o_ha_toggle`,
            run: "click",
        },
        {
            // Home Assistant accepted the command: the card still shows it pending, and only
            // the pushed state may end that. Push it now.
            content: "The command left; the card waits for Home Assistant's state",
            trigger: `${card("light.kitchen")}.o_ha_pending.o_ha_on .o_ha_spinner.o_ha_sent`,
            run: () => push("light_on"),
        },
        {
            content: "The pushed state settles the card",
            trigger: `${card("light.kitchen")}.o_ha_on:not(.o_ha_pending) .o_ha_value:contains(On)`,
            run: assertNotReloaded,
        },
        {
            content: "Press a button whose service Home Assistant does not allow",
            trigger: `${card("button.refused")} .o_ha_press`,
            run: "click",
        },
        {
            content: "The refusal is shown on the card, which is no longer pending",
            trigger: `${card("button.refused")}:not(.o_ha_pending) .o_ha_error:contains(does not allow Odoo to call button.press)`,
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
        {
            content: "Switch to 365 days",
            trigger: ".o_ha_history button[data-range='365d']",
            run: "click",
        },
        {
            content: "A year is charted from the rollups: the day's readings are there",
            trigger: ".o_ha_history:has(button[data-range='365d'].btn-primary):not(:has(.o_ha_history_empty)) canvas",
        },
    ],
});

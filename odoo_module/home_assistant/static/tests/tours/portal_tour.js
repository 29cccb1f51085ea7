/**
 * The portal page of shared entities in a real browser, as a portal user: a state pushed by
 * Home Assistant arrives over the bus, a toggle goes to Home Assistant through the share,
 * and Home Assistant's new state comes back; a sensor has no control.
 *
 * Driven by TestPortalTour (tests/test_portal.py), against a fake Home Assistant.
 */

import { registry } from "@web/core/registry";
import { assertNotReloaded, markPage, push } from "@home_assistant/../tests/tours/live_pushes";

const row = (entityId) => `.o_ha_portal[data-live] .o_ha_portal_entity[data-entity-id='${entityId}']`;

function assertState(entityId, expected) {
    const state = document.querySelector(`${row(entityId)} .o_ha_portal_state`).textContent.trim();
    if (state !== expected) {
        throw new Error(`${entityId} shows ${state}, not ${expected}`);
    }
}

registry.category("web_tour.tours").add("home_assistant_portal", {
    url: "/my/home-assistant",
    steps: () => [
        {
            content: "The shared light is shown, off",
            trigger: `${row("light.flat")} .o_ha_portal_control`,
            run() {
                assertState("light.flat", "off");
                markPage();
            },
        },
        {
            content: "The sensor is shown, without a control (sensors offer none)",
            trigger: `${row("sensor.flat")} .o_ha_portal_state:contains(21.5 °C)`,
            run() {
                if (document.querySelector(`${row("sensor.flat")} .o_ha_portal_control`)) {
                    throw new Error("a view-only share shows a control");
                }
            },
        },
        {
            content: "Home Assistant pushes the light on",
            trigger: row("light.flat"),
            run: () => push("light_on"),
        },
        {
            content: "The light shows on, over the bus",
            trigger: `${row("light.flat")} .o_ha_portal_state:contains(on)`,
            run() {
                assertState("light.flat", "on");
                assertNotReloaded();
            },
        },
        {
            content: "Toggle the light",
            trigger: `${row("light.flat")} .o_ha_portal_control`,
            run: "click",
        },
        {
            content: "Home Assistant accepted the toggle",
            trigger: `${row("light.flat")}[data-last-call='ok']`,
        },
        {
            content: "Home Assistant pushes the light off",
            trigger: row("light.flat"),
            run: () => push("light_off"),
        },
        {
            content: "The light shows off again",
            trigger: `${row("light.flat")} .o_ha_portal_state:contains(off)`,
            run() {
                assertState("light.flat", "off");
                assertNotReloaded();
            },
        },
    ],
});

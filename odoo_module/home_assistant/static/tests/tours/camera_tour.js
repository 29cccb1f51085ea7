/**
 * A camera's still in a real browser: on its dashboard card, refreshed, and on its form.
 * The page never holds a camera token or Home Assistant's camera proxy address.
 *
 * Driven by TestCameraTour (tests/test_camera.py), against a fake Home Assistant whose
 * camera answers a 1 by 1 PNG; the test opens the camera's form for the second tour.
 */

import { registry } from "@web/core/registry";

const card = ".o_ha_card[data-entity-id='camera.front_door']";
const still = ".o_ha_camera_still[src^='data:image/png;base64,']";

// The camera's `access_token` in the state the test pushed (TOKEN in tests/test_camera.py).
const TOKEN = "5f2c0ffee5f2c0ffee5f2c0ffee5f2c0ffee";

function assertNoHomeAssistantAddress() {
    const page = document.documentElement.outerHTML;
    for (const forbidden of [TOKEN, "token=", "camera_proxy"]) {
        if (page.includes(forbidden)) {
            throw new Error(`the page holds ${forbidden}`);
        }
    }
}

registry.category("web_tour.tours").add("home_assistant_camera", {
    url: "/odoo/home-assistant",
    steps: () => [
        {
            content: "The camera's card fetches and shows its still",
            trigger: `${card} ${still}`,
            run: assertNoHomeAssistantAddress,
        },
        {
            content: "Fetch a new still",
            trigger: `${card} .o_ha_camera_refresh:not([disabled])`,
            run: "click",
        },
        {
            content: "The new still is shown once Home Assistant answered",
            trigger: `${card} .o_ha_camera_refresh:not([disabled]) .fa-refresh:not(.fa-spin)`,
            run: assertNoHomeAssistantAddress,
        },
    ],
});

registry.category("web_tour.tours").add("home_assistant_camera_form", {
    steps: () => [
        {
            content: "The camera's form shows its still",
            trigger: `.o_form_view .o_ha_camera ${still}`,
            run: assertNoHomeAssistantAddress,
        },
    ],
});

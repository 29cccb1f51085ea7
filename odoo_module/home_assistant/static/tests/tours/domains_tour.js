/**
 * The alarm panel and the todo list in a real browser: arm and disarm with a code typed in
 * the code dialog, then a todo list's items listed, one added, completed and another removed.
 *
 * Driven by TestDomainsTour (tests/test_domains_tour.py), which points the instance at a
 * fake Home Assistant that plays the todo list's services and answers get_items, and leaves
 * the panel's new states as signed pushes for the browser to post (see dashboard_tour.js).
 */

import { registry } from "@web/core/registry";
import { push } from "./live_pushes";

// The test checks that Home Assistant received this code and that Odoo kept it nowhere.
const CODE = "4711";
const card = (entityId) => `.o_ha_card[data-entity-id='${entityId}']`;
const alarm = card("alarm_control_panel.house");
const todo = card("todo.shopping");
const item = (summary) => `${todo} .o_ha_todo_item[data-summary='${summary}']`;

function typeTheCode(content) {
    return [
        {
            content,
            trigger: ".modal .o_ha_alarm_code",
            run: `edit ${CODE}`,
        },
        {
            content: "Send the code",
            trigger: ".modal .o_ha_alarm_code_send",
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("home_assistant_domains", {
    url: "/odoo/home-assistant",
    steps: () => [
        {
            // Until the bus is connected its catch-up may replace a card's pending state.
            content: "Home Assistant pushes the todo list's count",
            trigger: `${todo} .o_ha_value:contains(1)`,
            run: () => push("count"),
        },
        {
            content: "The count arrives over the bus: the dashboard is live",
            trigger: `${todo} .o_ha_value:contains(2)`,
        },
        {
            content: "The disarmed panel offers the modes it supports",
            trigger: `${alarm} .o_ha_value:contains(Disarmed)`,
        },
        {
            content: "Arm away",
            trigger: `${alarm} .o_ha_alarm_arm[data-service='alarm_arm_away']`,
            run: "click",
        },
        ...typeTheCode("The panel needs a code to arm: type it"),
        {
            content: "The command left; Home Assistant pushes the armed panel",
            trigger: `${alarm}.o_ha_pending .o_ha_spinner.o_ha_sent`,
            run: () => push("armed"),
        },
        {
            content: "The dialog is gone and with it the code",
            trigger: `${alarm}:not(.o_ha_pending) .o_ha_value:contains(Armed away)`,
            run() {
                if (document.querySelector(".o_ha_alarm_code")) {
                    throw new Error("the code dialog stayed open");
                }
            },
        },
        {
            content: "Disarm",
            trigger: `${alarm} .o_ha_alarm_disarm`,
            run: "click",
        },
        ...typeTheCode("Disarming needs the code too"),
        {
            content: "The command left; Home Assistant pushes the disarmed panel",
            trigger: `${alarm}.o_ha_pending .o_ha_spinner.o_ha_sent`,
            run: () => push("disarmed"),
        },
        {
            content: "The card shows the panel disarmed",
            trigger: `${alarm}:not(.o_ha_pending) .o_ha_value:contains(Disarmed)`,
        },
        {
            content: "The todo list shows its items, asked from Home Assistant",
            trigger: item("Bread"),
        },
        {
            content: "Type a new item",
            trigger: `${todo} .o_ha_todo_new`,
            run: "edit Milk",
        },
        {
            content: "Add it",
            trigger: `${todo} .o_ha_todo_add`,
            run: "click",
        },
        {
            content: "Complete the new item",
            trigger: `${item("Milk")}:not(.o_ha_todo_done) .o_ha_todo_check`,
            run: "click",
        },
        {
            content: "Home Assistant's list shows it completed",
            trigger: `${item("Milk")}.o_ha_todo_done`,
        },
        {
            content: "Remove the bread",
            trigger: `${item("Bread")} .o_ha_todo_remove`,
            run: "click",
        },
        {
            content: "Only the milk is left",
            trigger: `${todo} .o_ha_todo:not(:has([data-summary='Bread'])) [data-summary='Milk']`,
        },
    ],
});

registry.category("web_tour.tours").add("home_assistant_entity_form_alarm", {
    steps: () => [
        {
            content: "The entity form shows the panel's controls",
            trigger: ".o_ha_entity_controls .o_ha_alarm_arm[data-service='alarm_arm_home']",
            run: "click",
        },
        ...typeTheCode("The form asks for the code as the dashboard does"),
        {
            content: "The code dialog closed once the command left",
            trigger: ".o_ha_entity_controls .o_ha_alarm:not(:has(.o_ha_error))",
            run() {
                if (document.querySelector(".modal .o_ha_alarm_code")) {
                    throw new Error("the code dialog stayed open");
                }
            },
        },
    ],
});

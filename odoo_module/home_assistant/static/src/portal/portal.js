/**
 * The page of entities shared with a portal user (/my/home-assistant): live states and
 * the controls of the shares that allow them.
 *
 * A service rather than a widget: the public root starts services once the page is ready
 * on both series (18.0's publicWidget and 19.0's Interaction would differ). The server
 * subscribes the user's websocket to the channels of their valid shares and checks them
 * again for every message and every command; the page only shows what it is sent.
 */

import { registry } from "@web/core/registry";
import { rpc } from "@web/core/network/rpc";

export const NOTIFICATION_TYPE = "home_assistant/share";
export const CALL_URL = "/my/home-assistant/call";

/** Show the new states of a share's entities. */
function showStates(page, shareId, entities) {
    const share = page.querySelector(`.o_ha_portal_share[data-share-id='${shareId}']`);
    if (!share) {
        return;
    }
    for (const row of entities) {
        const item = share.querySelector(`.o_ha_portal_entity[data-id='${row.id}']`);
        const badge = item?.querySelector(".o_ha_portal_state");
        if (badge) {
            const unit = badge.dataset.unit;
            badge.textContent = [row.state ?? "", unit].filter(Boolean).join(" ");
            item.classList.toggle("text-muted", !row.available);
        }
    }
}

/** Call the control's service through the share; show Home Assistant's refusal, if any. */
async function control(button) {
    const share = button.closest(".o_ha_portal_share");
    const item = button.closest(".o_ha_portal_entity");
    const error = share.querySelector(".o_ha_portal_error");
    error.classList.add("d-none");
    button.disabled = true;
    delete item.dataset.lastCall;
    try {
        await rpc(
            CALL_URL,
            {
                share_id: Number(share.dataset.shareId),
                entity_id: Number(item.dataset.id),
                service: button.dataset.service,
            },
            { silent: true }
        );
        item.dataset.lastCall = "ok";
    } catch (failure) {
        item.dataset.lastCall = "error";
        error.textContent = failure.data?.message || failure.message;
        error.classList.remove("d-none");
    } finally {
        button.disabled = false;
    }
}

export const homeAssistantPortalService = {
    dependencies: ["bus_service"],
    start(env, { bus_service: bus }) {
        const page = document.querySelector(".o_ha_portal");
        if (!page) {
            return;
        }
        bus.subscribe(NOTIFICATION_TYPE, ({ share_id, entities }) =>
            showStates(page, share_id, entities)
        );
        bus.start();
        page.addEventListener("click", (event) => {
            const button = event.target.closest(".o_ha_portal_control");
            if (button) {
                control(button);
            }
        });
        page.dataset.live = "1"; // the tours wait for it
    },
};

registry.category("services").add("home_assistant_portal", homeAssistantPortalService);

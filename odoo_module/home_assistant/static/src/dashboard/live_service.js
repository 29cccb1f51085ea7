/** The one place the web client listens to Home Assistant's live states on the bus. */

import { registry } from "@web/core/registry";
import { BUS_RECONNECT_EVENT } from "./compat";

export const LIVE_NOTIFICATION = "home_assistant/entities";

export const homeAssistantLiveService = {
    dependencies: ["bus_service"],

    start(env, { bus_service: bus }) {
        const updateListeners = new Set();
        const reconnectListeners = new Set();
        let subscribed = false;

        /** Subscribe on first use only: users who never open the dashboard pay nothing. */
        function ensureSubscribed() {
            if (subscribed) {
                return;
            }
            subscribed = true;
            // The server subscribes each websocket to the channels of the instances its
            // user may read (ir.websocket), so there is no channel to add here.
            bus.subscribe(LIVE_NOTIFICATION, (payload) => {
                for (const listener of updateListeners) {
                    listener(payload);
                }
            });
            bus.addEventListener(BUS_RECONNECT_EVENT, () => {
                for (const listener of reconnectListeners) {
                    listener();
                }
            });
            bus.start();
        }

        return {
            /**
             * Call `onUpdate({instance_id, entities})` for every batch pushed and
             * `onReconnect()` when the bus came back after missing messages.
             * Returns the function that stops listening.
             */
            listen({ onUpdate, onReconnect }) {
                ensureSubscribed();
                updateListeners.add(onUpdate);
                reconnectListeners.add(onReconnect);
                return () => {
                    updateListeners.delete(onUpdate);
                    reconnectListeners.delete(onReconnect);
                };
            },
        };
    },
};

registry.category("services").add("home_assistant.live", homeAssistantLiveService);

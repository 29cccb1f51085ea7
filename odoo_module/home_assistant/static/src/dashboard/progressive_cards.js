/** Progressive rendering: a screenful of cards first, then the rest in chunks, per task. */

import { onMounted, onPatched, onWillUnmount, useState } from "@odoo/owl";

// For the height an off-screen group is given before it is first drawn (dashboard.scss):
// roughly a card's width with its gap, a row of cards' height and a group heading's.
const CARD_WIDTH_PX = 232;
export const CARD_ROW_PX = 124;
export const GROUP_HEADING_PX = 36;
// Once the first screen is painted, this many more cards are rendered per task until all
// are: the first screen shows without waiting for 2 000 cards.
const CARDS_PER_CHUNK = 1000;

/** How many cards a row of the window holds, about (its padding taken off). */
export function cardColumns() {
    return Math.max(1, Math.floor((window.innerWidth - 24) / CARD_WIDTH_PX));
}

/** About how many cards fill the window (twice over, to be safe), rendered first. */
function firstScreenCards() {
    return 2 * cardColumns() * Math.ceil(window.innerHeight / CARD_ROW_PX);
}

/**
 * Raise `budget` (how many cards to render) after each render until it covers `total()`
 * cards: after a frame for the first screen, then a chunk per task. `restart()` goes back
 * to a screenful, for a new set of cards.
 */
export function useProgressiveCards(total) {
    const state = useState({ budget: firstScreenCards() });
    let frame = null;
    let timer = null;

    function renderMore() {
        if (frame || timer || state.budget >= total()) {
            return;
        }
        const more = () => {
            timer = setTimeout(() => {
                frame = timer = null;
                state.budget += CARDS_PER_CHUNK;
            });
        };
        if (state.budget > firstScreenCards()) {
            more();
        } else {
            frame = requestAnimationFrame(more);
        }
    }

    onMounted(renderMore);
    onPatched(renderMore);
    onWillUnmount(() => {
        clearTimeout(timer);
        cancelAnimationFrame(frame);
    });
    return {
        get budget() {
            return state.budget;
        },
        restart() {
            state.budget = firstScreenCards();
        },
    };
}

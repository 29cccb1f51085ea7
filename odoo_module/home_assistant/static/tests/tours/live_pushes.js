/**
 * What the live tours share: the signed pushes the test prepared, POSTed by the browser
 * like Home Assistant pushing them (see tests/live_tour.py), and a check that a change
 * arrived over the bus rather than by reloading the page.
 */

const PUSHES_KEY = "home_assistant_tour_pushes";
// A property of the page's window: gone if anything reloaded the page during the tour.
const PAGE_MARK = "homeAssistantTourPage";

/** POST the signed batch the test prepared under `name`, like Home Assistant pushing it. */
export async function push(name) {
    const pushes = JSON.parse(sessionStorage.getItem(PUSHES_KEY) || "{}");
    if (!pushes[name]) {
        throw new Error(`the test prepared no push named ${name}`);
    }
    const { url, headers, body } = pushes[name];
    const response = await fetch(url, { method: "POST", headers, body });
    if (!response.ok) {
        throw new Error(`the push ${name} was answered ${response.status}: ${await response.text()}`);
    }
}

/** Mark the page, for `assertNotReloaded`. */
export function markPage() {
    window[PAGE_MARK] = true;
}

export function assertNotReloaded() {
    if (!window[PAGE_MARK]) {
        throw new Error("the page was reloaded: the update must arrive over the bus");
    }
}

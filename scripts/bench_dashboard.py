"""Dashboard benchmark: first paint of 2 000 cards and live updates, in real headless Chromium.

    scripts/odoo-env.sh python scripts/bench_dashboard.py [--entities 2000 --repeat 5 --updates 10]

A real Odoo 18 server with the addon (scripts/stack.py) holds a paired instance with
`--entities` entities in several areas and domains, with 24 hours of history; the pushes
are signed batches posted to the real push endpoint, as Home Assistant sends them (no
`hass` needed). A user who may see only that instance opens `/odoo/home-assistant` in
headless Chromium, driven through the DevTools protocol (scripts/browser.py).

What is measured, all with the page's own clock (`performance.now()`, whose zero is the
navigation start of `/odoo/home-assistant`):

first screen     navigation start → the first card in the DOM (the dashboard renders about
                 a screenful of cards first, the rest in chunks), and → the next frame.
first paint      navigation start → the moment a MutationObserver (installed before any of
                 the page's scripts runs) sees all the cards (`.o_ha_card`) in the DOM; and
                 → the end of the next frame after that (requestAnimationFrame, then a
                 task), i.e. the cards laid out and painted. Two unmeasured loads first, so
                 the asset bundles are built, in the browser's cache and compiled code in
                 V8's cache, as for a user who has opened Odoo before.
live update      one signed push of one sensor's new state → that card's value text shows
                 it. Inside the page: the bus service dispatching the
                 `home_assistant/entities` message to its subscribers (a hook on
                 `EventTarget.prototype.dispatchEvent`, ahead of the dashboard's own
                 subscriber) → the MutationObserver on that card seeing the new text, and
                 → the next frame. End to end: Python just before the POST → card updated
                 (the two monotonic clocks are matched by a round trip before each push,
                 error ≤ half its ~1 ms).

`measure_dashboard(odoo)` returns the figures as a dict, for scripts/bench.py.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from browser import Browser
from stack import CACHE_DIR, USER_GROUPS_FIELD, OdooServer, pair_synthetic_instance

BUDGET_FIRST_PAINT_MS = 2000
BUDGET_LIVE_UPDATE_MS = 100
VIEWER_LOGIN = "dashboard-viewer"
VIEWER_PASSWORD = "dashboard-viewer"  # a throw-away user of a throw-away database
BATCH_EVENTS = 1000


@dataclass
class EntitySpec:
    """One entity to create: its id, name, area and how its state evolves."""

    entity_id: str
    name: str
    area_id: str | None
    state: Callable[[float], str]  # hours ago → state
    attributes: dict[str, Any] = field(default_factory=dict)
    history_hours: Iterable[float] = ()

    @property
    def domain(self) -> str:
        """The entity's domain (the part before the dot)."""
        return self.entity_id.split(".", 1)[0]


def iso(moment: datetime) -> str:
    """An ISO 8601 timestamp with microseconds and UTC offset, as HA writes them."""
    return moment.isoformat(timespec="microseconds")


def state_event(spec: EntitySpec, moment: datetime, state: str) -> dict[str, Any]:
    """A protocol state event of `spec` at `moment`."""
    return {
        "t": "state",
        "entity_id": spec.entity_id,
        "state": state,
        "attributes": {"friendly_name": spec.name, **spec.attributes},
        "last_changed": iso(moment),
        "last_updated": iso(moment),
        "context_id": uuid.uuid4().hex,
    }


def seed_events(
    areas: dict[str, str], specs: list[EntitySpec], now: datetime
) -> list[dict[str, Any]]:
    """Areas, entity registry entries, then history oldest first, then current states."""
    events: list[dict[str, Any]] = [
        {"t": "area", "area_id": area_id, "name": name, "removed": False}
        for area_id, name in areas.items()
    ]
    events += [
        {
            "t": "entity",
            "entity_id": spec.entity_id,
            "name": spec.name,
            "device_id": None,
            "area_id": spec.area_id,
            "platform": "bench",
            "entity_category": None,
            "disabled": False,
            "removed": False,
        }
        for spec in specs
    ]
    history = [(hours, spec) for spec in specs for hours in spec.history_hours if hours > 0]
    history.sort(key=lambda item: -item[0])
    events += [
        state_event(spec, now - timedelta(hours=hours), spec.state(hours))
        for hours, spec in history
    ]
    events += [state_event(spec, now, spec.state(0)) for spec in specs]
    return events


def push_all(pusher: Any, events: list[dict[str, Any]]) -> None:
    """Push `events` in protocol-sized batches."""
    for offset in range(0, len(events), BATCH_EVENTS):
        pusher.push(events[offset : offset + BATCH_EVENTS])


BENCH_AREAS = {
    f"area_{index}": name
    for index, name in enumerate(
        [
            "Kitchen",
            "Living room",
            "Office",
            "Warehouse",
            "Laboratory",
            "Server room",
            "Lobby",
            "Garage",
        ]
    )
}


def bench_specs(count: int, seed: int = 5) -> list[EntitySpec]:
    """`count` entities over the bench areas (a tenth without area) and eleven domains.

    Sensors (45 %) have a reading every hour for the last 24 hours, so their sparklines
    draw; on/off entities changed every 6 hours.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    mix = [
        ("sensor", 45),
        ("binary_sensor", 14),
        ("light", 14),
        ("switch", 10),
        ("cover", 4),
        ("climate", 3),
        ("fan", 2),
        ("lock", 2),
        ("media_player", 2),
        ("select", 2),
        ("number", 2),
    ]
    total = sum(weight for _, weight in mix)
    domains = [domain for domain, weight in mix for _ in range(round(count * weight / total))]
    domains = (domains + ["sensor"] * count)[:count]
    area_ids = [*BENCH_AREAS, None]
    specs = []
    for index, domain in enumerate(domains):
        area_id = area_ids[index % len(area_ids)] if index % 10 else None
        place = BENCH_AREAS.get(area_id or "", "Outside")
        specs.append(_bench_spec(domain, index, place, area_id, rng))
    return specs


SENSOR_KINDS = (("°C", "temperature", 21.0), ("%", "humidity", 45.0), ("W", "power", 300.0))
# domain → (word in the name, state, attributes); the state is a function of
# (index, hours ago) so history and current state agree.
OTHER_DOMAINS: dict[str, tuple[str, Callable[[int, float], str], dict[str, Any]]] = {
    "binary_sensor": ("motion", lambda i, h: _on_off(i, h), {"device_class": "motion"}),
    "light": (
        "light",
        lambda i, h: _on_off(i, h),
        {"brightness": 180, "supported_color_modes": ["brightness"], "color_mode": "brightness"},
    ),
    "switch": ("socket", lambda i, h: _on_off(i, h), {}),
    "cover": (
        "blind",
        lambda i, h: "open" if i % 2 else "closed",
        {"current_position": 100, "device_class": "blind"},
    ),
    "climate": (
        "thermostat",
        lambda i, h: "heat",
        {
            "hvac_modes": ["off", "heat", "cool", "auto"],
            "temperature": 21.5,
            "current_temperature": 20.8,
            "target_temp_step": 0.5,
        },
    ),
    "fan": ("fan", lambda i, h: _on_off(i, h), {"percentage": 50, "percentage_step": 25}),
    "lock": ("door lock", lambda i, h: "locked", {}),
    "media_player": (
        "speaker",
        lambda i, h: "playing",
        {"volume_level": 0.3, "media_title": "Morning news"},
    ),
    "select": ("mode", lambda i, h: "eco", {"options": ["eco", "comfort", "away"]}),
    "number": (
        "setpoint",
        lambda i, h: "55.0",
        {"min": 30, "max": 80, "step": 0.5, "unit_of_measurement": "°C"},
    ),
}


def _on_off(index: int, hours: float) -> str:
    return "on" if (int(hours / 6) + index) % 2 else "off"


def _bench_spec(
    domain: str, index: int, place: str, area_id: str | None, rng: random.Random
) -> EntitySpec:
    entity_id = f"{domain}.bench_{index}"
    if domain == "sensor":
        unit, device_class, base = SENSOR_KINDS[index % len(SENSOR_KINDS)]
        phase = rng.uniform(0, 2 * math.pi)
        return EntitySpec(
            entity_id,
            f"{place} {device_class} {index}",
            area_id,
            lambda hours: f"{base * (1 + 0.1 * math.sin(phase + hours / 4)):.2f}",
            {"unit_of_measurement": unit, "device_class": device_class},
            range(1, 25),
        )
    word, state, attributes = OTHER_DOMAINS[domain]
    return EntitySpec(
        entity_id,
        f"{place} {word} {index}",
        area_id,
        lambda hours: state(index, hours),
        attributes,
        (6, 12, 18, 24) if state(index, 0) in ("on", "off") else (),
    )


def create_viewer(odoo: OdooServer, instance_id: int, login: str = VIEWER_LOGIN) -> None:
    """A *Home Assistant / User* allowed on `instance_id` only (record rules decide)."""
    client = odoo.rpc()
    group = client.env.ref("home_assistant.group_home_assistant_user")
    users = client.env["res.users"]
    existing = users.search([("login", "=", login)])
    if existing:
        user_id = existing[0]
    else:
        user_id = users.create(
            {
                "name": "Dashboard viewer",
                "login": login,
                "password": VIEWER_PASSWORD,
                USER_GROUPS_FIELD: [(4, group.id)],
            }
        )
    client.env["ha.instance"].browse(instance_id).write({"user_ids": [(4, user_id)]})


# Installed with Page.addScriptToEvaluateOnNewDocument: runs in every new document of the
# page before any of its own scripts.
PAGE_PROBE = """
(() => {
    const probe = (window.__haBench = {
        cards: %(cards)d, sparklines: %(sparklines)d,
        firstCardAt: null, firstCardFrameAt: null,
        cardsAt: null, cardsFrameAt: null, sparklinesAt: null, bus: [],
    });
    const cards = document.getElementsByClassName("o_ha_card");
    const sparklines = document.getElementsByClassName("o_ha_sparkline");
    // The end of the next frame: its task runs once the frame was laid out and painted.
    const afterNextFrame = (stamp) => requestAnimationFrame(() => setTimeout(stamp));
    const observer = new MutationObserver(() => {
        const now = performance.now();
        if (probe.firstCardAt === null && cards.length > 0) {
            probe.firstCardAt = now;
            afterNextFrame(() => (probe.firstCardFrameAt = performance.now()));
        }
        if (probe.cardsAt === null && cards.length >= probe.cards) {
            probe.cardsAt = now;
            afterNextFrame(() => (probe.cardsFrameAt = performance.now()));
        }
        if (probe.sparklinesAt === null && sparklines.length >= probe.sparklines) {
            probe.sparklinesAt = now;
        }
        if (probe.cardsAt !== null && probe.sparklinesAt !== null) {
            observer.disconnect();
        }
    });
    observer.observe(document, { childList: true, subtree: true });
    performance.setResourceTimingBufferSize(2000);
    // The bus service hands each notification to its subscribers with EventBus.trigger,
    // i.e. dispatchEvent on an EventTarget: stamp our type before any subscriber runs.
    const dispatch = EventTarget.prototype.dispatchEvent;
    EventTarget.prototype.dispatchEvent = function (event) {
        if (event.type === "home_assistant/entities") {
            const payload = event.detail && event.detail.payload;
            probe.bus.push({ at: performance.now(), payload });
        }
        return dispatch.call(this, event);
    };
})();
"""

# Resolves with the page's figures of one first paint; sparklines are waited for at most
# 20 s after the cards, the cards at most 90 s (then `failed` says what the page holds).
FIRST_PAINT_FIGURES = """
new Promise((resolve) => {
    const probe = window.__haBench;
    const done = (failed) => {
        const navigation = performance.getEntriesByType("navigation")[0];
        const rpc = (method) => performance.getEntriesByType("resource")
            .filter((entry) => entry.name.includes("/web/dataset/call_kw/ha.dashboard/" + method));
        const load = rpc("load")[0];
        resolve({
            failed,
            card_count: document.getElementsByClassName("o_ha_card").length,
            first_card: probe.firstCardAt,
            first_card_frame: probe.firstCardFrameAt,
            cards: probe.cardsAt,
            frame: probe.cardsFrameAt,
            sparklines: probe.sparklinesAt,
            html: navigation.responseEnd,
            dom_content_loaded: navigation.domContentLoadedEventEnd,
            load_rpc_start: load ? load.startTime : null,
            load_rpc_end: load ? load.responseEnd : null,
            load_rpc_bytes: load ? load.encodedBodySize : null,
        });
    };
    const wait = () => {
        const now = performance.now();
        if (probe.cardsFrameAt === null) {
            return now > 90000 ? done(true) : setTimeout(wait, 20);
        }
        if (probe.sparklinesAt === null && now - probe.cardsFrameAt < 20000) {
            return setTimeout(wait, 20);
        }
        done(false);
    };
    wait();
})
"""

# Arms a watcher on one card: resolves when its value shows `expected` (or null after 10 s).
WATCH_CARD = """
(() => {
    const probe = window.__haBench;
    const card = document.querySelector('.o_ha_card[data-entity-id="%(entity_id)s"]');
    const value = () => (card.querySelector(".o_ha_value") || {}).textContent?.trim();
    const busFrom = probe.bus.length;
    probe.watch = new Promise((resolve) => {
        const finish = (result) => { observer.disconnect(); clearTimeout(timer); resolve(result); };
        const observer = new MutationObserver(() => {
            if (value() === %(expected)s) {
                const at = performance.now();
                observer.disconnect();
                requestAnimationFrame(() => setTimeout(() => finish({
                    updated: at,
                    frame: performance.now(),
                    bus: probe.bus.slice(busFrom).map((message) => ({
                        at: message.at,
                        states: (message.payload.entities || [])
                            .map((row) => [row.entity_id, row.state]),
                    })),
                })));
            }
        });
        observer.observe(card, { childList: true, subtree: true, characterData: true });
        const timer = setTimeout(() => finish(null), 10000);
    });
    return Boolean(card);
})()
"""


def summary(values: list[float | None]) -> dict[str, Any]:
    """Median, max and the samples (ms, rounded); figures never reached are left out."""
    values = [value for value in values if value is not None]
    if not values:
        return {}
    return {
        "median": round(statistics.median(values), 1),
        "max": round(max(values), 1),
        "samples": [round(value, 1) for value in values],
    }


def measure_first_paint(browser: Browser, url: str) -> dict[str, float]:
    """Open the dashboard once; the page's figures (ms since navigation start)."""
    browser.navigate(url)
    figures = dict(browser.evaluate(FIRST_PAINT_FIGURES, timeout=120))
    if figures["failed"]:
        errors = "\n".join(browser.page_errors()[:3]) or "none"
        raise RuntimeError(
            f"the dashboard showed only {figures['card_count']} cards after 90 s;"
            f" page errors: {errors}"
        )
    return figures


def measure_live_update(
    browser: Browser, pusher: Any, spec: EntitySpec, state: str
) -> dict[str, float]:
    """Push one new state of `spec` and time it into its card (ms)."""
    armed = browser.evaluate(
        WATCH_CARD % {"entity_id": spec.entity_id, "expected": json.dumps(state)}
    )
    if not armed:
        raise RuntimeError(f"no card for {spec.entity_id} on the dashboard")
    # Match Python's monotonic clock to the page's: page time = python time + offset.
    before = time.perf_counter()
    page_now = browser.evaluate("performance.now()")
    after = time.perf_counter()
    offset = page_now - (before + after) / 2 * 1000
    event = state_event(spec, datetime.now(UTC), state)
    posted = time.perf_counter() * 1000 + offset
    pusher.push([event])
    answered = time.perf_counter() * 1000 + offset
    result = browser.evaluate("window.__haBench.watch", timeout=15)
    if result is None:
        raise RuntimeError(f"the card of {spec.entity_id} never showed {state}")
    arrivals = [
        message["at"] for message in result["bus"] if [spec.entity_id, state] in message["states"]
    ]
    if not arrivals:
        raise RuntimeError(f"the card of {spec.entity_id} changed without its bus message")
    bus = arrivals[0]
    return {
        "bus_to_card": result["updated"] - bus,
        "bus_to_frame": result["frame"] - bus,
        "post_to_card": result["updated"] - posted,
        "post_to_answer": answered - posted,
        "post_to_bus": bus - posted,
        "clock_match_error": (after - before) * 1000 / 2,
    }


def measure_dashboard(
    odoo: OdooServer,
    entities: int = 2000,
    repeat: int = 5,
    updates: int = 10,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Seed a paired instance with `entities` entities on the running `odoo`, open its
    dashboard `repeat` times in headless Chromium and push `updates` live changes per load.

    Returns {"entities", "repeat", "updates", "first_screen_ms", "first_paint_ms",
    "first_frame_ms",
    "html_ms", "load_rpc_ms", "sparklines_ms", "live_bus_to_card_ms",
    "live_bus_to_frame_ms", "push_answer_ms", "live_post_to_bus_ms",
    "live_post_to_card_ms", "warm_up_ms", "page_errors"}: each "…_ms" figure is
    {"median", "max", "samples"} in milliseconds, except "warm_up_ms" (the two unmeasured
    loads, a list). Leaves the instance "Dashboard benchmark" and a user
    `dashboard-viewer` (allowed on that instance only) behind in the database.
    """
    from bench import SignedPusher  # noqa: PLC0415 - bench.py imports this module

    say = progress or (lambda message: None)
    instance = pair_synthetic_instance(odoo, "Dashboard benchmark")
    pusher = SignedPusher(instance["push_url"], instance["secret"], odoo.database)
    specs = bench_specs(entities)
    began = time.monotonic()
    push_all(pusher, seed_events(BENCH_AREAS, specs, datetime.now(UTC) - timedelta(seconds=5)))
    say(f"seeded {entities} entities with history in {time.monotonic() - began:.1f} s")
    create_viewer(odoo, instance["instance_id"])
    sensors = [spec for spec in specs if spec.domain == "sensor"]
    probe = PAGE_PROBE % {"cards": entities, "sparklines": len(sensors)}
    url = f"{odoo.url}/odoo/home-assistant"
    figures: dict[str, list[float | None]] = {}
    rng = random.Random(7)  # noqa: S311 - reproducible choices, not secrets
    with Browser(1440, 900) as browser:
        browser.send("Page.addScriptToEvaluateOnNewDocument", {"source": probe})
        browser.login(odoo.url, odoo.database, VIEWER_LOGIN, VIEWER_PASSWORD)
        # Unmeasured: the first load builds the asset bundles on the server and fills the
        # HTTP cache, the second lets Chromium cache the compiled code (V8's code cache is
        # written once a script is seen again), as for anyone who used Odoo before.
        warm_up = [measure_first_paint(browser, url)["cards"] for _ in range(2)]
        say(f"warm-up loads (not counted): {warm_up[0]:.0f} ms, {warm_up[1]:.0f} ms")
        for run in range(repeat):
            page = measure_first_paint(browser, url)
            for key, value in (
                ("first_screen_ms", page["first_card_frame"]),
                ("first_paint_ms", page["cards"]),
                ("first_frame_ms", page["frame"]),
                ("sparklines_ms", page["sparklines"]),
                ("load_rpc_ms", (page["load_rpc_end"] or 0) - (page["load_rpc_start"] or 0)),
                ("html_ms", page["html"]),
            ):
                figures.setdefault(key, []).append(value)
            # The bus worker must be connected before a push, or its message comes late
            # through the reconnect catch-up instead.
            browser.wait_for(
                "odoo.__WOWL_DEBUG__.root.env.services.bus_service.workerState === 'CONNECTED'",
                30,
                "the bus connection",
            )
            time.sleep(0.5)
            for _ in range(updates):
                spec = rng.choice(sensors)
                state = f"{rng.uniform(10, 90):.2f}"
                live = measure_live_update(browser, pusher, spec, state)
                for key, value in (
                    ("live_bus_to_card_ms", live["bus_to_card"]),
                    ("live_bus_to_frame_ms", live["bus_to_frame"]),
                    ("live_post_to_card_ms", live["post_to_card"]),
                    ("push_answer_ms", live["post_to_answer"]),
                    ("live_post_to_bus_ms", live["post_to_bus"]),
                ):
                    figures.setdefault(key, []).append(value)
                time.sleep(0.3)
            say(
                f"load {run + 1}/{repeat}: cards {page['cards']:.0f} ms,"
                f" frame {page['frame']:.0f} ms; live bus → card median"
                f" {statistics.median(figures['live_bus_to_card_ms'][-updates:]):.1f} ms"
            )
        errors = browser.page_errors()
    return {
        "entities": entities,
        "repeat": repeat,
        "updates": updates,
        "warm_up_ms": [round(value, 1) for value in warm_up],
        **{key: summary(values) for key, values in figures.items()},
        "page_errors": errors,
    }


ROWS = (
    ("first_screen_ms", "first screen: navigation start → cards painted", BUDGET_FIRST_PAINT_MS),
    ("first_paint_ms", "first paint: navigation start → all cards in DOM", BUDGET_FIRST_PAINT_MS),
    ("first_frame_ms", "  … → next frame painted", BUDGET_FIRST_PAINT_MS),
    ("html_ms", "  of which the HTML page (responseEnd)", None),
    ("load_rpc_ms", "  ha.dashboard/load RPC (request → response end)", None),
    ("sparklines_ms", "navigation start → all sensor sparklines drawn", None),
    ("live_bus_to_card_ms", "live: bus message in page → card changed", BUDGET_LIVE_UPDATE_MS),
    ("live_bus_to_frame_ms", "  … → next frame painted", BUDGET_LIVE_UPDATE_MS),
    ("push_answer_ms", "live: push POST → Odoo's 200", None),
    ("live_post_to_bus_ms", "live: push POST → bus message in page", None),
    ("live_post_to_card_ms", "live: push POST → card value changed (end to end)", None),
)


def print_table(result: dict[str, Any]) -> None:
    """The figures as a small table."""
    print(
        f"\nDashboard, {result['entities']} entities; {result['repeat']} loads,"
        f" {result['repeat'] * result['updates']} live updates (warm-up loads, not counted:"
        f" {', '.join(f'{value:.0f}' for value in result['warm_up_ms'])} ms)"
    )
    print(f"  {'what':<58} {'median':>9} {'max':>9}   budget")
    for key, label, budget in ROWS:
        figure = result.get(key)
        if not figure:
            continue
        verdict = ""
        if budget is not None:
            verdict = f"≤ {budget} ms {'met' if figure['max'] <= budget else 'NOT met (max)'}"
            if figure["median"] > budget:
                verdict = f"≤ {budget} ms NOT met"
        print(f"  {label:<58} {figure['median']:>6.1f} ms {figure['max']:>6.1f} ms   {verdict}")
    if result["page_errors"]:
        print("  page errors:", *result["page_errors"][:5], sep="\n    ")


def main() -> None:
    """Start Odoo in a throw-away database, measure, print, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5, help="dashboard loads measured")
    parser.add_argument("--updates", type=int, default=10, help="live updates per load")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    load = os.getloadavg()
    print(
        f"Dashboard benchmark on {platform.node()}, {os.cpu_count()} cores,"
        f" load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f},"
        f" {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        flush=True,
    )
    work_dir = CACHE_DIR / "state" / "bench-dashboard"
    odoo = OdooServer(f"ha_bridge_dash_{uuid.uuid4().hex[:6]}", work_dir)
    print(f"installing the addon into {odoo.database}…", flush=True)
    odoo.install()
    try:
        odoo.start()
        try:
            result = measure_dashboard(
                odoo,
                args.entities,
                args.repeat,
                args.updates,
                progress=lambda message: print(f"  {message}", flush=True),
            )
        finally:
            odoo.stop()
    finally:
        odoo.drop()
    print_table(result)
    load = os.getloadavg()
    print(f"  load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.json:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

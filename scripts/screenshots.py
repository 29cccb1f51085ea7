"""Pictures of the Odoo side for the docs, taken in real headless Chromium.

    scripts/odoo-env.sh python scripts/screenshots.py [--out docs/images]     (make screenshots)

Starts a real Odoo 18 with the addon in a throw-away database, pairs a Home Assistant that
does not exist (a small HTTP server in this process answers its command webhook, as the
integration would) and pushes a realistic building through the signed push endpoint:
lights, switches, sensors with a week of history, climate, covers, a media player and a
lock in the Kitchen, the Living room and the Office. A few commands sent from Odoo fill
the command log. Then it saves PNGs of the dashboard (desktop and phone), a sensor's
history dialog, the alarm card asking for its code, the instance form and its System page,
a device's form, the command log, a server action of type "Home Assistant", the portal page
of entities shared with a tenant, and of the dashboard in dark mode when the Odoo tree has a
dark theme (Enterprise; Community 18 has none).
"""

from __future__ import annotations

import argparse
import http.server
import json
import math
import secrets
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import SignedPusher
from bench_dashboard import EntitySpec, push_all, seed_events
from browser import Browser
from stack import (
    CACHE_DIR,
    ODOO_ADMIN_LOGIN,
    ODOO_ADMIN_PASSWORD,
    REPO_ROOT,
    USER_GROUPS_FIELD,
    OdooServer,
    free_port,
)

# The portal user the pictured flat is shared with, and what is shared.
TENANT_LOGIN, TENANT_PASSWORD = "tenant", "tenant-portal-password"
SHARED_ENTITIES = (
    "light.living_room_lamp",
    "fan.ceiling_fan",
    "sensor.living_room_humidity",
    "sensor.outdoor_temperature",
)
AREAS = {"kitchen": "Kitchen", "living_room": "Living room", "office": "Office"}
# Palette size of the saved PNGs: flat UI colors survive quantization, files shrink 3-4x.
PNG_COLORS = 192


def _wave(base: float, amplitude: float, period_hours: float, phase: float = 0) -> Callable:
    """A reading that follows the day: base ± amplitude over `period_hours` (hours ago)."""

    def reading(hours: float) -> str:
        value = base + amplitude * math.sin(2 * math.pi * (phase - hours) / period_hours)
        value += 0.08 * amplitude * math.sin(hours * 2.3)  # a little noise
        return f"{value:.1f}"

    return reading


def _fixed(state: str) -> Callable[[float], str]:
    return lambda hours: state


def _switching(period_hours: float) -> Callable[[float], str]:
    return lambda hours: "on" if int(hours / period_hours) % 2 == 0 else "off"


def _every(minutes: int, days: int = 7) -> list[float]:
    return [step * minutes / 60 for step in range(1, days * 24 * 60 // minutes + 1)]


def demo_specs() -> list[EntitySpec]:
    """The pictured building: three areas, the common domains, a week of readings."""
    light = {"supported_color_modes": ["color_temp"], "color_mode": "color_temp"}
    return [
        # Kitchen
        EntitySpec(
            "light.kitchen_ceiling",
            "Kitchen ceiling",
            "kitchen",
            _fixed("on"),
            {**light, "brightness": 200, "color_temp_kelvin": 3500},
            (3, 10, 27),
        ),
        EntitySpec("light.kitchen_counter", "Counter lights", "kitchen", _fixed("off")),
        EntitySpec("switch.coffee_machine", "Coffee machine", "kitchen", _switching(4), {}, (4, 8)),
        EntitySpec(
            "sensor.kitchen_temperature",
            "Kitchen temperature",
            "kitchen",
            _wave(22, 1.5, 24, 8),
            {"unit_of_measurement": "°C", "device_class": "temperature"},
            _every(15),
        ),
        EntitySpec(
            "sensor.fridge_temperature",
            "Fridge",
            "kitchen",
            _wave(4.2, 0.6, 9),
            {"unit_of_measurement": "°C", "device_class": "temperature"},
            _every(15),
        ),
        EntitySpec(
            "sensor.dishwasher_power",
            "Dishwasher power",
            "kitchen",
            _wave(120, 110, 12, 3),
            {"unit_of_measurement": "W", "device_class": "power"},
            _every(15),
        ),
        EntitySpec(
            "binary_sensor.kitchen_window",
            "Kitchen window",
            "kitchen",
            _fixed("off"),
            {"device_class": "window"},
            (5, 30),
        ),
        # Living room
        EntitySpec(
            "light.living_room_lamp",
            "Floor lamp",
            "living_room",
            _fixed("on"),
            {
                "supported_color_modes": ["rgb"],
                "color_mode": "rgb",
                "brightness": 140,
                "rgb_color": [255, 170, 80],
            },
        ),
        EntitySpec(
            "media_player.living_room_tv",
            "Living room TV",
            "living_room",
            _fixed("playing"),
            {"volume_level": 0.35, "media_title": "Evening news", "source": "TV"},
        ),
        EntitySpec(
            "cover.living_room_blinds",
            "Blinds",
            "living_room",
            _fixed("open"),
            {"current_position": 70, "device_class": "blind"},
        ),
        EntitySpec(
            "climate.living_room",
            "Living room thermostat",
            "living_room",
            _fixed("heat"),
            {
                "hvac_modes": ["off", "heat", "cool", "auto"],
                "temperature": 21.5,
                "current_temperature": 20.7,
                "target_temp_step": 0.5,
                "temperature_unit": "°C",
            },
        ),
        EntitySpec(
            "sensor.living_room_humidity",
            "Living room humidity",
            "living_room",
            _wave(48, 6, 24, 2),
            {"unit_of_measurement": "%", "device_class": "humidity"},
            _every(15),
        ),
        EntitySpec(
            "fan.ceiling_fan",
            "Ceiling fan",
            "living_room",
            _fixed("off"),
            {"percentage": 0, "percentage_step": 25},
        ),
        # Office
        EntitySpec(
            "light.office_desk",
            "Desk lamp",
            "office",
            _fixed("on"),
            {**light, "brightness": 255, "color_temp_kelvin": 5000},
        ),
        EntitySpec("switch.office_printer", "Printer", "office", _fixed("off"), {}, (2, 20)),
        EntitySpec(
            "sensor.office_temperature",
            "Office temperature",
            "office",
            _wave(22.5, 2.0, 24, 9),
            {"unit_of_measurement": "°C", "device_class": "temperature"},
            _every(5),  # more than the chart's 1 500 points a week: downsampled on the server
        ),
        EntitySpec(
            "sensor.office_co2",
            "Office CO₂",
            "office",
            _wave(650, 250, 24, 10),
            {"unit_of_measurement": "ppm", "device_class": "carbon_dioxide"},
            _every(15),
        ),
        EntitySpec(
            "sensor.office_illuminance",
            "Office light level",
            "office",
            _fixed("unavailable"),
            {"unit_of_measurement": "lx", "device_class": "illuminance"},
        ),
        EntitySpec(
            "climate.office",
            "Office air conditioning",
            "office",
            _fixed("cool"),
            {
                "hvac_modes": ["off", "heat", "cool", "auto"],
                "temperature": 23,
                "current_temperature": 23.8,
                "target_temp_step": 0.5,
                "temperature_unit": "°C",
            },
        ),
        EntitySpec(
            "cover.office_shade",
            "Window shade",
            "office",
            _fixed("closed"),
            {"current_position": 0, "device_class": "shade"},
        ),
        EntitySpec("lock.office_door", "Office door", "office", _fixed("locked")),
        EntitySpec(
            "alarm_control_panel.office_alarm",
            "Office alarm",
            "office",
            _fixed("disarmed"),
            {"code_format": "number", "code_arm_required": True, "supported_features": 3},
        ),
        EntitySpec(
            "binary_sensor.office_motion",
            "Office motion",
            "office",
            _switching(1),
            {"device_class": "motion"},
            (1, 2, 3),
        ),
        EntitySpec(
            "select.office_ventilation",
            "Ventilation mode",
            "office",
            _fixed("comfort"),
            {"options": ["eco", "comfort", "boost"]},
        ),
        # No area
        EntitySpec(
            "sensor.outdoor_temperature",
            "Outdoor temperature",
            None,
            _wave(14, 5, 24, 9),
            {"unit_of_measurement": "°C", "device_class": "temperature"},
            _every(15),
        ),
        EntitySpec("scene.good_night", "Good night", None, _fixed("2026-11-27T22:30:00+00:00")),
    ]


class FakeHomeAssistant:
    """Answers the command webhook as the integration would: every call succeeds, except
    the services of `refused_domains`, which Home Assistant's allow-list refuses (403)."""

    def __init__(self, refused_domains: tuple[str, ...] = ("lock",)) -> None:
        self.port = free_port()
        refused = refused_domains

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                """Quiet."""

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if body.get("domain") in refused:
                    status, answer = (
                        403,
                        {
                            "ok": False,
                            "error": {
                                "code": "not_allowed",
                                "message": f"{body['domain']}.{body['service']} is not allowed",
                            },
                        },
                    )
                else:
                    status, answer = 200, {"ok": True, "id": body.get("id"), "response": None}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)

    @contextmanager
    def running(self) -> Iterator[FakeHomeAssistant]:
        """Serve in a thread while the block runs."""
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


def pair(odoo: OdooServer, ha_url: str, name: str) -> dict[str, Any]:
    """Pair a Home Assistant reachable at `ha_url` through `ha_pair`, as Odoo's admin."""
    values = {
        "uuid": uuid.uuid4().hex,
        "name": name,
        "ha_url": ha_url,
        "webhook_id": secrets.token_hex(32),
        "secret": secrets.token_urlsafe(32),
        "ha_version": "2026.10.4",
        "protocol": 1,
    }
    return {**values, **odoo.rpc().env["ha.instance"].ha_pair(values)}


def send_commands(odoo: OdooServer) -> None:
    """A few commands from Odoo, as users of the dashboard send them (one refused by HA)."""
    client = odoo.rpc()
    entities = client.env["ha.entity"]
    commands = [
        ("light.kitchen_counter", "turn_on", {"brightness": 150}),
        ("cover.living_room_blinds", "set_cover_position", {"position": 70}),
        ("climate.living_room", "set_temperature", {"temperature": 21.5}),
        ("switch.office_printer", "turn_off", None),
        ("media_player.living_room_tv", "volume_set", {"volume_level": 0.35}),
        ("lock.office_door", "unlock", None),
        ("light.office_desk", "turn_on", {"brightness": 255}),
    ]
    for entity_id, service, data in commands:
        record = entities.browse(entities.search([("entity_id", "=", entity_id)])[0])
        with suppress(Exception):  # the refused one raises Odoo's UserError, as in the UI
            record.call_entity_service(service, data)


def home_registry() -> list[dict[str, Any]]:
    """Floors, labels, the areas on them, a meter with its details and HA's own facts."""
    return [
        {"t": "system", "ha_version": "2026.11.0", "installation_type": "Home Assistant OS",
         "python_version": "3.14.2", "time_zone": "Asia/Taipei", "unit_system": "metric",
         "location_name": "Head office", "country": "TW", "currency": "TWD",
         "supervisor": {"host_os": "Home Assistant OS 16.3", "board": "generic-x86-64",
                        "disk_total_gb": 117.2, "disk_used_gb": 18.4, "memory_total_mb": 7842,
                        "network": [{"interface": "enp1s0", "ipv4": ["192.168.1.2/24"],
                                     "ipv6": []}]}},
        {"t": "floor", "floor_id": "ground", "name": "Ground floor", "level": 0,
         "icon": "mdi:home-floor-0", "removed": False},
        {"t": "floor", "floor_id": "first", "name": "First floor", "level": 1,
         "icon": "mdi:home-floor-1", "removed": False},
        {"t": "label", "label_id": "energy", "name": "Energy", "color": "amber",
         "icon": "mdi:lightning-bolt", "description": None, "removed": False},
        {"t": "label", "label_id": "security", "name": "Security", "color": "red",
         "icon": "mdi:shield-home", "description": None, "removed": False},
        *[
            {"t": "area", "area_id": area_id, "name": name, "icon": None,
             "floor_id": "first" if area_id == "office" else "ground", "labels": [],
             "removed": False}
            for area_id, name in AREAS.items()
        ],
        {"t": "device", "device_id": "gateway", "name": "Energy gateway",
         "manufacturer": "Acme Metering", "model": "GW-1", "model_id": "gw1",
         "serial_number": "GW-7731", "hw_version": "rev A", "sw_version": "2.0.4",
         "configuration_url": None, "via_device_id": None, "entry_type": None,
         "disabled": False, "area_id": "office", "labels": [], "removed": False},
        {"t": "device", "device_id": "meter", "name": "Office energy meter",
         "manufacturer": "Acme Metering", "model": "EM-3", "model_id": "em3-eu",
         "serial_number": "SN-0042", "hw_version": "rev B", "sw_version": "4.2.1",
         "configuration_url": "http://192.168.1.50/", "via_device_id": "gateway",
         "entry_type": None, "disabled": False, "area_id": "office",
         "labels": ["energy"], "removed": False},
    ]  # fmt: skip


def automation_action(odoo: OdooServer, instance_id: int) -> int:
    """A server action of type "Home Assistant", as an automation rule on contacts uses it."""
    env = odoo.rpc().env
    (partner_model,) = env["ir.model"].search([("model", "=", "res.partner")])
    return int(
        env["ir.actions.server"].create(
            {
                "name": "Flash the warehouse light for a rush order",
                "model_id": partner_model,
                "state": "home_assistant",
                "ha_instance_id": instance_id,
                "ha_command_kind": "event",
                "ha_event_type": "odoo_rush_order",
                "ha_data": '{"order": "{{ object.name }}", "city": "{{ object.city }}"}',
            }
        )
    )


def open_dashboard(browser: Browser, odoo: OdooServer, sparklines: int) -> None:
    """Open the dashboard and wait for every card and sparkline."""
    browser.navigate(f"{odoo.url}/odoo/home-assistant")
    browser.wait_for(
        f"document.querySelectorAll('.o_ha_sparkline').length >= {sparklines}"
        " && !document.querySelector('.o_loading_indicator')",
        60,
        "the dashboard with its sparklines",
    )
    browser.evaluate("new Promise((resolve) => setTimeout(resolve, 500))")


# True when the page's background is dark (the color_scheme=dark cookie took effect).
DARK_BACKGROUND = """
(() => {
    const background = getComputedStyle(document.body).backgroundColor;
    const [red, green, blue] = background.match(/\\d+/g).map(Number);
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue < 100;
})()
"""


def share_with_tenant(odoo: OdooServer) -> None:
    """A portal user, and the living room shared with them for a month, with control."""
    env = odoo.rpc().env
    portal = env.ref("base.group_portal").id
    tenant = env["res.users"].create(
        {
            "name": "Tina Tenant",
            "login": TENANT_LOGIN,
            "password": TENANT_PASSWORD,
            USER_GROUPS_FIELD: [(6, 0, [portal])],
        }
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    env["ha.share"].create(
        {
            "user_id": tenant,
            "entity_ids": [(6, 0, env["ha.entity"].search([("entity_id", "in", SHARED_ENTITIES)]))],
            "access": "control",
            "date_start": (now - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S"),
            "date_end": (now + timedelta(days=30)).strftime("%Y-%m-%d 00:00:00"),
        }
    )


def take_portal(odoo: OdooServer, out: Path) -> None:
    """The tenant's page of shared entities, in a browser of its own (another session)."""
    share_with_tenant(odoo)
    with Browser(1200, 700) as browser:
        browser.login(odoo.url, odoo.database, TENANT_LOGIN, TENANT_PASSWORD)
        browser.navigate(f"{odoo.url}/my/home-assistant")
        browser.wait_for("document.querySelector('.o_ha_portal[data-live]')", 60, "the page")
        browser.evaluate("new Promise((resolve) => setTimeout(resolve, 500))")
        take(browser, out, "portal.png")


def take(browser: Browser, out: Path, name: str) -> None:
    """Save one picture and say where."""
    size = browser.screenshot(out / name, colors=PNG_COLORS)
    print(f"  {out / name}  {size // 1024} KiB", flush=True)


def take_alarm_dialog(browser: Browser, odoo: OdooServer, out: Path, sparklines: int) -> None:
    """The alarm card with its code dialog open (arming away), then the dialog closed."""
    open_dashboard(browser, odoo, sparklines)
    alarm = '.o_ha_card[data-entity-id="alarm_control_panel.office_alarm"]'
    arm = f"{alarm} .o_ha_alarm_arm[data-service=alarm_arm_away]"
    browser.evaluate(f"document.querySelector('{alarm}').scrollIntoView({{block: 'center'}})")
    browser.evaluate(f"document.querySelector('{arm}').click()")
    browser.wait_for("document.querySelector('.modal .o_ha_alarm_code')", 30, "the code dialog")
    browser.evaluate("new Promise((resolve) => setTimeout(resolve, 500))")
    take(browser, out, "alarm-card.png")
    browser.evaluate("document.querySelector('.modal .btn-secondary').click()")


def take_all(odoo: OdooServer, instance_id: int, out: Path, sparklines: int) -> None:
    """Every picture of the docs, in one browser."""
    with Browser(1440, 900) as browser:
        browser.login(odoo.url, odoo.database, ODOO_ADMIN_LOGIN, ODOO_ADMIN_PASSWORD)
        open_dashboard(browser, odoo, sparklines)
        take(browser, out, "dashboard.png")

        browser.evaluate(
            'document.querySelector(\'.o_ha_card[data-entity-id="sensor.office_temperature"]'
            " .o_ha_name').click()"
        )
        browser.wait_for("document.querySelector('.o_ha_history canvas')", 30, "the chart")
        browser.evaluate("document.querySelector('.o_ha_history [data-range=\"7d\"]').click()")
        browser.wait_for(
            "document.querySelector('.o_ha_history [data-range=\"7d\"].btn-primary')", 30, "7 days"
        )
        browser.evaluate("new Promise((resolve) => setTimeout(resolve, 800))")
        take(browser, out, "history-dialog.png")

        take_alarm_dialog(browser, odoo, out, sparklines)

        browser.navigate(f"{odoo.url}/odoo/action-home_assistant.action_ha_instance/{instance_id}")
        browser.wait_for("document.querySelector('.o_form_view .o_field_widget')", 60, "the form")
        browser.evaluate("new Promise((resolve) => setTimeout(resolve, 500))")
        take(browser, out, "instance-form.png")
        browser.evaluate("document.querySelector('.o_notebook').scrollIntoView()")
        browser.evaluate("new Promise((resolve) => setTimeout(resolve, 300))")
        take(browser, out, "instance-system.png")

        browser.navigate(f"{odoo.url}/odoo/action-home_assistant.action_ha_command")
        browser.wait_for("document.querySelector('.o_list_view .o_data_row')", 60, "the log")
        browser.evaluate("new Promise((resolve) => setTimeout(resolve, 500))")
        take(browser, out, "command-log.png")

        env = odoo.rpc().env
        (meter,) = env["ha.device"].search([("ha_device_id", "=", "meter")])
        browser.navigate(f"{odoo.url}/odoo/action-home_assistant.action_ha_device/{meter}")
        browser.wait_for("document.querySelector('.o_form_view .o_field_widget')", 60, "the form")
        browser.evaluate("new Promise((resolve) => setTimeout(resolve, 500))")
        take(browser, out, "device-form.png")

        action_id = automation_action(odoo, instance_id)
        browser.navigate(f"{odoo.url}/odoo/action-base.action_server_action/{action_id}")
        browser.wait_for("document.querySelector('.o_form_view .o_field_widget')", 60, "the form")
        browser.evaluate("new Promise((resolve) => setTimeout(resolve, 500))")
        take(browser, out, "automation-action.png")

        browser.set_viewport(390, 844, mobile=True, scale=2)
        open_dashboard(browser, odoo, sparklines)
        take(browser, out, "dashboard-phone.png")

        browser.set_viewport(1440, 900)
        browser.set_cookie(odoo.url, "color_scheme", "dark")
        open_dashboard(browser, odoo, sparklines)
        # The cookie makes Odoo serve web.assets_web_dark; Community's holds only a few
        # component tweaks (the dark theme itself comes with Enterprise's web_enterprise).
        if browser.evaluate(DARK_BACKGROUND):
            take(browser, out, "dashboard-dark.png")
        else:
            print(
                "  dashboard-dark.png skipped: this Odoo has no dark theme"
                " (Community; dark mode comes with Enterprise)",
                flush=True,
            )
        errors = browser.page_errors()
    if errors:
        print("  page errors:", *errors[:5], sep="\n    ")


def main() -> None:
    """Start Odoo in a throw-away database, fill it, take the pictures, drop it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "images")
    args = parser.parse_args()
    odoo = OdooServer(
        f"ha_bridge_shots_{uuid.uuid4().hex[:6]}", CACHE_DIR / "state" / "screenshots"
    )
    print(f"installing the addon into {odoo.database}…", flush=True)
    odoo.install()
    try:
        odoo.start()
        try:
            with FakeHomeAssistant().running() as fake:
                instance = pair(odoo, f"http://127.0.0.1:{fake.port}", "Head office")
                pusher = SignedPusher(instance["push_url"], instance["secret"], odoo.database)
                specs = demo_specs()
                now = datetime.now(UTC) - timedelta(seconds=5)
                push_all(pusher, seed_events(AREAS, specs, now))
                pusher.push(home_registry())
                send_commands(odoo)
                sparklines = sum(
                    1 for spec in specs if spec.domain == "sensor" and list(spec.history_hours)
                )
                take_all(odoo, instance["instance_id"], args.out, sparklines)
                take_portal(odoo, args.out)
        finally:
            odoo.stop()
    finally:
        odoo.drop()


if __name__ == "__main__":
    main()

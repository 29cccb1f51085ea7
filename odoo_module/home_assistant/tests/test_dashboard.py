"""The dashboard: its server methods, and a tour in headless Chromium against a fake HA."""

from datetime import UTC, datetime, timedelta

from odoo import Command
from odoo.addons.home_assistant.models.ha_dashboard_history import MAX_HISTORY_POINTS
from odoo.addons.home_assistant.tests.common import (
    HomeAssistantCase,
    area_event,
    entity_event,
    floor_event,
    label_event,
    state_event,
)
from odoo.addons.home_assistant.tests.live_tour import LiveTourCase
from odoo.exceptions import AccessError
from odoo.tests import tagged


def utc_now():
    """Naive UTC now, as Odoo stores datetimes."""
    return datetime.now(UTC).replace(tzinfo=None)


def seed_events(now):
    """An area with a light, a button and a power sensor read every hour for a day."""
    readings = [
        state_event(
            "sensor.power",
            str(200 + hour),
            at=now - timedelta(hours=hour - 0.5),
            attributes={"unit_of_measurement": "W", "device_class": "power"},
        )
        for hour in range(24, 0, -1)
    ]
    return [
        floor_event("ground", "Ground floor"),
        label_event("safe", "Safe"),
        area_event("kitchen", "Kitchen", floor_id="ground"),
        {**entity_event("light.kitchen", area_id="kitchen"), "labels": ["safe"]},
        state_event(
            "light.kitchen",
            "off",
            at=now - timedelta(minutes=5),
            attributes={"friendly_name": "Kitchen light", "supported_color_modes": ["brightness"]},
        ),
        state_event("button.refused", "unknown", at=now - timedelta(minutes=5)),
        *readings,
    ]


@tagged("post_install", "-at_install")
class TestDashboardData(HomeAssistantCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls._create_user("ha_dashboard_member")
        cls.outsider = cls._create_user("ha_dashboard_outsider")
        cls.instance.user_ids = [Command.link(cls.member.id)]

    def setUp(self):
        super().setUp()
        self.now = utc_now()
        self.instance._ingest_batch(self.make_batch(seed_events(self.now)))

    def dashboard(self, user):
        return self.env["ha.dashboard"].with_user(user)

    def test_load_returns_instances_areas_and_compact_entities_in_one_call(self):
        data = self.dashboard(self.member).load()
        self.assertEqual(data["instance_id"], self.instance.id)
        self.assertEqual([area["name"] for area in data["areas"]], ["Kitchen"])
        rows = {row["entity_id"]: row for row in data["entities"]}
        self.assertEqual(set(rows), {"light.kitchen", "button.refused", "sensor.power"})
        self.assertEqual(rows["sensor.power"]["state"], "201")
        self.assertEqual(rows["sensor.power"]["numeric_value"], 201)
        self.assertEqual(rows["sensor.power"]["unit_of_measurement"], "W")
        self.assertEqual(rows["light.kitchen"]["name"], "Kitchen light")
        self.assertEqual(rows["light.kitchen"]["area_id"], data["areas"][0]["id"])
        [floor], [label] = data["floors"], data["labels"]
        self.assertEqual(data["areas"][0]["floor_id"], floor["id"])
        self.assertEqual(
            (floor["name"], label["name"], label["color"]), ("Ground floor", "Safe", 1)
        )
        self.assertEqual(rows["light.kitchen"]["label_ids"], [label["id"]])
        self.assertEqual(rows["sensor.power"]["label_ids"], [])
        # Attributes that are fields of the row already are not sent twice.
        self.assertEqual(
            rows["light.kitchen"]["attributes"], {"supported_color_modes": ["brightness"]}
        )
        self.assertEqual(rows["sensor.power"]["attributes"], {})

    def test_users_without_access_get_no_instance_and_no_history(self):
        data = self.dashboard(self.outsider).load(self.instance.id)
        self.assertEqual((data["instances"], data["entities"]), ([], []))
        with self.assertRaises(AccessError):
            self.dashboard(self.outsider).changes_since(self.instance.id, data["server_time"])
        with self.assertRaises(AccessError):
            self.dashboard(self.outsider).history(self.entity("sensor.power").id, "24h")

    def test_changes_since_returns_only_what_changed_and_removals(self):
        since = self.dashboard(self.member).load()["server_time"]
        self.env["ha.entity"].flush_model()
        self.env.cr.execute(
            "UPDATE ha_entity SET write_date = %s WHERE instance_id = %s",
            (utc_now() - timedelta(hours=1), self.instance.id),
        )
        self.env.invalidate_all()
        self.instance._ingest_batch(self.make_batch([entity_event("button.refused", removed=True)]))
        changes = self.dashboard(self.member).changes_since(self.instance.id, since)
        self.assertEqual(
            [(row["entity_id"], row["active"]) for row in changes["entities"]],
            [("button.refused", False)],
        )
        self.assertTrue(changes["instance"]["connected"])

    def test_sparklines_are_clock_hour_averages_of_numeric_entities(self):
        sensor = self.entity("sensor.power")
        series = self.dashboard(self.member).sparklines(
            [sensor.id, self.entity("light.kitchen").id]
        )
        self.assertEqual(list(series), [sensor.id])
        values = [value for value in series[sensor.id] if value is not None]
        # Clock hours: the current one and the 23 before it hold the readings since then.
        first = self.now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
        readings = [
            hour for hour in range(24, 0, -1) if self.now - timedelta(hours=hour - 0.5) >= first
        ]
        self.assertEqual(values, [200 + hour for hour in readings])

    def test_numeric_history_is_downsampled_on_the_server_for_long_ranges(self):
        sensor = self.entity("sensor.power")
        start = self.now - timedelta(days=6)
        self.env["ha.entity.history"].create(
            [
                {
                    "entity_id": sensor.id,
                    "state": str(index % 100),
                    "numeric_value": index % 100,
                    "last_updated": start + timedelta(seconds=60 * index),
                }
                for index in range(MAX_HISTORY_POINTS + 500)
            ]
        )
        week = self.dashboard(self.member).history(sensor.id, "7d")
        self.assertEqual(week["kind"], "numeric")
        self.assertLessEqual(len(week["points"]), 500)
        self.assertTrue(any(low < high for _moment, _value, low, high in week["points"]))
        self.assertEqual(min(low for _moment, _value, low, _high in week["points"]), 0)
        self.assertEqual(max(high for *_rest, high in week["points"]), 224)
        hour = self.dashboard(self.member).history(sensor.id, "1h")
        self.assertEqual([value for _moment, value, *_ in hour["points"]], [201])

    def test_state_entities_get_a_timeline_starting_with_the_state_before_the_range(self):
        light = self.entity("light.kitchen")
        self.instance._ingest_batch(
            self.make_batch(
                [
                    state_event("light.kitchen", "on", at=self.now - timedelta(minutes=3)),
                    state_event("light.kitchen", "on", at=self.now - timedelta(minutes=2)),
                    state_event("light.kitchen", "off", at=self.now - timedelta(minutes=1)),
                ]
            )
        )
        timeline = self.dashboard(self.member).history(light.id, "1h")
        self.assertEqual(timeline["kind"], "timeline")
        self.assertEqual([state for _moment, state in timeline["timeline"]], ["off", "on", "off"])


@tagged("post_install", "-at_install")
class TestDashboardTour(LiveTourCase):
    """The dashboard in headless Chromium, against a fake Home Assistant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.viewer = cls._create_user("ha_dashboard_tour", name="Dashboard Tour")
        cls.instance.user_ids = [Command.link(cls.viewer.id)]

    def setUp(self):
        super().setUp()
        self.home_assistant.refuse("button.refused", "button.press")

    def test_live_update_command_refusal_and_history(self):
        now = utc_now()
        self.push_ok(self.make_batch(seed_events(now)))
        pushes = {
            "reading": self.signed_push([state_event("sensor.power", "251.5", at=now)]),
            "light_on": self.signed_push(
                [
                    state_event(
                        "light.kitchen",
                        "on",
                        at=now,
                        attributes={
                            "friendly_name": "Kitchen light",
                            "supported_color_modes": ["brightness"],
                            "brightness": 255,
                        },
                    )
                ]
            ),
        }
        self.start_live_tour(
            "/odoo/home-assistant", "home_assistant_dashboard", "ha_dashboard_tour", pushes
        )

        commands = self.sent()
        self.assertEqual(
            [
                (command["domain"], command["service"], command["target"]["entity_id"])
                for command in commands
            ],
            [("light", "turn_on", ["light.kitchen"]), ("button", "press", ["button.refused"])],
        )
        self.assertEqual(commands[0]["user"]["name"], "Dashboard Tour")
        # The refused command's audit row is written, but here it shares the test's
        # transaction with the request that failed, whose rollback takes it along.
        self.assertEqual(
            [(log.service_name, log.state, log.user_id) for log in self.audit_log()],
            [("light.turn_on", "ok", self.viewer)],
        )
        self.assertEqual(self.entity("sensor.power").state, "251.5")
        self.assertEqual(self.entity("light.kitchen").state, "on")

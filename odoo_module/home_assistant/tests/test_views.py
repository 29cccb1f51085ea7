"""Every view of the addon renders in a real browser without a JavaScript error."""

from lxml import etree

from odoo import Command
from odoo.addons.home_assistant.tests.common import (
    HomeAssistantHttpCase,
    device_event,
    entity_event,
    floor_event,
    label_event,
    state_event,
    system_event,
)
from odoo.tests import TransactionCase, tagged

VIEWS = {
    "action_ha_instance": ("kanban", "list"),
    "action_ha_entity": ("list", "kanban"),
    "action_ha_device": ("list", "kanban"),
    "action_ha_area": ("kanban", "list"),
    "action_ha_entity_history": ("list", "graph", "pivot"),
    "action_ha_label": ("list",),
    "action_ha_floor": ("list",),
    "action_ha_tag": ("list",),
    "action_ha_entity_group": ("list",),
}
READY = "document.querySelector('.o_view_controller') && !document.querySelector('.o_loading')"
# A graph view loads Chart.js lazily (window.Chart once loaded): a test that ends before
# would close the browser while the library is still loading (an error on 19).
READY_BY_VIEW_TYPE = {
    # Odoo's ready check wants exactly `true`, not a truthy element.
    "graph": f"{READY} && !!window.Chart && !!document.querySelector('.o_graph_renderer')",
}


@tagged("post_install", "-at_install")
class TestViews(HomeAssistantHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = cls._create_user("ha_views_member")
        cls.instance.user_ids = [Command.link(cls.member.id)]

    def setUp(self):
        super().setUp()
        self.push_ok(
            self.make_batch(
                [
                    floor_event("ground", "Ground floor"),
                    label_event("safe", "Safe"),
                    {
                        "t": "area",
                        "area_id": "kitchen",
                        "name": "Kitchen",
                        "removed": False,
                        "floor_id": "ground",
                        "labels": ["safe"],
                    },
                    {
                        **device_event("d1", area_id="kitchen"),
                        "serial_number": "ABC123",
                        "configuration_url": "http://192.168.1.20/",
                        "via_device_id": "d0",
                        "labels": ["safe"],
                    },
                    {**entity_event("sensor.power", device_id="d1"), "labels": ["safe"]},
                    state_event("sensor.power", "230.5", attributes={"unit_of_measurement": "W"}),
                    system_event(
                        {
                            "host_os": "Home Assistant OS 16.0",
                            "board": "rpi5-64",
                            "network": [{"interface": "end0", "ipv4": ["192.168.1.2/24"]}],
                        }
                    ),
                ]
            )
        )

    def open(self, path, login, view_type=None):
        ready = READY_BY_VIEW_TYPE.get(view_type, READY)
        self.browser_js(path, "console.log('test successful')", ready=ready, login=login)

    def test_lists_kanbans_graphs_and_pivots_render(self):
        for action, view_types in VIEWS.items():
            for view_type in view_types:
                with self.subTest(action=action, view_type=view_type):
                    path = f"/odoo/action-home_assistant.{action}?view_type={view_type}"
                    self.open(path, "ha_views_member", view_type)

    def test_forms_render_for_users_and_for_administrators_with_secrets(self):
        records = {
            "action_ha_instance": self.instance,
            "action_ha_entity": self.entity("sensor.power"),
            "action_ha_area": self.env["ha.area"].search([("ha_area_id", "=", "kitchen")]),
            "action_ha_device": self.entity("sensor.power").device_id,
            "action_ha_label": self.env["ha.label"].search([("ha_label_id", "=", "safe")]),
            "action_ha_floor": self.env["ha.floor"].search([("ha_floor_id", "=", "ground")]),
        }
        for action, record in records.items():
            for login in ("admin", "ha_views_member"):
                with self.subTest(action=action, login=login):
                    self.open(f"/odoo/action-home_assistant.{action}/{record.id}", login)

    def test_share_views_render_for_administrators(self):
        tenant = self._create_user("ha_views_tenant", groups="base.group_portal")
        share = self.env["ha.share"].create(
            {
                "user_id": tenant.id,
                "entity_ids": [Command.set(self.entity("sensor.power").ids)],
                "date_end": "2100-01-01 00:00:00",
            }
        )
        for path in (
            "/odoo/action-home_assistant.action_ha_share",
            f"/odoo/action-home_assistant.action_ha_share/{share.id}",
        ):
            with self.subTest(path=path):
                self.open(path, "admin")


# Odoo's field widgets that take one field type only (both series).
WIDGET_TYPES = {"color": "char", "color_picker": "integer"}


@tagged("post_install", "-at_install")
class TestViewWidgets(TransactionCase):
    def test_colour_widgets_get_the_field_type_they_take(self):
        """A widget on a field of another type shows nothing; Odoo 19 only warns in the browser."""
        views = self.env["ir.ui.view"].search(
            [("id", "in", self.env["ir.model.data"].search(
                [("module", "=", "home_assistant"), ("model", "=", "ir.ui.view")]
            ).mapped("res_id"))]
        )  # fmt: skip
        checked = 0
        for view in views:
            for node in etree.fromstring(view.arch_db.encode()).iter("field"):
                expected = WIDGET_TYPES.get(node.get("widget"))
                field = self.env[view.model]._fields.get(node.get("name"))
                if expected and field is not None:
                    checked += 1
                    with self.subTest(view=view.xml_id, field=field.name):
                        self.assertEqual(field.type, expected)
        self.assertTrue(checked)

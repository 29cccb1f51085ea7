"""Shared fixtures of the addon's tests: a paired instance, users, and signed pushes."""

import gzip
import json
import secrets
import time
from datetime import UTC, datetime
from unittest.mock import patch

from odoo import Command
from odoo.addons.bus.models.bus import channel_with_db, json_dump
from odoo.addons.home_assistant import compat
from odoo.addons.home_assistant.signing import (
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    PROTOCOL_VERSION,
    PURPOSE_PUSH,
    PUSH_PATH,
    sign,
)
from odoo.tests import HttpCase, TransactionCase, new_test_user

SECRET = "S2V5LWZvci10ZXN0LXZlY3RvcnMtb25seS0zMmJ5dGVz"
# Naive UTC, as Odoo stores datetimes; events carry it with an explicit offset.
T0 = datetime(2026, 11, 28, 18, 0, 0, 120000)


def iso(moment):
    """The protocol's ISO 8601 form of a naive UTC datetime."""
    return moment.replace(tzinfo=UTC).isoformat()


def state_event(entity_id, state, at=T0, attributes=None, last_changed=None):
    """A `state` event as Home Assistant sends it."""
    return {
        "t": "state",
        "entity_id": entity_id,
        "state": state,
        "attributes": attributes if attributes is not None else {},
        "last_changed": iso(last_changed or at),
        "last_updated": iso(at),
        "context_id": "01JD000000000000000000000",
    }


def entity_event(entity_id, device_id=None, area_id=None, name=None, removed=False):
    """An entity registry event."""
    return {
        "t": "entity",
        "entity_id": entity_id,
        "name": name,
        "device_id": device_id,
        "area_id": area_id,
        "platform": "demo",
        "entity_category": None,
        "disabled": False,
        "removed": removed,
    }


def device_event(device_id, area_id=None, name="Hue bulb", removed=False):
    """A device registry event."""
    return {
        "t": "device",
        "device_id": device_id,
        "name": name,
        "manufacturer": "Signify",
        "model": "LCA001",
        "sw_version": "1.2",
        "area_id": area_id,
        "removed": removed,
    }


def area_event(area_id, name, removed=False, **extra):
    """An area registry event; `extra` adds `floor_id`, `icon`, `labels`."""
    return {"t": "area", "area_id": area_id, "name": name, "removed": removed, **extra}


def label_event(label_id, name, color="red", removed=False, **extra):
    """A label registry event."""
    return {
        "t": "label",
        "label_id": label_id,
        "name": name,
        "color": color,
        "icon": "mdi:lock",
        "description": None,
        "removed": removed,
        **extra,
    }


def floor_event(floor_id, name, level=0, removed=False):
    """A floor registry event."""
    return {
        "t": "floor",
        "floor_id": floor_id,
        "name": name,
        "level": level,
        "icon": None,
        "removed": removed,
    }


def system_event(supervisor=None, **extra):
    """Home Assistant's `system` event, as a Container installation sends it by default."""
    return {
        "t": "system",
        "ha_version": "2026.11.0",
        "installation_type": "Home Assistant Container",
        "python_version": "3.14.2",
        "time_zone": "Europe/Brussels",
        "unit_system": "metric",
        "location_name": "Home",
        "country": "BE",
        "currency": "EUR",
        "supervisor": supervisor,
        **extra,
    }


class HomeAssistantFixtures:
    """Mixin creating a paired instance, users and batches; used by every test class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instance = cls._create_instance("ha-test-instance-0001", "Head office")
        cls.seq = 0

    @classmethod
    def _create_instance(cls, uuid, name, **values):
        return (
            cls.env["ha.instance"]
            .sudo()
            .create(
                {
                    "uuid": uuid,
                    "name": name,
                    "ha_url": "http://ha.local:8123",
                    "webhook_id": f"webhook-{uuid}",
                    "secret": SECRET,
                    "ha_version": "2026.10.4",
                    "protocol": PROTOCOL_VERSION,
                    **values,
                }
            )
        )

    @classmethod
    def _create_user(cls, login, groups="home_assistant.group_home_assistant_user", **values):
        return new_test_user(cls.env, login=login, groups=groups, **values)

    @classmethod
    def _create_entities(cls, entities):
        """Entities of the instance from {entity id: (state, attributes)}, by entity id;
        available unless their state is "unavailable"."""
        return {
            entity_id: cls.env["ha.entity"].create(
                {
                    "instance_id": cls.instance.id,
                    "entity_id": entity_id,
                    "state": state,
                    "attributes": attributes,
                    "available": state != "unavailable",
                }
            )
            for entity_id, (state, attributes) in entities.items()
        }

    def make_batch(self, events=(), snapshot=False, batch_id=None, seq=None):
        """A push batch with a fresh batch id and the next sequence number."""
        type(self).seq += 1
        return {
            "v": PROTOCOL_VERSION,
            "batch_id": batch_id or secrets.token_hex(8),
            "seq": seq if seq is not None else type(self).seq,
            "sent_at": iso(datetime.now(UTC).replace(tzinfo=None)),
            "snapshot": snapshot,
            "events": list(events),
        }

    def create_state_automation(self, name, filter_domain, code):
        """An automation running `code` when an `ha.entity` matching `filter_domain` gets a
        new state."""
        state_field = self.env["ir.model.fields"]._get("ha.entity", "state")
        automation = self.env["base.automation"].create(
            {
                "name": name,
                "model_id": self.env["ir.model"]._get_id("ha.entity"),
                "trigger": "on_create_or_write",
                "trigger_field_ids": [Command.set(state_field.ids)],
                "filter_domain": filter_domain,
            }
        )
        automation.action_server_ids = [
            Command.create(
                {
                    "name": "Log the light",
                    "model_id": automation.model_id.id,
                    "state": "code",
                    "code": code,
                }
            )
        ]
        return automation

    def entity(self, entity_id, instance=None):
        """The ha.entity of `entity_id` (archived ones included), or an empty recordset."""
        return (
            self.env["ha.entity"]
            .with_context(active_test=False)
            .search(
                [
                    ("instance_id", "=", (instance or self.instance).id),
                    ("entity_id", "=", entity_id),
                ]
            )
        )

    def cron_call(self, xmlid, method, *args):
        """One call of a chunked cron's `method`, as its runner makes it: the progress it
        told, (done, remaining)."""
        progress = "_commit_progress" if compat.SERIES >= 19 else "_notify_progress"
        cron = self.env.ref(xmlid)
        model = self.env[cron.model_id.model].with_context(ir_cron_progress_id=-1, cron_id=cron.id)
        # The real progress record commits on 19.0, which a test transaction must not.
        with patch.object(type(self.env["ir.cron"]), progress) as told:
            getattr(model, method)(*args)
        if compat.SERIES >= 19:
            return told.call_args.args[0], told.call_args.kwargs["remaining"]
        return told.call_args.kwargs["done"], told.call_args.kwargs["remaining"]

    def history(self, entity):
        """The entity's history rows, oldest first."""
        return self.env["ha.entity.history"].search(
            [("entity_id", "=", entity.id)], order="last_updated"
        )


class BusListener:
    """Mixin of the websocket tests (with bus's WebsocketCase): a user's fresh session on the
    bus, and what was sent on a record's channel."""

    def notifications_of(self, record):
        channel = json_dump(channel_with_db(self.env.cr.dbname, record))
        return self.env["bus.bus"].sudo().search([("channel", "=", channel)])

    def connect_as(self, login):
        """A websocket of a fresh session of `login`, subscribed to its default channels."""
        self.session = None  # keep the previous user's session alive
        self.authenticate(login, login)
        connection = self.websocket_connect(cookie=f"session_id={self.session.sid}")
        self.subscribe(connection, [], self.env["bus.bus"]._bus_last_id())
        return connection


class HomeAssistantCase(HomeAssistantFixtures, TransactionCase):
    """Model-level tests (no HTTP)."""


class HomeAssistantHttpCase(HomeAssistantFixtures, HttpCase):
    """Tests through the real push endpoint, with really signed requests."""

    def push_raw(
        self,
        body,
        instance_uuid=None,
        secret=SECRET,
        timestamp=None,
        nonce=None,
        headers=None,
        signature=None,
        chunked=False,
    ):
        """POST `body` (bytes) signed like Home Assistant does; return the response.

        `chunked` sends the body without a Content-Length (chunked transfer encoding).
        """
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_urlsafe(16)
        signed = {
            "Content-Type": "application/json",
            HEADER_TIMESTAMP: timestamp,
            HEADER_NONCE: nonce,
            HEADER_SIGNATURE: signature or sign(secret, PURPOSE_PUSH, timestamp, nonce, body),
            **(headers or {}),
        }
        path = PUSH_PATH.format(uuid=instance_uuid or self.instance.uuid)
        return self.url_open(path, data=iter([body]) if chunked else body, headers=signed)

    def push(self, batch, compress=False, **kwargs):
        """Sign and POST a batch (a dict); return the response."""
        body = json.dumps(batch).encode()
        if compress:
            body = gzip.compress(body)
            kwargs["headers"] = {"Content-Encoding": "gzip", **kwargs.get("headers", {})}
        return self.push_raw(body, **kwargs)

    def push_ok(self, batch, **kwargs):
        """Push a batch that must be accepted; return the answer's JSON."""
        response = self.push(batch, **kwargs)
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def assert_error(self, response, status, code):
        """Assert the protocol's error body with `status` and `code`."""
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.json()["ok"], False)
        self.assertEqual(response.json()["error"]["code"], code)
        self.assertTrue(response.json()["error"]["message"])

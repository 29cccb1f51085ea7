"""A paired Home Assistant instance: pairing RPC, connection status, counters and batch ingest."""

import logging
import re
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import Command, api, fields, models, release
from odoo.addons.home_assistant import bus_notify, compat
from odoo.addons.home_assistant.command_client import encode_command, send_command
from odoo.addons.home_assistant.push_schema import parse_batch
from odoo.addons.home_assistant.signing import (
    COMMAND_PATH,
    MAX_COMMAND_BYTES,
    PROTOCOL_VERSION,
    PUSH_PATH,
)
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

UUID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,256}$")
SERVICE_PART_PATTERN = re.compile(r"^[a-z0-9_]{1,64}$")
# An instance counts as connected while its last push is younger than this many heartbeats.
CONNECTED_HEARTBEATS = 3
BUS_NOTIFICATION_TYPE = "home_assistant/entities"
COUNTER_DIGITS = (20, 0)


# UNIQUE(uuid) is also the index the push endpoint looks instances up by.
@compat.sql_constraints(
    ("uuid_unique", "UNIQUE(uuid)", "This Home Assistant instance is already paired."),
    (
        "heartbeat_interval_positive",
        "CHECK(heartbeat_interval > 0)",
        "The heartbeat interval must be positive.",
    ),
    (
        "history_retention_days_not_negative",
        "CHECK(history_retention_days >= 0)",
        "The history retention cannot be negative.",
    ),
)
class HaInstance(models.Model):
    _name = "ha.instance"
    _description = "Home Assistant Instance"
    _order = "name, id"

    name = fields.Char(required=True, help="Location name configured in Home Assistant.")
    uuid = fields.Char(
        string="Instance ID",
        required=True,
        readonly=True,
        copy=False,
        help="Home Assistant's own instance id; identifies the instance in push URLs.",
    )
    active = fields.Boolean(default=True, help="Archived when Home Assistant unpairs.")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_ids = fields.Many2many(
        "res.users",
        "ha_instance_res_users_rel",
        "instance_id",
        "user_id",
        string="Allowed Users",
        domain=[("share", "=", False)],
        help="Home Assistant users who may see and control this instance. "
        "Home Assistant administrators see every instance of their companies.",
    )
    ha_url = fields.Char(string="Home Assistant URL", help="Base URL at which Odoo reaches it.")
    webhook_id = fields.Char(
        string="Webhook ID", groups="base.group_system", copy=False, exportable=False
    )
    secret = fields.Char(groups="base.group_system", copy=False, exportable=False)
    command_url = fields.Char(
        string="Command URL",
        groups="base.group_system",
        copy=False,
        exportable=False,
        help="Where commands go when Home Assistant gave one at pairing (its Home Assistant "
        "Cloud webhook); otherwise to the webhook under the Home Assistant URL.",
    )
    ha_version = fields.Char(string="Home Assistant Version", readonly=True)
    protocol = fields.Integer(string="Protocol Version", readonly=True)
    push_url = fields.Char(
        string="Push URL", compute="_compute_push_url", help="Where Home Assistant pushes to."
    )

    heartbeat_interval = fields.Integer(
        default=30,
        required=True,
        help="Seconds between Home Assistant's heartbeats; the instance counts as "
        "connected while its last push is younger than three of them.",
    )
    last_seen = fields.Datetime(readonly=True, help="Time of the last accepted push.")
    connected = fields.Boolean(compute="_compute_connected", search="_search_connected")
    history_retention_days = fields.Integer(
        string="History Retention (days)",
        default=30,
        required=True,
        help="State history older than this is deleted automatically; 0 keeps it forever.",
    )

    # Counters outgrow PostgreSQL's 32-bit integer (2^31 events is a few days at full
    # speed), and Odoo has no 64-bit integer field: whole numbers in a NUMERIC column.
    batch_count = fields.Float(string="Batches", digits=COUNTER_DIGITS, readonly=True)
    event_count = fields.Float(string="Events", digits=COUNTER_DIGITS, readonly=True)
    duplicate_count = fields.Float(
        string="Duplicate Batches",
        digits=COUNTER_DIGITS,
        readonly=True,
        help="Retried batches that were already stored.",
    )
    seq_gap_count = fields.Float(
        string="Missing Batches",
        digits=COUNTER_DIGITS,
        readonly=True,
        help="Batches Home Assistant numbered but Odoo never received (gaps in the sequence).",
    )
    last_seq = fields.Float(string="Last Sequence", digits=COUNTER_DIGITS, readonly=True)
    last_error = fields.Char(readonly=True, help="Why the last refused push was refused.")
    last_error_date = fields.Datetime(readonly=True)

    entity_ids = fields.One2many("ha.entity", "instance_id", string="Entities")
    entity_count = fields.Integer(compute="_compute_entity_count")

    @api.depends("uuid")
    def _compute_push_url(self):
        for instance in self:
            instance.push_url = (
                instance.get_base_url() + PUSH_PATH.format(uuid=instance.uuid)
                if instance.uuid
                else False
            )

    @api.depends("last_seen", "heartbeat_interval")
    def _compute_connected(self):
        now = fields.Datetime.now()
        for instance in self:
            instance.connected = bool(instance.last_seen) and (
                now - instance.last_seen
                < timedelta(seconds=CONNECTED_HEARTBEATS * instance.heartbeat_interval)
            )

    def _search_connected(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Unsupported search on Connected."))
        self.flush_model(["last_seen", "heartbeat_interval"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM ha_instance"
                " WHERE last_seen > %s - make_interval(secs => %s * heartbeat_interval)",
                fields.Datetime.now(),
                CONNECTED_HEARTBEATS,
            )
        )
        connected_ids = [row[0] for row in self.env.cr.fetchall()]
        wants_connected = (operator == "=") == bool(value)
        return [("id", "in" if wants_connected else "not in", connected_ids)]

    def _compute_entity_count(self):
        counts = dict(
            self.env["ha.entity"]._read_group(
                [("instance_id", "in", self.ids)], ["instance_id"], ["__count"]
            )
        )
        for instance in self:
            instance.entity_count = counts.get(instance, 0)

    # ------------------------------------------------------------------ pairing (PROTOCOL §2)

    @api.model
    def ha_pair(self, values):
        """Pair (or re-pair) the calling Home Assistant; return where and how to push.

        Called by Home Assistant over JSON-RPC as an Odoo user of the group
        *Home Assistant / Administrator*. Pairing an already known `uuid` again updates its
        URL, webhook id and secret: this is how secrets rotate and how a re-installed
        Home Assistant re-attaches to its history.
        """
        self._check_home_assistant_manager()
        pairing = self._validate_pairing_values(values)
        instance = (
            self.sudo().with_context(active_test=False).search([("uuid", "=", pairing["uuid"])])
        )
        if instance:
            # Take the row lock pushes take first: a serialization failure against a push in
            # flight then hits this quiet statement and Odoo retries, instead of the UPDATE,
            # which Odoo would log with its parameters — the new secret among them.
            instance._lock_for_ingest()
            instance.write({**pairing, "active": True, "last_seq": 0})
        else:
            instance = self.sudo().create(
                {
                    **pairing,
                    "company_id": self.env.company.id,
                    "user_ids": [Command.link(self.env.uid)],
                }
            )
        _logger.info("Home Assistant instance %s paired by user %s", instance.uuid, self.env.uid)
        return {
            "instance_id": instance.id,
            "push_url": instance.push_url,
            "odoo_version": release.major_version,
            "protocol": PROTOCOL_VERSION,
        }

    @api.model
    def ha_unpair(self, uuid):
        """Archive the instance Home Assistant unpaired, keeping its entities and history."""
        self._check_home_assistant_manager()
        instance = self.sudo().search([("uuid", "=", uuid)]) if isinstance(uuid, str) else None
        if not instance:
            return False
        instance.active = False
        _logger.info("Home Assistant instance %s unpaired by user %s", uuid, self.env.uid)
        return True

    def _check_home_assistant_manager(self):
        if not self.env.user.has_group("home_assistant.group_home_assistant_manager"):
            raise AccessError(
                self.env._(
                    "Only members of Home Assistant / Administrator may pair Home Assistant."
                )
            )

    @api.model
    def _validate_pairing_values(self, values):
        """Return the instance values of a pairing request, or raise a ValidationError."""
        if not isinstance(values, dict):
            raise ValidationError(self.env._("Pairing values must be an object."))
        if values.get("protocol") != PROTOCOL_VERSION:
            raise ValidationError(
                self.env._(
                    "Home Assistant speaks protocol %(theirs)s, this Odoo speaks %(ours)s: "
                    "update the older side.",
                    theirs=values.get("protocol"),
                    ours=PROTOCOL_VERSION,
                )
            )
        for key in ("uuid", "name", "ha_url", "webhook_id", "secret", "ha_version"):
            if not isinstance(values.get(key), str) or not values[key]:
                raise ValidationError(self.env._("Pairing value %s is missing.", key))
        if not UUID_PATTERN.match(values["uuid"]):
            raise ValidationError(self.env._("The Home Assistant instance id is not valid."))
        if not SECRET_PATTERN.match(values["secret"]):
            raise ValidationError(
                self.env._("The shared secret must be at least 32 base64url characters.")
            )
        if not UUID_PATTERN.match(values["webhook_id"]):
            raise ValidationError(self.env._("The webhook id is not valid."))
        url = urlsplit(values["ha_url"])
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ValidationError(self.env._("The Home Assistant URL must be an http(s) URL."))
        command_url = values.get("command_url")
        if command_url is not None and (
            not isinstance(command_url, str)
            or urlsplit(command_url).scheme not in ("http", "https")
            or not urlsplit(command_url).netloc
        ):
            raise ValidationError(self.env._("The command URL must be an http(s) URL."))
        return {
            "uuid": values["uuid"],
            "name": values["name"][:256],
            "ha_url": values["ha_url"].rstrip("/"),
            "webhook_id": values["webhook_id"],
            "secret": values["secret"],
            # A pairing without it clears the stored one: the cloud subscription ended.
            "command_url": command_url or False,
            "ha_version": values["ha_version"][:64],
            "protocol": PROTOCOL_VERSION,
        }

    # ------------------------------------------------------------------ push (PROTOCOL §3)

    @api.model
    def _find_for_push(self, uuid):
        """Return the (sudo) instance a push URL names, archived ones included, or an empty set.

        Runs before the signature is verified: the caller may only use the result to read the
        secret and check the signature, never to act.
        """
        if not UUID_PATTERN.match(uuid):
            return self.browse()
        return self.sudo().with_context(active_test=False).search([("uuid", "=", uuid)], limit=1)

    def _ingest_batch(self, payload):
        """Store one signed, decoded push batch in the current transaction; return the answer.

        Raises `PushSchemaError` (nothing written) when the payload is not a valid batch.
        Safe to run again on Odoo's retry after a serialization failure: the whole
        transaction is rolled back before a retry, and per instance batches are serialized by
        a row lock, so a concurrent retry of the same batch is recognised as a duplicate.
        """
        self.ensure_one()
        batch = parse_batch(payload)
        self._lock_for_ingest()
        now = fields.Datetime.now()
        if not self.env["ha.push.batch"]._claim(self, batch):
            self.write({"duplicate_count": self.duplicate_count + 1, "last_seen": now})
            return {"ok": True, "batch_id": batch.batch_id, "accepted": 0, "duplicate": True}

        areas = self.env["ha.area"]._apply_events(self, batch.areas)
        devices = self.env["ha.device"]._apply_events(self, batch.devices, areas)
        changed = self.env["ha.entity"]._apply_events(
            self, batch.entities, batch.states, devices, areas
        )
        if batch.snapshot:
            changed |= self.env["ha.snapshot.part"]._record(self, batch)

        last_seq = int(self.last_seq)
        gap = batch.seq - last_seq - 1 if last_seq and batch.seq > last_seq else 0
        self.write(
            {
                "last_seen": now,
                "last_seq": batch.seq,
                "batch_count": self.batch_count + 1,
                "event_count": self.event_count + batch.event_count,
                "seq_gap_count": self.seq_gap_count + gap,
            }
        )
        self._notify_entities(changed)
        return {
            "ok": True,
            "batch_id": batch.batch_id,
            "accepted": batch.event_count,
            "duplicate": False,
        }

    def _lock_for_ingest(self):
        """Serialize the batches (and pairings) of one instance across workers and servers.

        Under Odoo's REPEATABLE READ isolation a concurrent batch that already committed makes
        this raise a serialization failure, which Odoo answers by retrying the whole request
        on a fresh snapshot.
        """
        self.env.cr.execute(
            SQL("SELECT id FROM ha_instance WHERE id = %s FOR NO KEY UPDATE", self.id),
            log_exceptions=False,  # an expected, retried serialization failure is no error
        )

    def _record_push_error(self, message):
        """Remember why a signed push was refused, for the administrator."""
        self.ensure_one()
        self.write({"last_error": message[:512], "last_error_date": fields.Datetime.now()})

    def _notify_entities(self, entities):
        """Send the changed entities' compact states on the instance's own bus channel.

        Only users allowed to read the instance subscribe to that channel (see
        `ir.websocket._build_bus_channel_list`), so this is never a broadcast.
        """
        self.ensure_one()
        if not entities:
            return
        bus_notify.send(
            self.env,
            self,
            BUS_NOTIFICATION_TYPE,
            {"instance_id": self.id, "entities": entities._compact_states()},
        )

    # ------------------------------------------------------------------ commands (PROTOCOL §4)

    def call_service(self, domain, service, target=None, data=None, return_response=False):
        """Call a Home Assistant service as the current Odoo user; return HA's answer.

        Returns `{"ok": True, "command_id", "latency_ms", "response"}` (`response` is the
        service's response when `return_response` is true). Every failure raises a
        translated `UserError` and is kept in the `ha.command` audit log; a caller without
        the right to command this instance gets an `AccessError` and nothing is sent.
        """
        self.ensure_one()
        for part in (domain, service):
            if not isinstance(part, str) or not SERVICE_PART_PATTERN.match(part):
                raise ValidationError(
                    self.env._("A service is named by a domain and a service, e.g. light.turn_on.")
                )
        for value in (target, data):
            if value is not None and not isinstance(value, dict):
                raise ValidationError(self.env._("A service's target and data must be objects."))
        answer = self._send_command(
            "call_service",
            {
                "domain": domain,
                "service": service,
                "target": target or {},
                "data": data or {},
                "return_response": bool(return_response),
            },
        )
        return {
            "ok": True,
            "command_id": answer["command_id"],
            "latency_ms": answer["latency_ms"],
            "response": answer["answer"].get("response"),
        }

    def _send_command(self, command_type, payload):
        """Sign and send one command now; return its audit id, latency and HA's answer.

        Sent at once, not after commit: the user must see Home Assistant's answer. The call
        path writes nothing in the caller's transaction (the audit row has its own), so an
        entity action cannot be re-run by a serialization retry; code that calls this
        inside a transaction of its own which Odoo may retry can send a command twice,
        harmless for the idempotent services (turn_on, set_value …), not for toggle.
        """
        self.ensure_one()
        self._check_command_access()
        instance = self.sudo()
        if not instance.active:
            raise UserError(
                self.env._("Home Assistant “%s” is archived: it was unpaired.", instance.name)
            )
        endpoint = instance._command_endpoint()
        if not endpoint or not instance.secret:
            raise UserError(
                self.env._(
                    "Home Assistant “%s” has no pairing secret or address (as in a neutralized "
                    "copy of the database): pair it again from Home Assistant.",
                    instance.name,
                )
            )
        user = self.env.user
        command = {
            "v": PROTOCOL_VERSION,
            "id": uuid.uuid4().hex,
            "type": command_type,
            **payload,
            "user": {"login": user.login, "name": user.name},
        }
        try:
            body = encode_command(command)
        except ValueError as error:
            raise ValidationError(
                self.env._("The command's data cannot be sent as JSON: %s", error)
            ) from error
        if len(body) > MAX_COMMAND_BYTES:
            raise ValidationError(
                self.env._("The command is too large for Home Assistant (at most 1 MiB).")
            )
        log = self.env["ha.command"]
        command_id = log._record_sent(instance, user, command)
        answer = send_command(endpoint, instance.secret, body)
        log._record_answer(command_id, answer)
        _logger.info(
            "Command %s (%s) to Home Assistant instance %s by user %s: %s in %d ms",
            command["id"],
            command_type,
            instance.uuid,
            user.id,
            "ok" if answer.ok else answer.code,
            answer.latency_ms,
        )
        if not answer.ok:
            raise log._error(instance, log._subject(command), answer)
        return {"command_id": command_id, "latency_ms": answer.latency_ms, "answer": answer.body}

    def _check_command_access(self):
        """Raise an `AccessError` unless the user may command this instance.

        Members of *Home Assistant / User* allowed on the instance and Home Assistant
        administrators may (the read rules decide); code running as superuser may too.
        """
        if self.env.su or self.has_access("read"):
            return
        raise AccessError(
            self.env._("You are not allowed to send commands to this Home Assistant instance.")
        )

    def _command_endpoint(self):
        """The URL commands are posted to: `command_url` if paired with one, else the webhook."""
        self.ensure_one()
        instance = self.sudo()
        if instance.command_url:
            return instance.command_url
        if instance.ha_url and instance.webhook_id:
            return instance.ha_url + COMMAND_PATH.format(webhook_id=instance.webhook_id)
        return False

    def _command_address_label(self):
        """Where commands go, in words that reveal no webhook id (for error messages)."""
        self.ensure_one()
        if self.sudo().command_url:
            return self.env._("its Home Assistant Cloud address")
        return self.ha_url

    def action_test_connection(self):
        """Ping Home Assistant; show its version, the round trip and its outbox size."""
        self.ensure_one()
        result = self._send_command("ping", {})
        answer = result["answer"]
        return self._notification(
            self.env._("Connected to %s", self.name),
            self.env._(
                "Home Assistant %(version)s answered in %(latency)s ms; %(outbox)s events wait "
                "in its outbox.",
                version=answer.get("ha_version", "?"),
                latency=result["latency_ms"],
                outbox=answer.get("outbox", "?"),
            ),
        )

    def action_resync(self):
        """Ask Home Assistant for a full snapshot of states and registries."""
        self.ensure_one()
        self._send_command("resync", {"scope": "all"})
        return self._notification(
            self.env._("Resync requested"),
            self.env._("Home Assistant “%s” is sending all its states and registries.", self.name),
        )

    def _notification(self, title, message, close_dialog=False):
        """A success notification (client action), closing the calling dialog if asked."""
        params = {"title": title, "message": message, "type": "success", "sticky": False}
        if close_dialog:
            params["next"] = {"type": "ir.actions.act_window_close"}
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    def action_view_entities(self):
        """Open the instance's entities."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("home_assistant.action_ha_entity")
        action["domain"] = [("instance_id", "=", self.id)]
        action["context"] = {"default_instance_id": self.id}
        return action

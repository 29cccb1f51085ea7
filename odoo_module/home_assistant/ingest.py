"""Storing one verified push batch (docs/protocol.md §3): registries, states, counters, bus.

Called by `ha.instance._ingest_batch`, which the push controller calls once the signature
verified. Plain functions over the ORM: each model keeps how its own records change
(`_apply_events`, `_claim`, `_record`), this module keeps their order and the answer.
"""

from odoo import fields

from .push_schema import parse_batch

BUS_NOTIFICATION_TYPE = "home_assistant/entities"


def ingest_batch(instance, payload):
    """Store one signed, decoded push batch in the current transaction; return the answer.

    Raises `PushSchemaError` (nothing written) when the payload is not a valid batch.
    Safe to run again on Odoo's retry after a serialization failure: the whole
    transaction is rolled back before a retry, and per instance batches are serialized by
    a row lock, so a concurrent retry of the same batch is recognised as a duplicate.
    """
    instance.ensure_one()
    env = instance.env
    batch = parse_batch(payload)
    instance._lock_for_ingest()
    now = fields.Datetime.now()
    if not env["ha.push.batch"]._claim(instance, batch):
        instance.write({"duplicate_count": instance.duplicate_count + 1, "last_seen": now})
        return _answer(batch, accepted=0, duplicate=True)

    floors = env["ha.floor"]._apply_events(
        instance, batch.floors, {event.floor_id for event in batch.areas} - {None}
    )
    labels = env["ha.label"]._apply_events(instance, batch.labels, named_label_ids(batch))
    areas = env["ha.area"]._apply_events(instance, batch.areas, floors, labels)
    devices = env["ha.device"]._apply_events(instance, batch.devices, areas, labels)
    changed = env["ha.entity"]._apply_events(
        instance, batch.entities, batch.states, devices, areas, labels
    )
    instance._apply_system_events(batch.systems, now)
    if batch.snapshot:
        changed |= env["ha.snapshot.part"]._record(instance, batch)

    instance.write(
        {
            "last_seen": now,
            "last_seq": batch.seq,
            "batch_count": instance.batch_count + 1,
            "event_count": instance.event_count + batch.event_count,
            "seq_gap_count": instance.seq_gap_count
            + sequence_gap(int(instance.last_seq), batch.seq),
        }
    )
    notify_entities(instance, changed)
    return _answer(batch, accepted=batch.event_count, duplicate=False)


def named_label_ids(batch):
    """The label ids the batch's areas, devices and entities carry."""
    return {
        label_id
        for event in (*batch.areas, *batch.devices, *batch.entities)
        for label_id in event.labels or ()
    }


def sequence_gap(last_seq, seq):
    """How many batches were numbered between `last_seq` and `seq` but never received.

    Nothing is missing after a (re-)pairing (`last_seq` 0) nor when Home Assistant's
    numbering restarted below the last one.
    """
    return seq - last_seq - 1 if last_seq and seq > last_seq else 0


def notify_entities(instance, entities):
    """Send the changed entities' compact states on the instance's own bus channel.

    Only users allowed to read the instance subscribe to that channel (see
    `ir.websocket._build_bus_channel_list`), so this is never a broadcast. The valid shares
    holding some of them get theirs on their own channels.
    """
    if entities:
        states = entities._compact_states()
        instance._bus_send(BUS_NOTIFICATION_TYPE, {"instance_id": instance.id, "entities": states})
        instance.env["ha.share"]._notify_shares(entities, states)


def _answer(batch, accepted, duplicate):
    return {"ok": True, "batch_id": batch.batch_id, "accepted": accepted, "duplicate": duplicate}

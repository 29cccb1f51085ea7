"""Faults survived end to end: Odoo down, PostgreSQL restarted, Odoo failing or slow,
Home Assistant killed, Odoo in prefork mode under concurrent and retried pushes, and the
secret rotated while pushes are in flight.

This module runs its own Odoo on a private PostgreSQL cluster (restarting the machine's
shared cluster would break other test runs) and its own Home Assistant, paired through a
switchable proxy. Each test prints sent, stored, duplicated and lost.

    BRIDGE_LONG_FAULTS=1   the Odoo outage lasts 10 minutes instead of 60 s
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from stack import (
    HomeAssistant,
    OdooServer,
    pair_synthetic_instance,
    signed_headers,
    signing,
    wait_for,
)

from .bridge import (
    CREATED_SECRETS,
    FaultProxy,
    PrivateCluster,
    StateStream,
    current_states_match,
    json_body,
    pair_through,
    print_counts,
    remember_pairing_secrets,
    running_hass,
    running_odoo,
)

OUTAGE_SECONDS = 600 if os.environ.get("BRIDGE_LONG_FAULTS") == "1" else 60
RATE = 50  # state changes per second


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    """A PostgreSQL cluster only this module uses."""
    private = PrivateCluster()
    private.create()
    try:
        yield private
    finally:
        private.destroy()


@pytest.fixture(scope="module")
def odoo_f(cluster: PrivateCluster, work_dir: Path) -> Iterator[OdooServer]:
    """Odoo on the private cluster, with the addon installed."""
    with running_odoo("ha_bridge_faults", work_dir / "odoo-faults", db_port=cluster.port) as server:
        yield server


@pytest.fixture(scope="module")
def proxy(odoo_f: OdooServer) -> Iterator[FaultProxy]:
    """The switchable proxy in front of that Odoo."""
    server = FaultProxy(odoo_f.http_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hass_f(work_dir: Path) -> Iterator[HomeAssistant]:
    """A Home Assistant of this module, logging the integration at debug level."""
    with running_hass(work_dir / "ha-faults", debug_logging=True) as server:
        yield server


@pytest.fixture(scope="module")
def paired_f(hass_f: HomeAssistant, odoo_f: OdooServer, proxy: FaultProxy) -> dict[str, Any]:
    """hass_f paired with odoo_f through the proxy (pushes go through it too)."""
    result = pair_through(hass_f, odoo_f, proxy.url)
    wait_for(lambda: odoo_f.rpc().env["ha.entity"].search_count([]) > 0, 120, "the first snapshot")
    return result


def finish(what: str, stream: StateStream, odoo: OdooServer, hass: HomeAssistant, **extra: Any):
    """Wait for delivery, check the counts and current states, print them."""
    drain = stream.wait_delivered(odoo, timeout=max(180, OUTAGE_SECONDS))
    counts = stream.count(odoo)
    wait_for(
        lambda: current_states_match(hass, odoo, stream.entity_ids), 60, "Odoo's current states"
    )
    print_counts(what, {**counts, "http_failures": stream.failures, **extra})
    assert counts["lost"] == 0
    assert counts["duplicated"] == 0
    return drain, counts


def test_odoo_outage_at_50_changes_per_second(
    paired_f: dict[str, Any], hass_f: HomeAssistant, odoo_f: OdooServer
) -> None:
    """Odoo stopped while HA changes 50 states/s: all arrive once it is back, exactly once."""
    stream = StateStream(hass_f, "outage")
    odoo_f.stop()
    started = time.monotonic()
    stream.run(OUTAGE_SECONDS, RATE)
    outage = time.monotonic() - started
    odoo_f.start()
    restarted = time.monotonic()
    drain = stream.wait_delivered(odoo_f, timeout=max(300, OUTAGE_SECONDS))
    total_drain = time.monotonic() - restarted
    finish(
        "odoo outage",
        stream,
        odoo_f,
        hass_f,
        outage_s=round(outage),
        achieved_rate=round(stream.total / outage, 1),
        drain_after_restart_s=round(total_drain, 1),
    )
    assert drain <= total_drain


def test_postgresql_restarted_mid_stream(
    paired_f: dict[str, Any],
    hass_f: HomeAssistant,
    odoo_f: OdooServer,
    cluster: PrivateCluster,
    proxy: FaultProxy,
) -> None:
    """PostgreSQL restarted while HA streams: Odoo's errors are retried, nothing is lost."""
    proxy.answers.clear()
    stream = StateStream(hass_f, "pg_restart")
    stop = threading.Event()
    sender = threading.Thread(target=stream.run, args=(20, RATE, stop))
    sender.start()
    time.sleep(6)
    restart_started = time.monotonic()
    cluster.restart()
    restart = time.monotonic() - restart_started
    sender.join()
    finish(
        "postgresql restart",
        stream,
        odoo_f,
        hass_f,
        pg_restart_s=round(restart, 1),
        proxy_answers=dict(proxy.answers),
    )


@pytest.mark.parametrize("status", [503, 500])
def test_odoo_answering_errors_for_a_while(
    status: int,
    paired_f: dict[str, Any],
    hass_f: HomeAssistant,
    odoo_f: OdooServer,
    proxy: FaultProxy,
) -> None:
    """Odoo answering 503 (or 500) for 12 s: HA retries, nothing lost or duplicated."""
    proxy.answers.clear()
    stream = StateStream(hass_f, f"answer_{status}")
    with proxy.failing(status):
        stream.run(12, RATE)
    refused = proxy.answers[status]
    finish(f"odoo answering {status}", stream, odoo_f, hass_f, refused_pushes=refused)
    assert refused > 0


def test_slow_odoo(
    paired_f: dict[str, Any], hass_f: HomeAssistant, odoo_f: OdooServer, proxy: FaultProxy
) -> None:
    """Each push answered after 3 s for 15 s: batches grow, nothing lost or duplicated."""
    proxy.answers.clear()
    stream = StateStream(hass_f, "slow")
    with proxy.slow(3):
        stream.run(15, RATE)
    finish("slow odoo (3 s per answer)", stream, odoo_f, hass_f, answers=dict(proxy.answers))


def test_home_assistant_killed(
    paired_f: dict[str, Any], hass_f: HomeAssistant, odoo_f: OdooServer, proxy: FaultProxy
) -> None:
    """SIGKILL with 25 s of changes queued: the snapshot after restart corrects current
    states, and only changes of the last second are lost (the journal commits every 0.5 s)."""
    stream = StateStream(hass_f, "sigkill")
    stream.run(10, RATE)
    with proxy.failing(503):  # a backlog HA cannot deliver
        stream.run(25, RATE)
        killed_at = time.monotonic()
        assert hass_f.process is not None
        hass_f.process.kill()
    hass_f.start()
    hass_f.onboard()
    # The snapshot after the restart: states HA no longer has are archived in Odoo.
    wait_for(
        lambda: current_states_match(hass_f, odoo_f, stream.entity_ids),
        180,
        "the snapshot correcting Odoo's current states",
        interval=1,
    )
    time.sleep(5)  # let the restored outbox drain
    lost = stream.lost(odoo_f)
    lost_ages = [killed_at - at for at, e, v in stream.sent_at if (e, v) in lost]
    counts = stream.count(odoo_f)
    print_counts(
        "sigkill",
        {
            **counts,
            "current_states_corrected": True,
            "oldest_lost_age_s": round(max(lost_ages), 1) if lost_ages else None,
            "newest_lost_age_s": round(min(lost_ages), 1) if lost_ages else None,
        },
    )
    assert counts["duplicated"] == 0
    # At most 1 s of changes: everything queued more than 1 s before the kill survived.
    assert counts["lost"] <= RATE
    assert not lost_ages or max(lost_ages) <= 1


def raw_push(session: requests.Session, url: str, secret: str, body: bytes) -> requests.Response:
    """POST one signed body (a fresh nonce each time, as a retry does)."""
    headers = {"Content-Type": "application/json"}
    headers.update(signed_headers(secret, signing.PURPOSE_PUSH, body))
    return session.post(url, data=body, headers=headers, timeout=120)


def fake_instance(odoo: OdooServer, name: str) -> tuple[str, str]:
    """Pair a synthetic HA through ha_pair; return its push URL and secret."""
    instance = pair_synthetic_instance(odoo, name)
    CREATED_SECRETS.add(instance["secret"])
    return instance["push_url"], instance["secret"]


def test_prefork_concurrent_instances_and_parallel_retries(
    paired_f: dict[str, Any], hass_f: HomeAssistant, odoo_f: OdooServer, proxy: FaultProxy
) -> None:
    """Odoo with 2 workers; HA plus 3 signed pushers, every batch sent twice at once.

    No duplicates stored, no 5xx, no serialization error reaching a client, and for each
    batch exactly one answer with "duplicate": false.
    """
    odoo_f.stop()
    odoo_f.workers = 2
    odoo_f.start()
    pushers = [fake_instance(odoo_f, f"Pusher {index}") for index in range(3)]
    batches_per_pusher, events_per_batch = 40, 25
    answers: Counter[int] = Counter()
    bodies_with_errors: list[str] = []
    fresh: Counter[str] = Counter()
    lock = threading.Lock()

    def play(index: int) -> None:
        url, secret = pushers[index]
        session = requests.Session()
        for seq in range(1, batches_per_pusher + 1):
            batch_id = uuid.uuid4().hex
            now = datetime.now(UTC)
            events = [
                {
                    "t": "state",
                    "entity_id": f"sensor.pusher_{index}_{n}",
                    "state": f"{seq}",
                    "attributes": {"friendly_name": f"Pusher {index} {n}"},
                    "last_changed": now.isoformat(timespec="microseconds"),
                    "last_updated": now.isoformat(timespec="microseconds"),
                }
                for n in range(events_per_batch)
            ]
            body = json_body(
                {
                    "v": 1,
                    "batch_id": batch_id,
                    "seq": seq,
                    "sent_at": now.isoformat(timespec="microseconds"),
                    "snapshot": False,
                    "events": events,
                }
            )
            # The batch and its retry race each other, as after a timed-out first attempt.
            with ThreadPoolExecutor(2) as both:
                responses = list(
                    both.map(lambda _, body=body: raw_push(session, url, secret, body), (1, 2))
                )
            with lock:
                for response in responses:
                    answers[response.status_code] += 1
                    if response.status_code != 200 or "serializ" in response.text.lower():
                        bodies_with_errors.append(f"{response.status_code} {response.text[:200]}")
                    elif not response.json()["duplicate"]:
                        fresh[batch_id] += 1

    stream = StateStream(hass_f, "prefork")
    sender = threading.Thread(target=stream.run, args=(20, RATE))
    sender.start()
    with ThreadPoolExecutor(len(pushers)) as pool:
        list(pool.map(play, range(len(pushers))))
    sender.join()
    client = odoo_f.rpc()
    history = client.env["ha.entity.history"].search_count(
        [("entity_id.entity_id", "=like", "sensor.pusher_%")]
    )
    expected = len(pushers) * batches_per_pusher * events_per_batch
    finish(
        "prefork, 3 pushers + HA, parallel retries",
        stream,
        odoo_f,
        hass_f,
        batches=len(pushers) * batches_per_pusher,
        requests=sum(answers.values()),
        answers=dict(answers),
        pusher_events_sent=expected,
        pusher_history_rows=history,
    )
    assert bodies_with_errors == []
    assert set(fresh.values()) == {1}
    assert len(fresh) == len(pushers) * batches_per_pusher
    assert history == expected


def test_pairing_again_while_pushes_are_in_flight(
    paired_f: dict[str, Any], hass_f: HomeAssistant, odoo_f: OdooServer, proxy: FaultProxy
) -> None:
    """Reconfigure (pair again, rotating the secret) in the middle of a stream: nothing lost."""
    before = {row["uuid"]: row["secret"] for row in _instances(odoo_f)}
    _, entries = hass_f.api("GET", "/api/config/config_entries/entry?domain=odoo")
    entry = entries[0]
    stream = StateStream(hass_f, "rotation")
    sender = threading.Thread(target=stream.run, args=(20, RATE))
    sender.start()
    time.sleep(7)
    status, flow = hass_f.api(
        "POST",
        "/api/config/config_entries/flow",
        {"handler": "odoo", "entry_id": entry["entry_id"]},
    )
    assert status == 200, flow
    # Another spelling of the proxy's address: a new URL, so the flow pairs again.
    status, result = hass_f.api(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"url": proxy.url.replace("127.0.0.1", "localhost"), "ha_url": hass_f.url},
    )
    sender.join()
    assert status == 200, result
    assert result.get("reason") == "reconfigure_successful", result
    remember_pairing_secrets(odoo_f)
    after = {row["uuid"]: row["secret"] for row in _instances(odoo_f)}
    rotated = [uuid_ for uuid_, secret in after.items() if before.get(uuid_) != secret]
    finish("secret rotation while pushing", stream, odoo_f, hass_f, rotated_instances=len(rotated))
    assert rotated


def _instances(odoo: OdooServer) -> list[dict[str, Any]]:
    return list(odoo.rpc().env["ha.instance"].search_read([], ["uuid", "secret"]))

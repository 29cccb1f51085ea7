"""Quality scale: manifest rules, translations and icons, system health, the repair flow."""

import json
import re
from pathlib import Path
from typing import Any

import yaml
from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry, get_system_health_info
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

import custom_components.odoo
from custom_components.odoo.const import (
    CONF_SECRET,
    DOMAIN,
)

from .conftest import setup_entry, wait_for
from .fake_odoo import FakeOdoo, ScriptedAnswer

PACKAGE = Path(custom_components.odoo.__file__).parent
REQUIRED_KEYS = {
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "dependencies",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "requirements",
    "version",
}


def _load_json(name: str) -> dict[str, Any]:
    """Return a JSON file of the integration."""
    data: dict[str, Any] = json.loads((PACKAGE / name).read_text("utf-8"))
    return data


def test_manifest_passes_hassfest_rules_for_custom_integrations() -> None:
    """Required keys, hassfest's key order, a parseable version and the folder's domain."""
    manifest = _load_json("manifest.json")
    assert set(manifest) >= REQUIRED_KEYS
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == PACKAGE.name == DOMAIN
    version = AwesomeVersion(manifest["version"])
    assert version.strategy in (
        AwesomeVersionStrategy.SEMVER,
        AwesomeVersionStrategy.SIMPLEVER,
        AwesomeVersionStrategy.CALVER,
        AwesomeVersionStrategy.PEP440,
    )
    assert manifest["iot_class"] == "local_push"
    assert manifest["integration_type"] == "service"
    assert all(re.fullmatch(r"[\w.-]+==[\w.]+", req) for req in manifest["requirements"])
    assert "webhook" in manifest["dependencies"]


def test_quality_scale_names_a_status_for_every_rule() -> None:
    """Every rule up to Gold is listed, each done, todo, or exempt with a reason."""
    rules = yaml.safe_load((PACKAGE / "quality_scale.yaml").read_text("utf-8"))["rules"]
    assert len(rules) >= 40
    for rule, status in rules.items():
        if isinstance(status, dict):
            assert status["status"] in ("done", "exempt", "todo"), rule
            if status["status"] == "exempt":
                assert status["comment"], rule
        else:
            assert status in ("done", "todo"), rule


def test_every_service_and_exception_is_translated() -> None:
    """services.yaml fields, icons and every translation key the code raises exist in English."""
    strings = _load_json("translations/en.json")
    services = yaml.safe_load((PACKAGE / "services.yaml").read_text("utf-8"))
    icons = _load_json("icons.json")
    for service, spec in services.items():
        assert set(spec["fields"]) == set(strings["services"][service]["fields"])
        assert service in icons["services"]
    used = set()
    for module in PACKAGE.glob("*.py"):
        used |= set(
            re.findall(
                r'translation_domain=DOMAIN,\s+translation_key="(\w+)"', module.read_text("utf-8")
            )
        )
    assert {"odoo_refused", "entry_required", "unknown_entry"} <= used
    assert used <= set(strings["exceptions"])
    for platform, entities in strings["entity"].items():
        assert set(entities) == set(icons["entity"][platform])


async def test_system_health_reports_reachability_and_outbox(
    hass: HomeAssistant, odoo: FakeOdoo, config_entry: MockConfigEntry
) -> None:
    """System health shows whether Odoo answers, the last push and the outbox size."""
    assert await async_setup_component(hass, "system_health", {})
    await setup_entry(hass, config_entry)
    await wait_for(lambda: config_entry.runtime_data.outbox.status.last_success is not None)
    info = await get_system_health_info(hass, DOMAIN)
    info["can_reach_server"] = await info["can_reach_server"]
    assert info["pairings"] == 1
    assert info["can_reach_server"] == "ok"
    assert info["connected"] == 1
    assert info["outbox_size"] == 0
    assert info["last_successful_push"] != "-"
    hass.config_entries.async_update_entry(
        config_entry, data={**config_entry.data, "url": "http://127.0.0.1:9"}
    )
    # A changed pairing reloads the entry.
    await hass.async_block_till_done()
    info = await get_system_health_info(hass, DOMAIN)
    assert (await info["can_reach_server"])["type"] == "failed"


async def test_repair_pairs_again_after_odoo_removed_the_pairing(
    hass: HomeAssistant,
    odoo: FakeOdoo,
    config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """The instance_removed issue's fix flow pairs again (new secret) and pushing resumes."""
    assert await async_setup_component(hass, "repairs", {})
    await setup_entry(hass, config_entry)
    await wait_for(lambda: bool(odoo.batches))
    odoo.scripted.append(ScriptedAnswer(410, "instance_removed"))
    hass.states.async_set("sensor.freezer", "-18")
    issue_id = f"instance_removed_{config_entry.entry_id}"
    await wait_for(lambda: issue_registry.async_get_issue(DOMAIN, issue_id) is not None)
    assert issue_registry.async_get_issue(DOMAIN, issue_id).is_fixable
    old_secret = config_entry.data[CONF_SECRET]

    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    flow = await response.json()
    assert flow["step_id"] == "confirm"
    assert flow["description_placeholders"] == {"title": config_entry.title}

    odoo.users["admin"] = "rotated"
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    flow = await response.json()
    assert flow["errors"] == {"base": "invalid_auth"}

    odoo.users["admin"] = "key-123"
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}", json={})
    assert (await response.json())["type"] == "create_entry"
    await hass.async_block_till_done()
    assert config_entry.data[CONF_SECRET] != old_secret
    assert odoo.pair_calls[-1]["secret"] == config_entry.data[CONF_SECRET]
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
    await wait_for(lambda: odoo.states.get("sensor.freezer", {}).get("state") == "-18")

"""Translations: every field is described, and Traditional Chinese covers every English string."""

import json
from pathlib import Path
from typing import Any

import pytest

import custom_components.odoo

TRANSLATIONS = Path(custom_components.odoo.__file__).parent / "translations"


def _load(language: str) -> dict[str, Any]:
    """Return a translation file."""
    data: dict[str, Any] = json.loads((TRANSLATIONS / f"{language}.json").read_text("utf-8"))
    return data


def _paths(tree: dict[str, Any], prefix: str = "") -> set[str]:
    """Return every key path of a nested dict."""
    paths = set()
    for key, value in tree.items():
        paths.add(prefix + key)
        if isinstance(value, dict):
            paths |= _paths(value, f"{prefix}{key}.")
    return paths


def test_traditional_chinese_covers_english() -> None:
    """zh-Hant has exactly the keys of en."""
    assert _paths(_load("zh-Hant")) == _paths(_load("en"))


@pytest.mark.parametrize("language", ["en", "zh-Hant"])
def test_every_field_has_a_description(language: str) -> None:
    """Each form step describes every field it names (`data_description`)."""
    strings = _load(language)
    steps = {**strings["config"]["step"], **strings["options"]["step"]}
    for step in steps.values():
        assert set(step["data"]) == set(step["data_description"])
    assert set(strings["config"]["step"]["credentials"]["data"]) == {
        "database",
        "username",
        "api_key",
        "ha_url",
    }

"""Fixtures shared by the Home Assistant side tests."""

import pytest

# Imported before any hass fixture runs, so the repository's package is the one cached in
# sys.modules rather than the test package's own testing_config/custom_components.
import custom_components  # noqa: F401


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the repository's custom integration in every test."""

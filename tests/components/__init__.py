"""Home Assistant side tests."""

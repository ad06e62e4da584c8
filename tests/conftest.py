"""Shared pytest configuration."""
from __future__ import annotations

import pytest


# ---- reporters: the SARIF Multitool test needs npx (Node.js) and fetches @microsoft/sarif-multitool
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "multitool: runs Microsoft's SARIF Multitool through npx (skipped when npx is missing)"
    )

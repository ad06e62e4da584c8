"""Shared pytest configuration (the markers, `slow` and `multitool`, are registered in pyproject.toml)."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_cache_directory(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's CLI runs (and every calico-lint it starts) cache in a directory of their own: never the
    user's ~/.cache, never what another test left."""
    cache: Path = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))

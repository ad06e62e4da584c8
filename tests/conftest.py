"""Shared pytest configuration (the markers, `slow` and `multitool`, are registered in pyproject.toml)."""
from __future__ import annotations

from typing import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _own_cache_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The CLI's content cache (and every calico-lint a test starts) uses a directory of the test run's,
    never the user's ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield

"""Shared pytest configuration (the markers, `slow` and `multitool`, are registered in pyproject.toml)."""
from __future__ import annotations

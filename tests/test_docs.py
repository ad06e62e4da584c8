"""The rule pages and the README table are generated from rules/*.yaml: fail when they are stale."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("docs_generate", ROOT / "docs" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_up_to_date() -> None:
    stale = _generator().stale_files()
    assert not stale, f"stale generated docs (run `python docs/generate.py`): {[str(p) for p in stale]}"


def test_every_rule_has_a_page_and_a_table_row() -> None:
    files = _generator().expected_files()
    readme = files[ROOT / "README.md"]
    for path in files:
        if path.parent == ROOT / "docs" / "rules":
            assert f"[{path.stem}](docs/rules/{path.stem}.md)" in readme

"""One golden dump of the model per input format: a parser (or python-hcl2, cfn-lint) upgrade shows up as a diff.

Rewrite with CALICO_LINT_UPDATE_SNAPSHOTS=1 after checking the diff is intended.
"""
from __future__ import annotations

import dataclasses
import json
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from linter.config import Config
from linter.discover import discover
from linter.model import Unknown
from linter.scan import build_model
from reporter_support import assert_snapshot

FIXTURES = Path(__file__).parent / "fixtures"
INPUTS = {
    "terraform-hcl": FIXTURES / "rules" / "_cross" / "tf_bgp_ipip",
    "terraform-plan": FIXTURES / "tfplan" / "cluster.tfplan.json",
    "cloudformation": FIXTURES / "rules" / "_cross" / "cfn_bgp_ipip",
    "calico": FIXTURES / "rules" / "_cross" / "calico_pools" / "pools.yaml",
}


def plain(value: Any, root: str) -> Any:
    if isinstance(value, Unknown):
        return {"UNKNOWN": value.expr}
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name), root) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(v, root) for v in value]
    if isinstance(value, str) and value.startswith(root):
        return value[len(root):].lstrip("/") or "."
    return value


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_model_dump(name: str) -> None:
    path = INPUTS[name]
    model = build_model(discover([str(path)]), Config()).model
    root = (path if path.is_dir() else path.parent).as_posix()
    dump = plain(dataclasses.replace(model, files=tuple(sorted(model.files))), root)
    assert_snapshot(f"model-{name}.json", json.dumps(dump, indent=1, sort_keys=False) + "\n")

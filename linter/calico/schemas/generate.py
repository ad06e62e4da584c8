"""Maintainer script: regenerate the compact CAL011 schemas from Calico's CRD OpenAPI schemas.

    python -m linter.calico.schemas.generate PATH_TO_CALICO_SOURCE [--out DIR]

Reads the CustomResourceDefinitions of IPPool, FelixConfiguration and the operator's Installation found
under PATH (e.g. a checkout of projectcalico/calico) and writes, for each, the `spec` subschema cut down
to the fields calico-lint reads (`KEEP`): types, enums, bounds and `required`, without descriptions,
defaults or Kubernetes extensions. The CRDs are never copied wholesale.
"""
from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# the fields we validate, as a tree under `spec`: True keeps a leaf; a dict keeps an object's (or an
# array's items') listed properties
KEEP: dict[str, dict[str, Any]] = {
    "ippool": {
        "cidr": True, "ipipMode": True, "vxlanMode": True, "natOutgoing": True, "disabled": True,
        "disableBGPExport": True, "blockSize": True, "nodeSelector": True,
    },
    "felixconfiguration": {"awsSrcDstCheck": True},
    "installation": {
        "kubernetesProvider": True,
        "cni": {"type": True, "ipam": {"type": True}},
        "calicoNetwork": {
            "bgp": True,
            "clusterRoutingMode": True,
            "ipPools": {"cidr": True, "encapsulation": True, "natOutgoing": True, "disableBGPExport": True,
                        "blockSize": True, "name": True, "nodeSelector": True},
        },
    },
}

# (schema name, CRD group, CRD kind), best source first: the v3 API before the backing CRD
SOURCES: tuple[tuple[str, str, str], ...] = (
    ("ippool", "projectcalico.org", "IPPool"),
    ("ippool", "crd.projectcalico.org", "IPPool"),
    ("felixconfiguration", "projectcalico.org", "FelixConfiguration"),
    ("felixconfiguration", "crd.projectcalico.org", "FelixConfiguration"),
    ("installation", "operator.tigera.io", "Installation"),
)

_FILE_HINTS = ("ippools", "felixconfigurations", "installations")
_KEPT_KEYWORDS = ("type", "enum", "minimum", "maximum", "maxItems", "minItems", "maxLength", "pattern", "format")


@dataclass(frozen=True, slots=True)
class Crd:
    group: str
    kind: str
    version: str
    spec_schema: dict[str, Any]
    path: str  # relative to the source root


def find_crds(root: Path) -> list[Crd]:
    """Every CRD of a kind we validate, in files whose names suggest one, sorted by path."""
    found: list[Crd] = []
    for path in sorted(root.rglob("*.y*ml")):
        if not any(hint in path.name for hint in _FILE_HINTS) or not path.is_file():
            continue
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with path.open(encoding="utf-8") as stream:
            for document in yaml.load_all(stream, Loader=loader):
                crd = _crd_of(document, path.relative_to(root).as_posix())
                if crd is not None:
                    found.append(crd)
    return found


def _crd_of(document: Any, path: str) -> Crd | None:
    if not isinstance(document, dict) or document.get("kind") != "CustomResourceDefinition":
        return None
    spec = document.get("spec") or {}
    group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
    if not isinstance(group, str) or not isinstance(kind, str):
        return None
    for version in spec.get("versions") or ():
        if not version.get("served", True):
            continue
        schema = ((version.get("schema") or {}).get("openAPIV3Schema") or {}).get("properties", {}).get("spec")
        if isinstance(schema, dict):
            return Crd(group, kind, version.get("name", ""), schema, path)
    return None


def compact(schema: dict[str, Any], keep: dict[str, Any] | bool) -> dict[str, Any]:
    """`schema` reduced to the keywords we check and the properties `keep` names."""
    out = {key: schema[key] for key in _KEPT_KEYWORDS if key in schema}
    if not isinstance(keep, dict):  # True: the whole subtree
        return out
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        out["items"] = compact(schema["items"], keep)
        return out
    properties = schema.get("properties") or {}
    out["properties"] = {name: compact(properties[name], sub) for name, sub in keep.items() if name in properties}
    required = [name for name in schema.get("required") or () if name in out["properties"]]
    if required:
        out["required"] = required
    return out


def generate(root: Path) -> dict[str, dict[str, Any]]:
    """Schema name -> compact schema, from the best CRD found for each name."""
    crds = find_crds(root)
    schemas: dict[str, dict[str, Any]] = {}
    for name, group, kind in SOURCES:
        if name in schemas:
            continue
        crd = next((c for c in crds if c.group == group and c.kind == kind), None)
        if crd is None:
            continue
        body = compact(crd.spec_schema, KEEP[name])
        schemas[name] = {
            "$comment": f"generated by linter/calico/schemas/generate.py from {crd.path} "
                        f"({group}/{crd.version} {kind}.spec); do not edit",
            **body,
        }
    return schemas


def write_schemas(schemas: dict[str, dict[str, Any]], out_dir: Path) -> list[Path]:
    written = []
    for name, schema in sorted(schemas.items()):
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m linter.calico.schemas.generate", description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a Calico source tree (holding the CRD YAML files)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="output directory")
    args = parser.parse_args(argv)
    schemas = generate(args.source)
    missing = sorted(set(KEEP) - set(schemas))
    if missing:
        sys.stderr.write(f"no CRD found for: {', '.join(missing)}\n")
        return 1
    for path in write_schemas(schemas, args.out):
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

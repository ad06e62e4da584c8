"""The same cluster three ways gives the same findings, at HCL lines:

(a) flat HCL (`fixtures/tfplan/cluster`), (b) idiomatic HCL with local modules, `for_each`, `dynamic`
blocks, `for` expressions, splats, `optional()` defaults and module outputs
(`fixtures/tfplan/cluster_idiomatic`), (c) the plan JSON of (a) (`fixtures/tfplan/cluster.tfplan.json`).

Addresses differ between (a) and (b), so findings are compared through an explicit table that says
which idiomatic resource is which flat resource; any address in a finding that the table does not
know fails the test, as does any finding missing or extra.
"""
from __future__ import annotations

import datetime
import re
from collections import Counter
from pathlib import Path

import pytest

from linter.config import Config
from linter.engine import load_rules
from linter.model import Finding, Level
from linter.terraform.to_model import resources_to_model
from linter.terraform.modules import TfOptions, load_terraform
from linter.scan import ScanRequest, scan

FIXTURES = Path(__file__).parent / "fixtures" / "tfplan"
FLAT = FIXTURES / "cluster"
IDIOMATIC = FIXTURES / "cluster_idiomatic"
PLAN = FIXTURES / "cluster.tfplan.json"
RULES = load_rules()
TODAY = datetime.date(2025, 1, 1)

# idiomatic address -> the flat address of the same logical resource
SAME_AS_FLAT = {
    "aws_vpc.this": "aws_vpc.main",
    'aws_subnet.this["a"]': "aws_subnet.a",
    'aws_subnet.this["b"]': "aws_subnet.b",
    "module.sg.aws_security_group.controllers": "aws_security_group.controllers",
    "module.sg.aws_security_group.workers": "aws_security_group.workers",
    "aws_security_group_rule.workers_bgp_from_controllers": "aws_security_group_rule.workers_bgp_from_controllers",
    "module.nodes.aws_instance.this": "aws_instance.controller",
    "module.nodes.aws_launch_template.this": "module.workers.aws_launch_template.workers",
    "module.nodes.aws_autoscaling_group.this": "module.workers.aws_autoscaling_group.workers",
    "kubernetes_manifest.pool": "kubernetes_manifest.pool",
}
FLAT_ITSELF = {flat: flat for flat in SAME_AS_FLAT.values()}

# a Terraform address in a message: optional module path, type_with_underscore.name, optional key
_ADDRESS = re.compile(r'(?:module\.[\w-]+(?:\[[^\]]*\])?\.)*(?:data\.)?[a-z0-9]+_[a-z0-9_]+\.[\w-]+(?:\[[^\]]*\])?')
_NAME = r'(?:itself|[\w"\[\]-]+(?:\.[\w"\[\]-]+)+)'
_ENUMERATION = re.compile(rf'{_NAME}(?:, {_NAME})+')


def _scan(path: Path, config: Config = Config()) -> list[Finding]:
    report, _model = scan(ScanRequest((str(path),), config, FIXTURES.as_posix(), TODAY), RULES)
    return list(report.findings)


def _address(address: str, table: dict[str, str]) -> str:
    assert address in table, f"no entry for {address!r} in the mapping table"
    return table[address]


def _message(message: str, table: dict[str, str]) -> str:
    """Addresses replaced through the table; enumerations of names (sorted by address, so in a
    different order once renamed) sorted again."""
    renamed = _ADDRESS.sub(lambda m: _address(m.group(0), table), message)
    return _ENUMERATION.sub(lambda m: ", ".join(sorted(m.group(0).split(", "))), renamed)


def _logical(findings: list[Finding], table: dict[str, str]) -> Counter:
    return Counter((f.rule, f.level.value, _address(f.where.address, table), _message(f.message, table),
                    f.suppressed, tuple(sorted((_address(r.where.address, table), _message(r.why, table))
                                               for r in f.related)))
                   for f in findings)


@pytest.fixture(scope="module")
def idiomatic() -> list[Finding]:
    return _scan(IDIOMATIC)


def test_three_ways_give_identical_findings(idiomatic: list[Finding]) -> None:
    flat = _logical(_scan(FLAT), FLAT_ITSELF)
    plan = _logical(_scan(PLAN, Config(tf_root=FLAT.as_posix())), FLAT_ITSELF)
    assert plan == flat
    assert _logical(idiomatic, SAME_AS_FLAT) == flat  # Counter equality: nothing missing, nothing extra
    assert {"CAL003", "CAL004", "CAL005", "CAL007", "CAL008", "CAL009"} <= {key[0] for key in flat}
    assert not any(f.level is Level.NOTE for f in idiomatic)  # nothing left undetermined


def test_normalisation_is_not_vacuous(idiomatic: list[Finding]) -> None:
    flat = _logical(_scan(FLAT), FLAT_ITSELF)
    fewer = _logical(idiomatic[1:], SAME_AS_FLAT)
    assert fewer != flat
    with pytest.raises(AssertionError, match="no entry"):
        _logical(idiomatic, {k: v for k, v in SAME_AS_FLAT.items() if "aws_instance" not in k})
    assert _message("x out to b.c, itself, a_b.c", {"a_b.c": "z_z.c"}) == "x out to b.c, itself, z_z.c"


def _line(path: Path, text: str, start: int = 1) -> int:
    lines = path.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if n >= start and line.strip().startswith(text))


def test_idiomatic_findings_point_at_idiomatic_lines(idiomatic: list[Finding]) -> None:
    at = {f.rule: f for f in idiomatic}
    sg_file, nodes_file, root_file = IDIOMATIC / "modules/sg/main.tf", IDIOMATIC / "modules/nodes/main.tf", \
        IDIOMATIC / "main.tf"
    assert all(f.where.file.startswith(IDIOMATIC.as_posix()) and f.where.file.endswith(".tf") for f in idiomatic)
    # the BGP-from-anywhere rule comes from a dynamic block: located at that block
    controllers = _line(sg_file, 'resource "aws_security_group" "controllers"')
    assert (at["CAL008"].where.file, at["CAL008"].where.line) == \
        (sg_file.as_posix(), _line(sg_file, 'dynamic "ingress"', controllers))
    # the autoscaling group of the for_each'd module, with its launch template (count = 1) related
    assert (at["CAL003"].where.file, at["CAL003"].where.line) == \
        (nodes_file.as_posix(), _line(nodes_file, 'resource "aws_autoscaling_group" "this"'))
    assert [(r.where.file, r.where.line) for r in at["CAL003"].related] == \
        [(nodes_file.as_posix(), _line(nodes_file, 'resource "aws_launch_template" "this"'))]
    assert (at["CAL009"].where.file, at["CAL009"].where.line) == \
        (sg_file.as_posix(), _line(sg_file, 'resource "aws_security_group" "workers"'))
    assert {(r.where.file, r.where.line) for r in at["CAL009"].related} == {
        (nodes_file.as_posix(), _line(nodes_file, 'resource "aws_instance" "this"')),
        (nodes_file.as_posix(), _line(nodes_file, 'resource "aws_autoscaling_group" "this"'))}
    # the inline suppression above the pool applies
    assert (at["CAL005"].where.file, at["CAL005"].where.line, at["CAL005"].suppressed) == \
        (root_file.as_posix(), _line(root_file, 'resource "kubernetes_manifest" "pool"'), True)


def test_idiomatic_model_matches_flat_model() -> None:
    def model(path: Path, options: TfOptions = TfOptions()):
        return resources_to_model(load_terraform([str(path)], options).resources)

    flat, idiomatic = model(FLAT), model(IDIOMATIC)
    rename = SAME_AS_FLAT.get
    assert {rename(s.key): (s.cidr, rename(s.vpc), s.zone) for s in idiomatic.subnets} == \
        {s.key: (s.cidr, s.vpc, s.zone) for s in flat.subnets}
    assert {rename(n.key): (tuple(map(rename, n.security_groups)), tuple(map(rename, n.subnets)), n.src_dst_check,
                            n.multiple) for n in idiomatic.node_groups} == \
        {n.key: (n.security_groups, n.subnets, n.src_dst_check, n.multiple) for n in flat.node_groups}

    def rules(m) -> Counter:
        return Counter((rename(r.group) or r.group, r.direction, r.protocol, r.ports,
                        tuple(sorted(str(rename(getattr(s, "group", None)) or s) for s in r.sources)))
                       for r in m.sg_rules)

    assert rules(idiomatic) == Counter(
        (r.group, r.direction, r.protocol, r.ports, tuple(sorted(str(getattr(s, "group", None) or s) for s in r.sources)))
        for r in flat.sg_rules)
    # a variable default flipped: the dynamic block grows an IP-in-IP rule at the same line
    ipip = model(IDIOMATIC, TfOptions(variables=(("ipip_enabled", "true"),)))
    extra = [r for r in ipip.sg_rules if r.protocol == 4]
    assert [(r.group, r.where.line) for r in extra] == \
        [("module.sg.aws_security_group.controllers",
          _line(IDIOMATIC / "modules/sg/main.tf", 'dynamic "ingress"'))]


def test_security_groups_of_for_each_module_instances_stay_distinct(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        'variable "name" {}\nresource "aws_security_group" "this" {\n  name = var.name\n}\n'
        'output "id" {\n  value = aws_security_group.this.id\n}\n')
    (tmp_path / "main.tf").write_text(
        'module "pool" {\n  source   = "./m"\n  for_each = toset(["a", "b"])\n  name     = each.key\n}\n')
    groups = resources_to_model(load_terraform([str(tmp_path)]).resources).security_groups
    assert sorted(g.key for g in groups) == ['module.pool.aws_security_group.this["a"]',
                                             'module.pool.aws_security_group.this["b"]']


def test_references_inside_for_each_module_instances_name_their_own_instance(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        'resource "aws_security_group" "this" {}\n'
        'resource "aws_instance" "node" {\n  count = 2\n  vpc_security_group_ids = [aws_security_group.this.id]\n}\n')
    (tmp_path / "main.tf").write_text('module "pool" {\n  source   = "./m"\n  for_each = toset(["a", "b"])\n}\n')
    model = resources_to_model(load_terraform([str(tmp_path)]).resources)
    # one node group per module instance, each with its own group; they share the address
    assert sorted((n.key, n.label, n.security_groups) for n in model.node_groups) == [
        ("module.pool.aws_instance.node", "module.pool.aws_instance.node [a]",
         ('module.pool.aws_security_group.this["a"]',)),
        ("module.pool.aws_instance.node", "module.pool.aws_instance.node [b]",
         ('module.pool.aws_security_group.this["b"]',))]
    assert {g.key for g in model.security_groups} == {g for n in model.node_groups for g in n.security_groups}


def test_json_syntax_gives_identical_findings_at_json_lines() -> None:
    """(a) again, in Terraform's JSON syntax (`fixtures/tfplan/cluster_json/*.tf.json`)."""
    from_json = _scan(FIXTURES / "cluster_json")
    assert _logical(from_json, FLAT_ITSELF) == _logical(_scan(FLAT), FLAT_ITSELF)
    main = FIXTURES / "cluster_json" / "main.tf.json"
    at = {f.rule: f for f in from_json}
    controllers = _line(main, '"controllers": {')
    bgp = _line(main, '"from_port": 179', controllers)
    assert (at["CAL008"].where.file, at["CAL008"].where.line) == (main.as_posix(), _line(main, "{", bgp - 3))
    assert (at["CAL007"].where.line, at["CAL007"].related[0].where.line) == \
        (_line(main, '"pool": {'), _line(main, '"main": {'))
    assert at["CAL005"].suppressed is True


def test_node_pools_of_a_for_each_module_are_judged_pair_by_pair(tmp_path: Path) -> None:
    """Each module instance's nodes admit only their own group: BGP between the pools is blocked."""
    import datetime

    from linter.config import Config
    from linter.engine import load_rules
    from linter.scan import ScanRequest, scan

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        'resource "aws_security_group" "this" {\n'
        '  ingress {\n    protocol  = "-1"\n    from_port = 0\n    to_port   = 0\n    self      = true\n  }\n'
        '  egress {\n    protocol    = "-1"\n    from_port   = 0\n    to_port     = 0\n'
        '    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n'
        'resource "aws_instance" "node" {\n  count                  = 2\n'
        '  vpc_security_group_ids = [aws_security_group.this.id]\n  source_dest_check      = false\n}\n')
    (tmp_path / "main.tf").write_text('module "pool" {\n  source   = "./m"\n  for_each = toset(["a", "b"])\n}\n')
    request = ScanRequest((str(tmp_path),), Config(), tmp_path.as_posix(), datetime.date(2026, 12, 1))
    report, _ = scan(request, load_rules())
    blocked = sorted(f.message for f in report.findings if f.rule == "CAL001")
    assert blocked == [
        "module.pool.aws_instance.node [a] does not admit BGP (TCP 179) from module.pool.aws_instance.node [b]",
        "module.pool.aws_instance.node [b] does not admit BGP (TCP 179) from module.pool.aws_instance.node [a]"]
    assert len({f.fingerprint for f in report.findings}) == len(report.findings)

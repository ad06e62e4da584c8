"""Property-based tests of the engine on random models: it never raises, and allowing more never finds more."""
from __future__ import annotations

import dataclasses

from hypothesis import given, settings, strategies as st

from linter.engine import load_rules, run
from linter.engine.predicates import SubjectKind, Atom
from linter.model import (
    CidrSource, Direction, GroupSource, Level, Model, NodeGroup, NodeKind, PortRange, SecurityGroup, SgRule, Subnet,
    Unknown, Vpc, Where,
)

RULES = load_rules()
FILE = "/repo/main.tf"
GROUPS = ("sg.a", "sg.b", "sg.c")
SUBNETS = ("subnet.x", "subnet.y")
# rules between node groups; "monotone" ones only require that traffic be admitted (more rules, fewer failures)
NODE_PAIR_RULES = {r.id for r in RULES if r.checks and all(c.subject is SubjectKind.NODE_PAIR for c in r.checks)}
MONOTONE_RULES = {r.id for r in RULES if r.id in NODE_PAIR_RULES
                  and all(isinstance(c.require, Atom) and c.require.name == "admits" for c in r.checks)}


def where(line: int, address: str) -> Where:
    return Where(FILE, line, 1, address)


protocols = st.sampled_from([-1, 6, 17, 4, 94, 1])
ports = st.one_of(st.none(), st.sampled_from([PortRange(179, 179), PortRange(0, 65535), PortRange(4789, 4789),
                                              PortRange(22, 22), PortRange(100, 200)]))
sources = st.one_of(
    st.builds(GroupSource, st.one_of(st.none(), st.sampled_from(GROUPS))),
    st.builds(CidrSource, st.sampled_from(["0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "192.168.0.0/16"])),
    st.just(Unknown("var.peer")),
)


@st.composite
def sg_rules(draw: st.DrawFn) -> SgRule:
    line = draw(st.integers(1, 500))
    return SgRule(draw(st.sampled_from(GROUPS)), draw(st.sampled_from(list(Direction))), draw(protocols), draw(ports),
                  tuple(draw(st.lists(sources, min_size=1, max_size=2))), where(line, f"rule.r{line}"))


@st.composite
def node_groups(draw: st.DrawFn, index: int) -> NodeGroup:
    address = f"aws_instance.node{index}"  # a Kubernetes word: a node whatever its rules
    groups = tuple(draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=2, unique=True)))
    subnets = tuple(draw(st.lists(st.sampled_from(SUBNETS), min_size=1, max_size=2, unique=True)))
    check = draw(st.sampled_from([True, False, Unknown("var.check")]))
    multiple = draw(st.sampled_from([True, False, Unknown("var.count")]))
    return NodeGroup(address, NodeKind.INSTANCE, where(600 + index, address), groups, subnets, check,
                     where(600 + index, address), multiple=multiple)


@st.composite
def models(draw: st.DrawFn) -> Model:
    count = draw(st.integers(1, 3))
    nodes = tuple(draw(node_groups(i)) for i in range(count))
    return Model(
        vpcs=(Vpc("aws_vpc.main", ("10.0.0.0/16",), where(1, "aws_vpc.main")),),
        subnets=(Subnet("subnet.x", "10.0.1.0/24", where(2, "subnet.x"), "aws_vpc.main"),
                 Subnet("subnet.y", "10.0.2.0/24", where(3, "subnet.y"), "aws_vpc.main")),
        security_groups=tuple(SecurityGroup(g, where(10 + i, g), "aws_vpc.main") for i, g in enumerate(GROUPS)),
        sg_rules=tuple(draw(st.lists(sg_rules(), max_size=8))),
        node_groups=nodes,
    )


def failures(model: Model, rules: set[str]) -> list:
    return [f for f in run(model, RULES).findings if f.rule in rules and f.level is not Level.NOTE]


@settings(max_examples=150, deadline=None)
@given(models())
def test_engine_never_raises_and_is_deterministic(model: Model) -> None:
    first = run(model, RULES)
    assert first == run(model, RULES)
    known = {r.id for r in RULES}
    for finding in first.findings:
        assert finding.rule in known and finding.where.file == FILE and finding.message
        assert "{" not in finding.message, finding.message  # every message field was filled


@settings(max_examples=150, deadline=None)
@given(models(), sg_rules())
def test_allowing_more_never_finds_more_blocked_traffic(model: Model, extra: SgRule) -> None:
    before = failures(model, MONOTONE_RULES)
    after = failures(dataclasses.replace(model, sg_rules=model.sg_rules + (extra,)), MONOTONE_RULES)
    assert len(after) <= len(before)


@settings(max_examples=100, deadline=None)
@given(models())
def test_allow_all_between_the_groups_clears_every_reachability_failure(model: Model) -> None:
    allow_all = tuple(SgRule(g, direction, -1, None, tuple(GroupSource(h) for h in GROUPS), where(900, f"rule.all{g}"))
                      for g in GROUPS for direction in Direction)
    opened = dataclasses.replace(model, sg_rules=model.sg_rules + allow_all)
    assert failures(opened, NODE_PAIR_RULES) == []

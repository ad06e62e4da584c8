"""Rules x model -> findings (PASS / FAIL / UNKNOWN per subject)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Iterable, Iterator, Mapping

from linter.engine.facts import ASSUMED_POOL, Facts, NodeSelection
from linter.model import (
    CidrSource, ConfigProblem, Finding, Fix, IpPool, Level, Model, NodeGroup, Notice, ParseProblem,
    Related, RuleDoc, SgRule, Where, display_path,
)
from linter.engine.flows import CalicoFlow, flow
from linter.engine.predicates import INTERNET, Flow, NodePair, Subject, evaluate, protocol_matches
from linter.engine.verdict import Outcome, Verdict, all_of
from linter.engine.rules import EngineOptions, Rule, case_flow, flows_named


@dataclass(frozen=True, slots=True)
class Evaluation:
    findings: tuple[Finding, ...]
    notices: tuple[Notice, ...]


def run(model: Model, rules: Iterable[Rule], options: EngineOptions = EngineOptions()) -> Evaluation:
    facts = Facts(model, options.nodes)
    active = [r for r in rules if options.selected is None or r.id in options.selected]
    findings: list[Finding] = []
    for done, rule in enumerate(active, start=1):
        found = list(_parse_findings(rule, model.problems, options.root)) if rule.id == "CAL000" else []
        for index, case in enumerate(rule.cases):
            found.extend(_run_case(rule, index, case, facts))
        level = rule_level(rule, facts, options)
        findings.extend(f if f.level is Level.NOTE else replace(f, level=level) for f in found)
        if options.on_rule_checked is not None:
            options.on_rule_checked(done, len(active))
    return Evaluation(tuple(_merge_collapsed(findings)), tuple(_notices(facts, active)))


def rule_level(rule: Rule, facts: Facts, options: EngineOptions) -> Level:
    if rule.id in options.level_overrides:
        return options.level_overrides[rule.id]
    level = rule.doc.level
    if rule.level_if.get("all_pools_encapsulate_always") and facts.all_pools_encapsulate_always():
        level = Level(rule.level_if["all_pools_encapsulate_always"])
    return level


def _parse_findings(rule: Rule, problems: Iterable[ParseProblem], root: str) -> Iterator[Finding]:
    for problem in problems:
        path = display_path(problem.where.file, root)
        where = replace(problem.where, address=path)
        level = Level.NOTE if problem.level is Level.NOTE else rule.doc.level
        yield Finding(rule.id, level, problem.message, where, identity=f"{rule.id}|{path}|{problem.message}",
                      anchors=(where,))


def _conditions(case: Mapping[str, Any], facts: Facts) -> Outcome:
    checks = {
        "calico-networking": facts.calico_networking,
        "nodes-span-subnets": facts.nodes_span_subnets, "single-vpc": facts.single_vpc,
        "protocol-94-allowed": lambda: facts.some_rule_allows_protocol(94),
    }
    return all_of(checks[name]() for name in case.get("applies_if", ()))


def _run_case(rule: Rule, index: int, case: Mapping[str, Any], facts: Facts) -> Iterator[Finding]:
    gate = _conditions(case, facts)
    if gate.failed:
        return
    results: list[tuple[Subject, Outcome]] = []
    for subject, pair_gate in _subjects(case, facts):
        outcome = evaluate(case["require"], subject, facts)
        if outcome.passed:
            continue
        undecided = [o for o in (gate, pair_gate) if o.verdict is Verdict.UNKNOWN]
        if undecided and outcome.failed:
            outcome = Outcome(Verdict.UNKNOWN, outcome.evidence, undecided[0].reason)
        results.append((subject, outcome))
    if case["report_at"] == "sender":
        yield from _per_sender(rule, index, case, results, facts)
        return
    for subject, outcome in results:
        yield _finding(rule, index, case, subject, outcome, facts)


def _per_sender(rule: Rule, index: int, case: Mapping[str, Any], results: list[tuple[Subject, Outcome]],
                facts: Facts) -> Iterator[Finding]:
    """One finding per sending node group (and case, i.e. protocol), naming every receiver it cannot reach."""
    grouped: dict[tuple[str, str, Verdict], list[tuple[NodePair, Outcome]]] = {}
    for subject, outcome in results:
        assert isinstance(subject, NodePair)
        grouped.setdefault((subject.sender.deployment, subject.sender.display, outcome.verdict), []).append(
            (subject, outcome))
    for items in grouped.values():
        first_pair, first_outcome = items[0]
        finding = _finding(rule, index, case, first_pair, first_outcome, facts)
        receivers = sorted({("itself" if p.is_self else p.receiver.display) for p, _ in items})
        fields = _Fields(_case_fields(case), sender=first_pair.sender.display, receiver=", ".join(receivers))
        message = rule.doc.message.format_map(fields)
        if first_outcome.verdict is Verdict.UNKNOWN:
            fields.update(reason=first_outcome.reason, message=message)
            message = rule.unverified_message.format_map(fields)
        related = tuple(Related(p.receiver.where, f"receiver: {p.receiver.display}") for p, _ in items)
        yield replace(finding, message=message, related=tuple(dict.fromkeys(related)),
                      identity=f"{rule.id}|{index}|{first_pair.sender.display}")


def _subjects(case: Mapping[str, Any], facts: Facts) -> Iterator[tuple[Subject, Outcome]]:
    kind = case["for_each"]
    passed = Outcome(Verdict.PASS)
    if kind == "node-pair":
        for pair, exists in _pairs(facts):
            need = _pair_need(case, pair, facts)
            gate = all_of([exists, need])
            if not gate.failed:
                yield pair, gate
    elif kind == "node-group":
        yield from ((n, passed) for n in facts.nodes)
    elif kind == "sg-rule":
        yield from ((r, passed) for r in facts.model.sg_rules)
    elif kind == "pool":
        # found pools, and calico-node's environment pool when it is the one in effect; never the assumed one
        judged = () if facts.pool_assumed else facts.effective_pools
        yield from ((p, passed) for p in judged)
    elif kind == "config-problem":
        yield from ((p, passed) for p in facts.model.config_problems)


def _pairs(facts: Facts) -> Iterator[tuple[NodePair, Outcome]]:
    """(receiver, sender) pairs within each deployment; a group peers with itself when it can hold two."""
    for receiver in facts.nodes:
        for sender in facts.nodes:
            if sender.deployment != receiver.deployment:
                continue
            if sender is receiver:
                multiple = receiver.multiple
                if multiple is False:
                    continue
                exists = Outcome(Verdict.PASS) if multiple is True else Outcome(Verdict.UNKNOWN, reason=multiple.expr)
                yield NodePair(receiver, sender), exists
            else:
                yield NodePair(receiver, sender), Outcome(Verdict.PASS)


def _pair_need(case: Mapping[str, Any], pair: NodePair, facts: Facts) -> Outcome:
    """A case that names a catalogue flow judges the pairs Calico sends it between; `pairs: all` every pair."""
    name = case_flow(case)
    if name is None or case.get("pairs") == "all":
        return Outcome(Verdict.PASS)
    return facts.flow_needed(flow(name), pair.receiver, pair.sender)


def _case_fields(case: Mapping[str, Any]) -> dict[str, str]:
    """The message fields a case gives: `{flow}` is the words of the flow it judges."""
    fields = dict(case.get("fields", {}))
    name = case_flow(case)
    if name is not None:
        fields.setdefault("flow", flow(name).words)
    return fields


# ------------------------------------------------------------------------------------------ findings


def _finding(rule: Rule, index: int, case: Mapping[str, Any], subject: Subject, outcome: Outcome,
             facts: Facts) -> Finding:
    fields = _case_fields(case)
    where, anchors, related, identity = _locate(case, subject, outcome, facts, fields)
    message = rule.doc.message.format_map(_Fields(fields))
    level = rule.doc.level  # the run's level for the rule is applied by `run`; UNKNOWN stays a note
    fix = None
    unverified = outcome.verdict is Verdict.UNKNOWN
    if unverified:
        level = Level.NOTE
        message = rule.unverified_message.format_map(_Fields(fields, reason=outcome.reason, message=message))
    elif isinstance(subject, NodeGroup):
        fix = subject.disable_check_fix
    elif isinstance(subject, NodePair) and case["report_at"] == "receiver":
        fix = _ingress_fix(case["require"], subject, facts)
    return Finding(rule.id, level, message, where, tuple(related), tuple(anchors),
                   f"{rule.id}|{index}|{identity}", fix, unverified=unverified)


def _ingress_fix(require: Mapping[str, Any], pair: NodePair, facts: Facts) -> Fix | None:
    """The missing ingress rule, written in the receiving group's own syntax (when its parser gave one)."""
    spec = require.get("admits")
    receiver = facts.first_defined_group(pair.receiver)
    if spec is None or spec.get("direction", "ingress") != "ingress" or receiver is None:
        return None
    template = receiver.fix_template
    if template is None:
        return None
    if pair.is_self:
        source = template.self_source
    else:
        sender = facts.first_defined_group(pair.sender)
        peer = sender.fix_template if sender is not None else None
        if peer is None or peer.scope != template.scope:
            return None
        source = template.group_source.format(reference=peer.reference)
    wanted = Flow.of(spec).calico
    if wanted is None:
        return None  # only catalogue flows have fixes: their words and ports are known
    protocol, name = wanted.protocol_name, wanted.short
    port = wanted.port if wanted.port is not None else 0
    label = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{receiver.key.split('.')[-1]}_{name}_from_{pair.sender.key.split('.')[-1]}")
    text = template.block.format(protocol=protocol, from_port=port, to_port=port, source=source, label=label.lower(),
                                 description=f"{name} from {pair.sender.display} (calico-lint)")
    return Fix(f"Admit {name} from {pair.sender.display}", template.insert_at, text)


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _node_where(node: NodeGroup, facts: Facts) -> Where:
    group = facts.first_defined_group(node)
    return group.where if group is not None else node.where


def _locate(case: Mapping[str, Any], subject: Subject, outcome: Outcome, facts: Facts,
            fields: dict[str, str]) -> tuple[Where, list[Where], list[Related], str]:
    report_at = case["report_at"]
    if isinstance(subject, NodePair):
        receiver, sender = subject.receiver, subject.sender
        fields["receiver"] = receiver.display
        fields["sender"] = f"other instances of {sender.display}" if subject.is_self else sender.display
        if report_at == "sender":
            where = _node_where(sender, facts)
            related = [Related(receiver.where, f"receiver: {receiver.display}")]
            return where, [where, sender.where], related, f"{sender.display}|{receiver.display}"
        where = _node_where(receiver, facts)
        fields["rule"] = "a rule"
        if report_at == "evidence" and outcome.evidence:
            where = outcome.evidence[0]
            fields["rule"] = where.address
        related = [Related(sender.where, f"sender: {sender.display}")]
        return where, [where, receiver.where], related, f"{receiver.display}|{sender.display}"
    if isinstance(subject, NodeGroup):
        fields["node"] = subject.display
        related = [r for r in subject.related]
        if subject.src_dst_where != subject.where:
            related.append(Related(subject.where, f"node group: {subject.display}"))
        return subject.src_dst_where, [subject.src_dst_where, subject.where], related, subject.display
    if isinstance(subject, SgRule):
        group = facts.group(subject.deployment, subject.group) if isinstance(subject.group, str) else None
        fields["rule"] = subject.where.address
        fields["cidr"] = ", ".join(s for s in _internet_cidrs(subject))
        fields["flow"] = _flow_text(subject, [flow(n) for n in flows_named(case)])
        anchors = [subject.where] + ([group.where] if group is not None else [])
        # inline rules share their group's address: tell them apart by content, never by line
        content = f"{subject.direction.value}|{subject.protocol}|{subject.ports}|{sorted(map(str, subject.sources))}"
        return subject.where, anchors, [], f"{subject.where.address}|{content}"
    if isinstance(subject, IpPool):
        fields.update(pool=subject.key, cidr=str(subject.cidr), span=_span_text(facts),
                      mode="IPIP" if subject.ipip == "Always" else "VXLAN")
        related = [Related(w, f"overlapping range: {w.address}") for w in outcome.evidence]
        if outcome.evidence:
            fields["overlap"] = ", ".join(sorted({w.address for w in outcome.evidence}))
        return subject.where, [subject.where], related, subject.key
    assert isinstance(subject, ConfigProblem)
    fields.update(key=subject.key, problem=subject.message, field=subject.field)
    return subject.where, [subject.where], [], f"{subject.key}|{subject.field}|{subject.message}"


def _internet_cidrs(rule: SgRule) -> list[str]:
    return [s.cidr for s in rule.sources if isinstance(s, CidrSource) and s.cidr in INTERNET]


def _flow_text(rule: SgRule, flows: list[CalicoFlow]) -> str:
    """The catalogue flows (of those the case names) that one rule admits, in their words."""
    if rule.protocol == -1:
        return f"all traffic ({' and '.join(f.label for f in flows)} included)"
    matched = [f for f in flows if not protocol_matches(rule, Flow.of({"flow": f.name})).failed]
    return " and ".join(f.words for f in matched or flows)


def _span_text(facts: Facts) -> str:
    if facts.model.peerings:
        return "peered VPCs"
    keys = {k for n in facts.nodes if isinstance(n.subnets, tuple) for k in n.subnets if isinstance(k, str)}
    return f"{len(keys)} subnets"


def _merge_collapsed(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, resource, message): pairs reported on the same place merge their peers."""
    merged: dict[tuple[str, str, int, str, str], Finding] = {}
    for finding in findings:
        key = (finding.rule, finding.where.file, finding.where.line, finding.where.address, finding.message)
        if key in merged:
            previous = merged[key]
            related = previous.related + tuple(r for r in finding.related if r not in previous.related)
            merged[key] = replace(previous, related=related)
        else:
            merged[key] = finding
    return list(merged.values())


def _notices(facts: Facts, rules: list[Rule]) -> Iterator[Notice]:
    node_rules = {"CAL001", "CAL002", "CAL003", "CAL009", "CAL010", "CAL012"}
    if not node_rules.intersection(r.id for r in rules):
        return
    if not facts.nodes:
        if facts.passed_over:
            count = f"{facts.passed_over} compute resource{'s' if facts.passed_over > 1 else ''}"
            yield Notice(Level.NOTE, f"No Kubernetes node recognised, so no node rule was checked: {count} passed over "
                                     "(nothing says they run Kubernetes). Mark nodes with a kubernetes.io/cluster/<name> "
                                     "tag, or list them under nodes.include in .calico-lint.yaml.")
        return
    if facts.calico_networking().failed:
        yield Notice(Level.NOTE, "Calico runs in policy-only mode (pods use VPC addresses): the node rules "
                                 "(CAL001-CAL004, CAL009, CAL010) do not apply.")
        return
    if facts.pool_assumed:
        pool = ASSUMED_POOL
        yield Notice(Level.NOTE, f"No Calico IP pool found: assumed Calico's default ({pool.cidr}, IPIP Always, "
                                 "outgoing NAT, BGP on) to decide which node rules apply; point calico-lint at "
                                 "your pools with --calico PATH.")

"""Rules x model -> findings (PASS / FAIL / UNKNOWN per subject)."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from linter.engine.clusters import Context, Plan, plan
from linter.engine.facts import ASSUMED_POOL, Facts
from linter.engine.nacls import Gap
from linter.model import (
    TCP, UDP, CidrSource, ConfigProblem, Direction, Finding, Fix, IpPool, Level, Model, NodeGroup, Notice, ParseProblem,
    Related, SgRule, Where, display_path, one_line,
)
from linter.engine.flows import CalicoFlow
from linter.cidrs import ALL_IPV4, ALL_IPV6, covers_everything, network
from linter.engine.predicates import (
    INTERNET, Atom, Flow, NodePair, PeerLink, ReportAt, Subject, SubjectKind, atoms_of, evaluate, protocol_matches,
)
from linter.engine.verdict import Outcome, Verdict, all_of
from linter.engine.rules import Check, EngineOptions, Rule


@dataclass(frozen=True, slots=True)
class Evaluation:
    findings: tuple[Finding, ...]
    notices: tuple[Notice, ...]


def run(model: Model, rules: Iterable[Rule], options: EngineOptions = EngineOptions()) -> Evaluation:
    """Each cluster (and Calico configuration that applies to none) is judged on its own part of the model."""
    planned = plan(model, options.placement, options.nodes)
    contexts = [(context, Facts(context.model, options.nodes, preselected=True)) for context in planned.contexts]
    once = Facts(Model(config_problems=model.config_problems), preselected=True)  # judged once per run
    active = [r for r in rules if options.selected is None or r.id in options.selected]
    findings: list[Finding] = []
    for done, rule in enumerate(active, start=1):
        if rule.id == "CAL000":
            findings.extend(_parse_findings(rule, model.problems, options.root))
        for facts, per_run in [(f, False) for _, f in contexts] + [(once, True)]:
            found = [finding for index, check in enumerate(rule.checks)
                     if (check.subject is SubjectKind.CONFIG_PROBLEM) == per_run
                     for finding in _run_check(rule, index, check, facts)]
            level = rule_level(rule, facts, options)
            findings.extend(f if f.level is Level.NOTE else replace(f, level=level) for f in found)
        if options.on_rule_checked is not None:
            options.on_rule_checked(done, len(active))
    merged = _merge_collapsed(_merge_contexts(findings))
    return Evaluation(tuple(merged), tuple(_notices(planned, contexts, active)))


def _merge_contexts(findings: list[Finding]) -> list[Finding]:
    """A subject judged in several contexts (a pool of two clusters, a rule whose group's VPC is unknown)
    is one finding: the first context's words, every context's related locations."""
    merged: dict[tuple[str, str, str, int], Finding] = {}
    for finding in findings:
        key = (finding.rule, finding.identity, finding.where.file, finding.where.line)
        previous = merged.get(key)
        if previous is None:
            merged[key] = finding
        elif previous.level.rank < finding.level.rank:
            merged[key] = replace(finding, related=finding.related + tuple(
                r for r in previous.related if r not in finding.related))
        else:
            merged[key] = replace(previous, related=previous.related + tuple(
                r for r in finding.related if r not in previous.related))
    return list(merged.values())


def rule_level(rule: Rule, facts: Facts, options: EngineOptions) -> Level:
    if rule.id in options.level_overrides:
        return options.level_overrides[rule.id]
    level = rule.doc.level
    for condition in rule.level_if:
        if condition.holds(facts):
            level = condition.level
    return level


def _parse_findings(rule: Rule, problems: Iterable[ParseProblem], root: str) -> Iterator[Finding]:
    for problem in problems:
        path = display_path(problem.where.file, root)
        where = replace(problem.where, address=path)
        level = Level.NOTE if problem.level is Level.NOTE else rule.doc.level
        yield Finding(rule.id, level, problem.message, where, identity=f"{rule.id}|{path}|{problem.message}",
                      anchors=(where,))


def _run_check(rule: Rule, index: int, check: Check, facts: Facts) -> Iterator[Finding]:
    gate = all_of(condition.holds(facts) for condition in check.conditions)
    if gate.failed:
        return
    results: list[tuple[Subject, Outcome]] = []
    for subject, pair_gate in _subjects(check, facts):
        outcome = evaluate(check.require, subject, facts)
        if outcome.passed:
            continue
        undecided = [o for o in (gate, pair_gate) if o.verdict is Verdict.UNKNOWN]
        if undecided and outcome.failed:
            outcome = Outcome(Verdict.UNKNOWN, outcome.evidence, undecided[0].reason)
        results.append((subject, outcome))
    if check.report_at is ReportAt.SENDER:
        yield from _per_sender(rule, index, check, results, facts)
        return
    if check.report_at is ReportAt.RECEIVER and check.subject is SubjectKind.NODE_PAIR:
        yield from _per_receiver(rule, index, check, results, facts)
        return
    if (check.report_at is ReportAt.EVIDENCE and _names_nacls(check)) or check.subject is SubjectKind.BGP_PEER:
        yield from _per_place(rule, index, check, results, facts)
        return
    for subject, outcome in results:
        yield _finding(rule, index, check, subject, outcome, facts)


def _per_sender(rule: Rule, index: int, check: Check, results: list[tuple[Subject, Outcome]],
                facts: Facts) -> Iterator[Finding]:
    """One finding per sending node group (and case, i.e. protocol), naming every receiver it cannot reach."""
    grouped: dict[tuple[str, str, Verdict], list[tuple[NodePair, Outcome]]] = {}
    for subject, outcome in results:
        assert isinstance(subject, NodePair)
        grouped.setdefault((subject.sender.deployment, subject.sender.display, outcome.verdict), []).append(
            (subject, outcome))
    for items in grouped.values():
        first_pair, first_outcome = items[0]
        finding = _finding(rule, index, check, first_pair, first_outcome, facts)
        receivers = sorted({("itself" if p.is_self else p.receiver.display) for p, _ in items})
        fields = _Fields(check.fields, sender=first_pair.sender.display, receiver=", ".join(receivers))
        message = rule.doc.message.format_map(fields)
        if first_outcome.verdict is Verdict.UNKNOWN:
            fields.update(reason=one_line(first_outcome.reason), message=message)
            message = rule.unverified_message.format_map(fields)
        related = tuple(Related(p.receiver.where, f"receiver: {p.receiver.display}") for p, _ in items)
        yield replace(finding, message=message, related=tuple(dict.fromkeys(related)),
                      identity=f"{rule.id}|{index}|{first_pair.sender.display}")


SHOWN_SENDERS = 3  # a message names the first few senders and counts the rest


def _per_receiver(rule: Rule, index: int, check: Check, results: list[tuple[Subject, Outcome]],
                  facts: Facts) -> Iterator[Finding]:
    """One finding per receiving security group (and case), naming every sender it does not admit;
    its fix adds what each sender needs."""
    grouped: dict[tuple[str, str, Verdict], list[tuple[NodePair, Outcome]]] = {}
    for subject, outcome in results:
        assert isinstance(subject, NodePair)
        group = facts.first_defined_group(subject.receiver)
        target = group.key if group is not None else f"node {subject.receiver.display}"
        grouped.setdefault((subject.receiver.deployment, target, outcome.verdict), []).append((subject, outcome))
    for (_, target, verdict), items in grouped.items():
        where = _node_where(items[0][0].receiver, facts)
        items.sort(key=lambda item: (_sender_label(item[0]), item[0].receiver.display))
        first_pair, first_outcome = items[0]
        finding = _finding(rule, index, check, first_pair, first_outcome, facts)
        senders = list(dict.fromkeys(_sender_label(p) for p, _ in items))
        receivers = list(dict.fromkeys(p.receiver.display for p, _ in items))
        fields = _Fields(check.fields, sender=_some(senders), receiver=_some(receivers), rule="a rule")
        message = rule.doc.message.format_map(fields)
        if verdict is Verdict.UNKNOWN:
            fields.update(reason=one_line(first_outcome.reason), message=message)
            message = rule.unverified_message.format_map(fields)
        related = [Related(p.sender.where, f"sender: {p.sender.display}") for p, _ in items]
        if len(receivers) > 1:  # node groups that share the receiving group
            related += [Related(p.receiver.where, f"receiver: {p.receiver.display}") for p, _ in items]
        anchors = (where, *dict.fromkeys(p.receiver.where for p, _ in items))
        fix = None if verdict is Verdict.UNKNOWN or check.fix_flow is None else \
            _combined_fix([_ingress_fix(check.fix_flow, p, facts) for p, _ in items])
        yield replace(finding, message=message, related=tuple(dict.fromkeys(related)), anchors=anchors, fix=fix,
                      identity=f"{rule.id}|{index}|{target}|{verdict.value}")


def _per_place(rule: Rule, index: int, check: Check, results: list[tuple[Subject, Outcome]],
               facts: Facts) -> Iterator[Finding]:
    """One finding per place it is reported at (the ACL that drops a flow, the group a BGP peer cannot reach)
    naming every sender; its fix adds what each of them needs."""
    grouped: dict[tuple[str, int, str, Verdict], list[tuple[Subject, Outcome, Finding]]] = {}
    for subject, outcome in results:
        finding = _finding(rule, index, check, subject, outcome, facts)
        key = (finding.where.file, finding.where.line, finding.where.address, outcome.verdict)
        grouped.setdefault(key, []).append((subject, outcome, finding))
    for (_, _, address, verdict), items in grouped.items():
        if len(items) == 1:
            yield items[0][2]
            continue
        subjects = [s for s, _, _ in items]
        first_subject, first_outcome, first = items[0]
        fields = _Fields(check.fields)
        _locate(check, first_subject, first_outcome, facts, fields)
        if isinstance(first_subject, PeerLink):
            links = [s for s in subjects if isinstance(s, PeerLink)]
            fields.update(node=_some(list(dict.fromkeys(s.node.display for s in links))),
                          address=_some(list(dict.fromkeys(s.address for s in links))),
                          peer=_some(list(dict.fromkeys(s.peer.key for s in links))),
                          port=_some(list(dict.fromkeys(str(s.port) for s in links))))
            fixes = [_peer_fix(s, facts) for s in links] if _ingress_check(check) else []
            fix = _combined_fix(list(fixes)) if fixes and verdict is not Verdict.UNKNOWN else None
        else:
            pairs = [s for s in subjects if isinstance(s, NodePair)]
            fields.update(sender=_some(list(dict.fromkeys(_sender_label(p) for p in pairs))),
                          receiver=_some(list(dict.fromkeys(p.receiver.display for p in pairs))))
            fix = _nacl_fix(check.flow, pairs, facts) if check.flow is not None and verdict is not Verdict.UNKNOWN \
                else None
        message = rule.doc.message.format_map(fields)
        if verdict is Verdict.UNKNOWN:
            fields.update(reason=one_line(first_outcome.reason), message=message)
            message = rule.unverified_message.format_map(fields)
        related = tuple(dict.fromkeys(r for _, _, f in items for r in f.related))
        anchors = tuple(dict.fromkeys(a for _, _, f in items for a in f.anchors))
        yield replace(first, message=message, related=related, anchors=anchors, fix=fix,
                      identity=f"{rule.id}|{index}|{address}|{verdict.value}")


def _sender_label(pair: NodePair) -> str:
    return f"other instances of {pair.sender.display}" if pair.is_self else pair.sender.display


def _some(names: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`, `a, b, c and 4 more`."""
    if len(names) > SHOWN_SENDERS:
        return f"{', '.join(names[:SHOWN_SENDERS])} and {len(names) - SHOWN_SENDERS} more"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _combined_fix(fixes: list[Fix | None]) -> Fix | None:
    """The rules every sender needs, inserted together (those whose source cannot be written are left out)."""
    known = [f for f in fixes if f is not None]
    if not known or any(f.where != known[0].where for f in known):
        return known[0] if known else None
    texts = list(dict.fromkeys(f.replacement for f in known))
    descriptions = list(dict.fromkeys(f.description for f in known))
    description = descriptions[0] if len(descriptions) == 1 else f"{descriptions[0]} and {len(descriptions) - 1} more"
    return Fix(description, known[0].where, "".join(texts))


def _subjects(check: Check, facts: Facts) -> Iterator[tuple[Subject, Outcome]]:
    kind = check.subject
    passed = Outcome(Verdict.PASS)
    if kind is SubjectKind.NODE_PAIR:
        for pair, exists in facts.memoised(("pairs",), lambda: list(_pairs(facts))):  # the same for every case
            need = _pair_need(check, pair, facts)
            gate = all_of([exists, need])
            if not gate.failed:
                yield pair, gate
    elif kind is SubjectKind.NODE_GROUP:
        yield from ((n, passed) for n in facts.nodes)
    elif kind is SubjectKind.SG_RULE:
        yield from ((r, passed) for r in facts.model.sg_rules)
    elif kind is SubjectKind.POOL:
        # found pools, and calico-node's environment pool when it is the one in effect; never the assumed one
        judged = () if facts.pool_assumed else facts.effective_pools
        yield from ((p, passed) for p in judged)
    elif kind is SubjectKind.CONFIG_PROBLEM:
        yield from ((p, passed) for p in facts.model.config_problems)
    elif kind is SubjectKind.BGP_PEER:
        bgp = facts.bgp()
        if not bgp.failed:
            for peer in facts.model.bgp_peers:
                yield from ((PeerLink(node, peer), all_of([bgp, selected])) for node, selected in facts.peer_nodes(peer))


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


def _pair_need(check: Check, pair: NodePair, facts: Facts) -> Outcome:
    """A case that names a catalogue flow judges the pairs Calico sends it between; `pairs: all` every pair."""
    if check.flow is None or check.all_pairs:
        return Outcome(Verdict.PASS)
    return facts.flow_needed(check.flow, pair.receiver, pair.sender)


# ------------------------------------------------------------------------------------------ findings


def _finding(rule: Rule, index: int, check: Check, subject: Subject, outcome: Outcome,
             facts: Facts) -> Finding:
    fields = dict(check.fields)
    where, anchors, related, identity = _locate(check, subject, outcome, facts, fields)
    message = rule.doc.message.format_map(_Fields(fields))
    level = rule.doc.level  # the run's level for the rule is applied by `run`; UNKNOWN stays a note
    fix = None
    unverified = outcome.verdict is Verdict.UNKNOWN
    if unverified:
        level = Level.NOTE
        message = rule.unverified_message.format_map(_Fields(fields, reason=one_line(outcome.reason), message=message))
    elif isinstance(subject, NodeGroup):
        fix = subject.disable_check_fix
    elif isinstance(subject, NodePair) and check.report_at is ReportAt.RECEIVER and check.fix_flow is not None:
        fix = _ingress_fix(check.fix_flow, subject, facts)
    elif isinstance(subject, PeerLink) and _ingress_check(check):
        fix = _peer_fix(subject, facts)
    elif isinstance(subject, NodePair) and check.flow is not None and _names_nacls(check):
        fix = _nacl_fix(check.flow, [subject], facts)
    return Finding(rule.id, level, message, where, tuple(related), tuple(anchors),
                   f"{rule.id}|{index}|{identity}", fix, unverified=unverified)


def _ingress_fix(wanted: CalicoFlow, pair: NodePair, facts: Facts) -> Fix | None:
    """The missing ingress rule, written in the receiving group's own syntax (when its parser gave one)."""
    receiver = facts.first_defined_group(pair.receiver)
    if receiver is None:
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
    protocol, name = wanted.protocol_name, wanted.short
    port = wanted.port if wanted.port is not None else 0
    label = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{receiver.key.split('.')[-1]}_{name}_from_{pair.sender.key.split('.')[-1]}")
    text = template.block.format(protocol=protocol, from_port=port, to_port=port, source=source, label=label.lower(),
                                 description=f"{name} from {pair.sender.display} (calico-lint)")
    return Fix(f"Admit {name} from {pair.sender.display}", template.insert_at, text)


def _ingress_check(check: Check) -> bool:
    return isinstance(check.require, Atom) and check.require.argument.direction is Direction.INGRESS


def _peer_fix(link: PeerLink, facts: Facts) -> Fix | None:
    """The ingress rule that admits BGP from the peer's address, in the node group's own syntax."""
    group = facts.first_defined_group(link.node)
    template = group.fix_template if group is not None else None
    if template is None or group is None:
        return None
    ipv6 = ":" in link.address
    source = f'{"ipv6_cidr_blocks" if ipv6 else "cidr_blocks"} = ["{link.address}/{128 if ipv6 else 32}"]'
    label = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{group.key.split('.')[-1]}_bgp_from_{link.address}").lower()
    text = template.block.format(protocol="tcp", from_port=link.port, to_port=link.port, source=source, label=label,
                                 description=f"BGP from {link.peer.key} (calico-lint)")
    return Fix(f"Admit BGP from {link.peer.key} ({link.address})", template.insert_at, text)


def _names_nacls(check: Check) -> bool:
    return any(atom.name == "nacls-admit" for atom in atoms_of(check.require))


def _nacl_fix(wanted: CalicoFlow, pairs: list[NodePair], facts: Facts) -> Fix | None:
    """The allow entries the ACL that drops the flow misses, each numbered before the entry that drops it."""
    found = [g for pair in pairs for g in facts.nacl_gaps(wanted, pair.receiver, pair.sender)]
    keyed = {(g.crossing.acl.key, g.crossing.direction, g.crossing.protocol, g.crossing.ports, g.crossing.peer_cidr): g
             for g in reversed(found)}
    gaps = sorted(keyed.values(), key=lambda g: found.index(g))
    if not gaps:
        return None
    acl = gaps[0].crossing.acl  # a fix edits one place: the ACL the finding is reported at
    template = acl.fix_template
    if template is None:
        return None
    texts: list[str] = []
    taken: dict[Direction, set[int]] = {d: set() for d in Direction}
    for gap in (g for g in gaps if g.crossing.acl == acl):
        crossing = gap.crossing
        number = facts.nacl_free_number(gap, frozenset(taken[crossing.direction]))
        if number is None:
            return None
        taken[crossing.direction].add(number)
        low, high = (crossing.ports.low, crossing.ports.high) if crossing.ports is not None else (0, 0)
        label = re.sub(r"[^A-Za-z0-9_]+", "_", f"{acl.key.split('.')[-1]}_{crossing.direction.value}_{number}")
        texts.append(template.block.format(
            label=label.lower(), number=number, direction=crossing.direction.value,
            egress=str(crossing.direction is Direction.EGRESS).lower(),
            protocol={TCP: "tcp", UDP: "udp"}.get(crossing.protocol, str(crossing.protocol)),
            cidr_key="ipv6_cidr_block" if ":" in crossing.peer_cidr else "cidr_block", cidr=crossing.peer_cidr,
            from_port=low, to_port=high))
    return Fix(f"Allow {wanted.words} and what it needs back through {acl.key}", template.insert_at, "".join(texts))


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _node_where(node: NodeGroup, facts: Facts) -> Where:
    group = facts.first_defined_group(node)
    return group.where if group is not None else node.where


def _locate(check: Check, subject: Subject, outcome: Outcome, facts: Facts,
            fields: dict[str, str]) -> tuple[Where, list[Where], list[Related], str]:
    """Where a finding is reported, and the message fields of its subject (predicates.SUBJECTS lists them)."""
    report_at = check.report_at
    if isinstance(subject, NodePair):
        receiver, sender = subject.receiver, subject.sender
        fields["receiver"] = receiver.display
        fields["sender"] = f"other instances of {sender.display}" if subject.is_self else sender.display
        if report_at is ReportAt.SENDER:
            where = _node_where(sender, facts)
            related = [Related(receiver.where, f"receiver: {receiver.display}")]
            return where, [where, sender.where], related, f"{sender.display}|{receiver.display}"
        where = _node_where(receiver, facts)
        fields["rule"] = "a rule"
        related = [Related(sender.where, f"sender: {sender.display}")]
        if report_at is ReportAt.EVIDENCE and outcome.evidence:
            where = outcome.evidence[0]
            fields.update(rule=where.address, acl=where.address, detail=outcome.reason)
            related += [Related(w, f"drops it: {w.address}") for w in outcome.evidence[1:] if w != where]
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
        fields["flow"] = _flow_text(subject, check.flows)
        anchors = [subject.where] + ([group.where] if group is not None else [])
        # inline rules share their group's address: tell them apart by content, never by line
        content = f"{subject.direction.value}|{subject.protocol}|{subject.ports}|{sorted(map(str, subject.sources))}"
        return subject.where, anchors, [], f"{subject.where.address}|{content}"
    if isinstance(subject, IpPool):
        fields.update(pool=subject.key, cidr=str(subject.cidr), span=_span_text(facts),
                      mode="IPIP" if subject.ipip == "Always" else "VXLAN")
        related = [Related(w, f"overlapping range: {w.address}") for w in outcome.evidence]
        fields["overlap"] = ", ".join(sorted({w.address for w in outcome.evidence})) or "no range of the scan"
        return subject.where, [subject.where], related, subject.key
    if isinstance(subject, PeerLink):
        fields.update(node=subject.node.display, peer=subject.peer.key, address=subject.address,
                      port=str(subject.port))
        where = _node_where(subject.node, facts)
        related = [Related(subject.peer.where, f"BGP peer: {subject.peer.key}")]
        return where, [where, subject.node.where], related, f"{subject.node.display}|{subject.peer.key}"
    assert isinstance(subject, ConfigProblem)
    fields.update(key=subject.key, problem=subject.message, field=subject.field)
    return subject.where, [subject.where], [], f"{subject.key}|{subject.field}|{subject.message}"


def _internet_cidrs(rule: SgRule) -> list[str]:
    """The rule's CIDRs that together cover all of IPv4 or IPv6 (as written), for the message."""
    cidrs = [s.cidr for s in rule.sources if isinstance(s, CidrSource) and isinstance(s.cidr, str)]
    families = {ALL_IPV4.version if whole == "0.0.0.0/0" else ALL_IPV6.version for whole in covers_everything(cidrs)}
    return [c for c in cidrs if (n := network(c)) is not None and n.version in families] or \
        [c for c in cidrs if c in INTERNET]


def _flow_text(rule: SgRule, flows: tuple[CalicoFlow, ...]) -> str:
    """The catalogue flows (of those the case names) that one rule admits, in their words."""
    if rule.protocol == -1:
        return f"all traffic ({' and '.join(f.label for f in flows)} included)"
    matched = [f for f in flows if not protocol_matches(rule, Flow.of_catalogue(f)).failed]
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


def _notices(planned: Plan, contexts: list[tuple[Context, Facts]], rules: list[Rule]) -> Iterator[Notice]:
    if planned.ambiguous_files:
        files = planned.ambiguous_files
        more = f" (and {len(files) - 1} more file{'s' if len(files) > 2 else ''})" if len(files) > 1 else ""
        yield Notice(Level.NOTE, f"Calico configuration in {files[0]}{more} sits above several deployments at the "
                                 "repository root, so it applies to none of them (the pool rules still judge it): "
                                 "say which cluster it belongs to under clusters: in .calico-lint.yaml.", files[0])
    node_subjects = (SubjectKind.NODE_PAIR, SubjectKind.NODE_GROUP)
    if not any(c.subject in node_subjects for r in rules for c in r.checks):
        return
    facts = planned.facts
    if not facts.nodes:
        if facts.passed_over:
            count = f"{facts.passed_over} compute resource{'s' if facts.passed_over > 1 else ''}"
            yield Notice(Level.NOTE, f"No Kubernetes node recognised, so no node rule was checked: {count} passed over "
                                     "(nothing says they run Kubernetes). Mark nodes with a kubernetes.io/cluster/<name> "
                                     "tag, or list them under nodes.include in .calico-lint.yaml.")
        return
    policy_only = [c.name for c, f in contexts if c.cluster is not None and f.calico_networking().failed]
    assumed = [c.name for c, f in contexts
               if c.cluster is not None and c.name not in policy_only and f.pool_assumed]
    if policy_only:
        yield Notice(Level.NOTE, f"Calico runs in policy-only mode (pods use VPC addresses) in {_clusters_text(policy_only)}: "
                                 "the node rules (CAL001-CAL004, CAL009, CAL010) do not apply there.")
    if assumed:
        pool = ASSUMED_POOL
        yield Notice(Level.NOTE, f"No Calico IP pool found for {_clusters_text(assumed)}: assumed Calico's default "
                                 f"({pool.cidr}, IPIP Always, outgoing NAT, BGP on) to decide which node rules apply; "
                                 "point calico-lint at your pools with --calico PATH.")


def _clusters_text(names: list[str]) -> str:
    """`cluster envs/prod`, `clusters a, b and c`, `clusters a, b, c and 7 more`."""
    shown = names[:3]
    if len(names) == 1:
        return f"cluster {names[0]}"
    rest = len(names) - len(shown)
    if rest:
        return f"clusters {', '.join(shown)} and {rest} more"
    return f"clusters {', '.join(shown[:-1])} and {shown[-1]}"

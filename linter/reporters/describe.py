"""`calico-lint describe`: the model as inferred, as a tree, JSON, or a Mermaid/Graphviz picture of flows."""
from __future__ import annotations

import json
from typing import Any, Iterator

from linter.config import Config
from linter.engine.facts import Facts, NodeSelection
from linter.engine.clusters import plan
from linter.model import Model, Placement, Unknown, display_path, one_line
from linter.engine.flows import FLOWS
from linter.engine.predicates import Flow, NodePair, admits

NOT_NEEDED = "not needed"


def _text(value: Any) -> Any:
    if isinstance(value, Unknown):
        return f"UNKNOWN ({one_line(value.expr)})"
    if isinstance(value, tuple):
        return [_text(v) for v in value]
    if hasattr(value, "value"):
        return value.value
    return value


def describe_data(model: Model, config: Config, root: str, placement: Placement = Placement()) -> dict[str, Any]:
    selection = NodeSelection(config.nodes_include, config.nodes_exclude)
    planned = plan(model, placement, selection)
    member_of: dict[int, list[str]] = {}
    for cluster in planned.clusters:
        for node in cluster.nodes:
            member_of.setdefault(id(node), []).append(cluster.name)
    compute = []
    for node, taken, why in planned.facts.selection:
        compute.append({
            "resource": node.display, "kind": node.kind.value, "file": display_path(node.where.file, root), "line": node.where.line,
            "node": taken, "why": why, "clusters": member_of.get(id(node), []),
            "security_groups": _text(node.security_groups), "subnets": _text(node.subnets),
            "src_dst_check": _text(node.src_dst_check), "multiple": _text(node.multiple),
        })
    clusters, elsewhere, flows = [], [], []
    for context in planned.contexts:
        facts = Facts(context.model, selection, preselected=True)
        calico = _calico(facts, root)
        if context.cluster is None:
            elsewhere.append({"name": context.name, "applies_to_none": context.ambiguous, "calico": calico})
            continue
        pairs = list(_flows(facts, context.name))
        flows += pairs
        clusters.append({"name": context.name, "deployment": display_path(context.cluster.deployment, root),
                         "vpcs": list(context.cluster.vpcs), "nodes": [n.display for n in context.cluster.nodes],
                         "calico": calico, "flows": pairs})
    return {
        "node_groups": compute,
        "clusters": clusters,
        "calico_of_no_cluster": elsewhere,
        "security_groups": [{"resource": g.key, "file": display_path(g.where.file, root), "line": g.where.line,
                             "rules": sum(1 for r in model.sg_rules if r.group == g.key and r.deployment == g.deployment)}
                            for g in model.security_groups],
        "subnets": [{"resource": s.key, "cidr": _text(s.cidr), "zone": _text(s.zone)} for s in model.subnets],
        "vpcs": [{"resource": v.key, "cidrs": _text(v.cidrs)} for v in model.vpcs],
        "flows": flows,
    }


def _flows(facts: Facts, cluster: str) -> Iterator[dict[str, Any]]:
    for receiver in facts.nodes:
        for sender in facts.nodes:
            if sender is receiver and receiver.multiple is False:
                continue
            pair = NodePair(receiver, sender)
            yield {"cluster": cluster, "from": sender.display, "to": receiver.display, **{
                f.name: NOT_NEEDED if facts.flow_needed(f, receiver, sender).failed
                else admits(Flow.of_catalogue(f), pair, facts).verdict.value for f in FLOWS}}


def _calico(facts: Facts, root: str) -> dict[str, Any]:
    pools = [{"resource": p.key, "origin": p.origin, "cidr": _text(p.cidr), "ipip": _text(p.ipip),
              "vxlan": _text(p.vxlan), "nat_outgoing": _text(p.nat_outgoing),
              "file": display_path(p.where.file, root) if p.where.file else None} for p in facts.effective_pools]
    return {
        "pools": pools, "pool_assumed": facts.pool_assumed, "bgp": facts.bgp().verdict.value,
        "flows_in_use": {f.name: facts.flow_in_use(f).verdict.value for f in FLOWS},
        "networking": "policy-only" if facts.calico_networking().failed else "calico",
        "felix_disables_src_dst_check": facts.felix_disables_check().verdict.value,
    }


def render_description(model: Model, config: Config, fmt: str, root: str, placement: Placement = Placement()) -> str:
    data = describe_data(model, config, root, placement)
    if fmt == "json":
        return json.dumps(data, indent=2)
    if fmt == "mermaid":
        return _mermaid(data)
    if fmt == "dot":
        return _dot(data)
    return _tree(data)


def _tree(data: dict[str, Any]) -> str:
    lines = ["Node groups"]
    for node in data["node_groups"]:
        mark = "node" if node["node"] else "not a node"
        lines.append(f"  {node['resource']} ({node['kind']}, {mark}: {node['why']})  {node['file']}:{node['line']}")
        if node["node"]:
            lines.append(f"    security groups: {', '.join(map(str, node['security_groups'])) if isinstance(node['security_groups'], list) else node['security_groups']}")
            lines.append(f"    subnets: {', '.join(map(str, node['subnets'])) if isinstance(node['subnets'], list) else node['subnets']}")
            lines.append(f"    source/destination check: {'on' if node['src_dst_check'] is True else 'off' if node['src_dst_check'] is False else node['src_dst_check']}")
    for cluster in data["clusters"]:
        vpcs = ", ".join(cluster["vpcs"]) or "VPC unknown"
        lines.append(f"Cluster {cluster['name']} ({vpcs}): {', '.join(cluster['nodes'])}")
        lines += _calico_lines(cluster["calico"], "  ")
        lines.append("  Flows between nodes (receiver admits from sender)")
        for flow in cluster["flows"]:
            verdicts = ", ".join(f"{f.short} {flow[f.name]}" for f in FLOWS if flow[f.name] != NOT_NEEDED)
            lines.append(f"    {flow['from']} -> {flow['to']}: {verdicts or 'no Calico flow needed'}")
    for other in data["calico_of_no_cluster"]:
        why = "applies to no deployment: say which under clusters:" if other["applies_to_none"] else "no node"
        lines.append(f"Calico configuration of no cluster: {other['name']} ({why})")
        lines += _calico_lines(other["calico"], "  ")
    lines.append("Security groups")
    lines += [f"  {g['resource']} ({g['rules']} rules)  {g['file']}:{g['line']}" for g in data["security_groups"]]
    return "\n".join(lines)


def _calico_lines(calico: dict[str, Any], indent: str) -> list[str]:
    lines = [f"{indent}Calico: networking {calico['networking']}; BGP: {calico['bgp']}; Felix disables src/dst check: "
             f"{calico['felix_disables_src_dst_check']}"]
    for pool in calico["pools"]:
        where = f"  {pool['file']}" if pool["file"] else "  (assumed: no pool found)"
        lines.append(f"{indent}  pool {pool['resource']} {pool['cidr']} ipip={pool['ipip']} vxlan={pool['vxlan']} "
                     f"natOutgoing={pool['nat_outgoing']} from {pool['origin']}{where}")
    return lines


def _node_id(name: str, cluster: int) -> str:
    return f"c{cluster}_" + "".join(c if c.isalnum() else "_" for c in name)


def _status(flow: dict[str, Any]) -> str:
    """fail if a needed flow is blocked, unknown if one cannot be verified, else pass."""
    verdicts = {flow[f.name] for f in FLOWS}
    return "fail" if "fail" in verdicts else "unknown" if "unknown" in verdicts else "pass"


def _mermaid(data: dict[str, Any]) -> str:
    lines = ["flowchart LR"]
    marks = {"pass": "✓", "fail": "✗", "unknown": "?"}
    for index, cluster in enumerate(data["clusters"]):
        lines.append(f'  subgraph c{index}["{cluster["name"]}"]')
        lines += [f'    {_node_id(name, index)}["{name}"]' for name in cluster["nodes"]]
        lines.append("  end")
        for flow in cluster["flows"]:
            label = " ".join(f"{f.short} {marks[flow[f.name]]}" for f in FLOWS if flow[f.name] in marks)
            arrow = "-->" if _status(flow) == "pass" else "-.->"
            lines.append(f'  {_node_id(flow["from"], index)} {arrow}|"{label}"| {_node_id(flow["to"], index)}')
    return "\n".join(lines)


def _dot(data: dict[str, Any]) -> str:
    lines = ["digraph calico {", "  rankdir=LR;"]
    for index, cluster in enumerate(data["clusters"]):
        lines.append(f'  subgraph cluster_{index} {{')
        lines.append(f'    label="{cluster["name"]}";')
        lines += [f'    {_node_id(name, index)} [label="{name}", shape=box];' for name in cluster["nodes"]]
        lines.append("  }")
        for flow in cluster["flows"]:
            label = "\\n".join(f"{f.short}: {flow[f.name]}" for f in FLOWS if flow[f.name] != NOT_NEEDED)
            status = _status(flow)
            style = "solid" if status == "pass" else "dashed"
            color = {"pass": "darkgreen", "fail": "red", "unknown": "orange"}[status]
            lines.append(f'  {_node_id(flow["from"], index)} -> {_node_id(flow["to"], index)} '
                         f'[label="{label}", style={style}, color={color}];')
    lines.append("}")
    return "\n".join(lines)

"""The flow catalogue is the one place Calico's protocols, ports and their words live."""
from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from linter.engine import load_rules
from linter.engine.flows import FLOWS, expand_placeholders, flow, flow_names
from linter.engine.rules import RuleFileError
from linter.model import TCP, UDP

RULE_FILES = resources.files("linter.rules")


def _rule_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in RULE_FILES.iterdir() if p.name.endswith(".yaml")}


def test_calico_network_requirements() -> None:
    """Calico's "network requirements" table, as the catalogue states it."""
    expected = {"bgp": (TCP, 179, 4), "ipip": (4, None, 4), "vxlan": (UDP, 4789, 4), "typha": (TCP, 5473, 4),
                "wireguard": (UDP, 51820, 4), "wireguard-v6": (UDP, 51821, 6), "bgp-v6": (TCP, 179, 6),
                "vxlan-v6": (UDP, 4789, 6)}
    assert {f.name: (f.protocol, f.port, f.family) for f in FLOWS} == expected
    assert not flow("typha").bidirectional and all(f.bidirectional for f in FLOWS if f.name != "typha")
    assert [flow(n).words for n in ("bgp", "ipip", "wireguard-v6")] == [
        "BGP (TCP 179)", "IP-in-IP (IP protocol 4)", "WireGuard over IPv6 (UDP 51821)"]


def test_the_schema_names_exactly_the_catalogue_flows() -> None:
    schema = json.loads(RULE_FILES.joinpath("schema.json").read_text(encoding="utf-8"))
    assert schema["$defs"]["flow_name"]["enum"] == list(flow_names())


@pytest.mark.parametrize("name", sorted(_rule_texts()))
def test_rule_files_take_ports_from_the_catalogue(name: str) -> None:
    """No rule file spells a Calico port or protocol number: it names the flow (`{port:bgp}`, `flow: bgp`)."""
    ports = {str(f.port) for f in FLOWS if f.port is not None}
    text = _rule_texts()[name]
    literals = [w for w in re.findall(r"\b\d+\b", text) if w in ports]
    literals += re.findall(r"protocol[:\s]+[\"']?4\b", text)
    assert not literals, literals


def test_placeholders_expand_to_the_catalogue_words() -> None:
    assert expand_placeholders("{flow:typha}: {protocol:typha} {port:typha}; {protocol_words:ipip}") == \
        "Typha (TCP 5473): tcp 5473; IP protocol 4"


def _rule(check: str, message: str = "m") -> tuple[str, str]:
    return ("CAL900.yaml", f"""id: CAL900
name: test-rule
level: error
title: t
message: "{message}"
check:
{check}
docs: {{what: w, why: w, fix: f, references: [r]}}
""")


def test_a_literal_that_spells_a_flow_is_refused() -> None:
    check = "  for_each: node-pair\n  require: {admits: {protocol: udp, port: 4789}}\n  report_at: receiver"
    with pytest.raises(RuleFileError) as error:
        load_rules([_rule(check)])
    assert "flow: vxlan" in str(error.value)


def test_unknown_flows_are_refused() -> None:
    check = "  for_each: node-pair\n  require: {admits: {flow: gre}}\n  report_at: receiver"
    with pytest.raises(RuleFileError):
        load_rules([_rule(check)])
    check = "  for_each: node-pair\n  require: {admits: {flow: bgp}}\n  report_at: receiver"
    with pytest.raises(RuleFileError) as error:
        load_rules([_rule(check, "{flow:gre} blocked")])
    assert "{flow:gre}" in str(error.value)


def test_a_node_pair_case_judges_one_flow() -> None:
    check = ("  for_each: node-pair\n  require: {all: [{admits: {flow: bgp}}, {admits: {flow: ipip}}]}\n"
             "  report_at: receiver")
    with pytest.raises(RuleFileError) as error:
        load_rules([_rule(check)])
    assert "one flow" in str(error.value)


def test_messages_take_the_words_of_the_flow_they_judge() -> None:
    rules = {r.id: r for r in load_rules()}
    assert rules["CAL001"].doc.title == f"{flow('bgp').words} is not allowed between nodes"
    assert "{flow}" in rules["CAL009"].doc.message
    assert "from_port         = 4789" in rules["CAL010"].doc.use_instead

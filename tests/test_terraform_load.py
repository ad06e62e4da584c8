"""load_terraform on fixture module trees: variables, count/for_each, dynamic, references, modules."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linter.model import Unknown
from linter.terraform.modules import TfLoad, TfOptions, load_terraform, resource_lines
from linter.terraform.values import ATTR_LINES, COLUMN, DYNAMIC_UNKNOWN, LINE, Ref, TfResource, UnknownElement

FIXTURES = (Path(__file__).parent / "fixtures" / "terraform_eval").resolve()
BASIC = FIXTURES / "basic"
MODULES = FIXTURES / "modules" / "root"


def by_address(load: TfLoad) -> dict[str, TfResource]:
    return {resource.address: resource for resource in load.resources}


@pytest.fixture(scope="module")
def basic() -> dict[str, TfResource]:
    options = TfOptions(var_files=(str(BASIC / "extra.tfvars"),),
                        variables=(("from_cli", "cli"), ("cli_list", '["a", "b"]')))
    load = load_terraform([str(BASIC)], options)
    assert load.problems == ()
    return by_address(load)


@pytest.fixture(scope="module")
def modules() -> TfLoad:
    return load_terraform([str(MODULES), str(MODULES / "child"), str(MODULES / "child" / "grandchild")])


def triggers(basic: dict[str, TfResource]) -> dict[str, Any]:
    return basic["null_resource.values"].instances[0].values["triggers"]


# ------------------------------------------------------------------------------------------ variables


def test_variable_precedence(basic: dict[str, TfResource]) -> None:
    values = triggers(basic)
    assert values["from_tfvars"] == "tfvars"  # terraform.tfvars over the default
    assert values["from_auto_a"] == "auto-a"  # *.auto.tfvars over terraform.tfvars
    assert values["from_auto_b"] == "auto-b"  # b.auto.tfvars after a.auto.tfvars
    assert values["from_var_file"] == "var-file"  # --var-file
    assert values["from_cli"] == "cli"  # --var over --var-file; old `type = "string"` syntax
    assert values["cli_list"] == ["a", "b"]  # --var value parsed as HCL


def test_extra_tfvars_is_not_loaded_automatically() -> None:
    values = triggers(by_address(load_terraform([str(BASIC)])))
    assert values["from_var_file"] == "default"
    assert values["from_cli"] == "default"


def test_variable_without_value_is_unknown(basic: dict[str, TfResource]) -> None:
    groups = basic["aws_instance.node"].instances[0].values["vpc_security_group_ids"]
    assert groups == [Ref("aws_security_group.nodes", "id"), Unknown("var.node_sg_id")]


def test_locals_in_any_order_and_cycles(basic: dict[str, TfResource]) -> None:
    assert basic["aws_security_group.nodes"].instances[0].values["name"] == "demo-prod-nodes"
    assert isinstance(triggers(basic)["cycle"], Unknown)


def test_path_and_workspace(basic: dict[str, TfResource]) -> None:
    values = triggers(basic)
    assert values["module_path"] == BASIC.as_posix()
    assert values["cwd"] == Unknown("path.cwd")
    assert values["workspace"] == "default"


# ------------------------------------------------------------------------------------------ count, for_each


def test_count_from_tfvars(basic: dict[str, TfResource]) -> None:
    node = basic["aws_instance.node"]
    assert [instance.key for instance in node.instances] == [0, 1, 2]
    assert node.count_unknown is None and node.multiple is True
    assert [i.values["tags"]["Name"] for i in node.instances] == [
        "demo-prod-node-0", "demo-prod-node-1", "demo-prod-node-2"]
    # element() wraps around
    assert [i.values["subnet_id"] for i in node.instances] == [
        Ref("aws_subnet.public[0]", "id"), Ref("aws_subnet.public[1]", "id"), Ref("aws_subnet.public[0]", "id")]


def test_count_zero_means_no_instance(basic: dict[str, TfResource]) -> None:
    rule = basic["aws_security_group_rule.vxlan"]
    assert rule.instances == () and rule.count_unknown is None


def test_unknown_count_gives_one_instance_and_says_so(basic: dict[str, TfResource]) -> None:
    rule = basic["aws_security_group_rule.maybe"]
    assert rule.count_unknown == Unknown("length(data.aws_availability_zones.all.names)")
    assert len(rule.instances) == 1 and rule.instances[0].key is None
    assert rule.multiple == rule.count_unknown
    values = triggers(basic)
    assert values["maybe_ids"] == Unknown("aws_security_group_rule.maybe[*].id")
    assert values["maybe_first"] == Ref("aws_security_group_rule.maybe[0]", "id")


def test_for_each_over_map_and_set(basic: dict[str, TfResource]) -> None:
    subnets = basic["aws_subnet.az"]
    assert [(i.key, i.values["cidr_block"], i.values["availability_zone"]) for i in subnets.instances] == [
        ("a", "10.0.1.0/24", "a"), ("b", "10.0.2.0/24", "b")]
    enis = basic["aws_network_interface.eni"]
    assert [(i.key, i.values["subnet_id"]) for i in enis.instances] == [
        ("a", Ref('aws_subnet.az["a"]', "id")), ("b", Ref('aws_subnet.az["b"]', "id"))]


# ------------------------------------------------------------------------------------------ references


def test_references(basic: dict[str, TfResource]) -> None:
    values = triggers(basic)
    assert values["subnet_ids"] == [Ref("aws_subnet.public[0]", "id"), Ref("aws_subnet.public[1]", "id")]
    assert values["first_subnet"] == Ref("aws_subnet.public[0]", "id")
    assert values["subnet_count"] == 2
    assert values["az_cidr"] == "10.0.1.0/24"  # a configured attribute is its value
    assert values["vpc_cidr"] == "10.0.0.0/16"
    public = basic["aws_subnet.public"].instances
    assert [i.values["cidr_block"] for i in public] == ["10.0.0.0/24", "10.0.1.0/24"]
    # a position of a list read from a data source: unknown, yet apart from the other positions
    assert public[1].values["availability_zone"] == UnknownElement(
        "data.aws_availability_zones.all.names[count.index]", "data.aws_availability_zones.all.names", 1)


def test_data_sources_are_returned_with_mode_data(basic: dict[str, TfResource]) -> None:
    data = basic["data.aws_availability_zones.all"]
    assert data.mode == "data" and data.type == "aws_availability_zones" and data.name == "all"
    assert data.instances[0].values["state"] == "available"


# ------------------------------------------------------------------------------------------ blocks and lines


def test_nested_and_dynamic_blocks(basic: dict[str, TfResource]) -> None:
    values = basic["aws_security_group.nodes"].instances[0].values
    ingress = values["ingress"]
    assert [(rule["from_port"], rule["protocol"]) for rule in ingress] == [
        (179, "tcp"), (179, "tcp"), (4789, "udp")]
    assert [rule[LINE] for rule in ingress] == [31, 38, 38]
    assert ingress[0][ATTR_LINES] == {"from_port": 32, "to_port": 33, "protocol": 34, "self": 35}
    assert "egress" not in values
    assert values[DYNAMIC_UNKNOWN] == ["egress"]


def test_resource_lines_and_provenance(basic: dict[str, TfResource]) -> None:
    sg = basic["aws_security_group.nodes"]
    assert sg.where.file == (BASIC / "main.tf").as_posix()
    assert (sg.where.line, sg.where.column, sg.where.address, sg.end_line) == (27, 1, "aws_security_group.nodes", 55)
    assert sg.module == "" and sg.deployment == BASIC.as_posix()
    values = sg.instances[0].values
    assert values[LINE] == 27 and values[ATTR_LINES]["vpc_id"] == 29
    assert "count" not in basic["aws_instance.node"].instances[0].values


# ------------------------------------------------------------------------------------------ modules


def test_local_modules_are_evaluated_inside_their_caller(modules: TfLoad) -> None:
    resources = by_address(modules)
    assert not any(address.startswith(("aws_vpc.this", "aws_security_group.g")) for address in resources)
    vpc = resources["module.child.aws_vpc.this"]
    assert vpc.instances[0].values["cidr_block"] == "10.1.0.0/16"
    assert vpc.module == "module.child" and vpc.deployment == MODULES.as_posix()
    subnet = resources["module.child.aws_subnet.this"].instances[0].values
    assert subnet["cidr_block"] == "10.1.1.0/24"
    assert subnet["vpc_id"] == Ref("module.child.aws_vpc.this", "id")
    node = resources["module.child.aws_instance.node"].instances[0].values
    assert node["vpc_security_group_ids"] == [Ref("aws_security_group.root", "id")]
    assert node["name"] == "child-default"
    assert node["module_path"] == (MODULES / "child").as_posix()
    grand = resources["module.child.module.grandchild.aws_security_group.g"]
    assert grand.instances[0].values["vpc_id"] == Ref("module.child.aws_vpc.this", "id")
    assert grand.module == "module.child.module.grandchild"


def test_module_outputs(modules: TfLoad) -> None:
    values = by_address(modules)["aws_instance.uses_outputs"].instances[0].values
    assert values["subnet_id"] == Ref("module.child.aws_subnet.this", "id")
    assert values["vpc_cidr"] == "10.1.0.0/16"
    assert values["grandchild_sg"] == Ref("module.child.module.grandchild.aws_security_group.g", "id")
    assert values["net_names"] == ["net-0", "net-1"]
    assert values["each_names"] == {"x": "net-10", "y": "net-20"}


def test_remote_module_is_unknown_with_a_note(modules: TfLoad) -> None:
    values = by_address(modules)["aws_instance.uses_outputs"].instances[0].values
    assert values["remote"] == Unknown("module.vpc.vpc_id")
    assert modules.notes == ("module.vpc: source 'terraform-aws-modules/vpc/aws' is not local: "
                             "its resources are UNKNOWN",)


def test_modules_json_maps_a_remote_module(modules: TfLoad) -> None:
    resources = by_address(modules)
    assert resources["module.mapped.aws_instance.m"].instances[0].values["ami"] == "ami-1"
    assert resources["aws_instance.uses_outputs"].instances[0].values["mapped"] == 42


def test_module_count_and_for_each(modules: TfLoad) -> None:
    resources = by_address(modules)
    net = resources["module.net.aws_subnet.net"]
    assert [i.values["cidr_block"] for i in net.instances] == ["10.9.0.0/24", "10.9.1.0/24"]
    assert net.where.file == (FIXTURES / "modules" / "shared" / "net" / "main.tf").as_posix()
    each = resources["module.each.aws_subnet.net"]
    assert [i.values["cidr_block"] for i in each.instances] == ["10.9.10.0/24", "10.9.20.0/24"]
    assert resources["module.zero.aws_instance.z"].instances == ()


def test_sources_list_every_file_once(modules: TfLoad) -> None:
    files = [path for path, _text in modules.sources]
    assert len(files) == len(set(files))
    assert (MODULES / "main.tf").as_posix() in files
    assert (FIXTURES / "modules" / "shared" / "net" / "main.tf").as_posix() in files
    assert all(text for _path, text in modules.sources)


def test_module_dir_given_alone_is_a_root_with_unknown_inputs() -> None:
    load = load_terraform([str(MODULES / "child")])
    resources = by_address(load)
    assert resources["aws_vpc.this"].instances[0].values["cidr_block"] == Unknown("var.cidr")
    assert resources["aws_vpc.this"].deployment == (MODULES / "child").as_posix()


def test_resource_lines_follow_local_and_mapped_modules() -> None:
    lines = resource_lines(str(MODULES))
    assert lines["aws_security_group.root"].line == 37
    assert lines["module.child.aws_subnet.this"].line == 15
    assert lines["module.child.aws_subnet.this"].file == (MODULES / "child" / "main.tf").as_posix()
    assert lines["module.child.module.grandchild.aws_security_group.g"].line == 3
    assert "module.mapped.aws_instance.m" in lines
    assert not any(address.startswith("module.vpc.") for address in lines)


# ------------------------------------------------------------------------------------------ problems


def test_file_with_problems_contributes_nothing_but_the_module_loads() -> None:
    load = load_terraform([str(FIXTURES / "broken")])
    assert [r.address for r in load.resources] == ["aws_instance.good"]
    problems = sorted((p.where.file.rsplit("/", 1)[1], p.where.line) for p in load.problems)
    assert problems == [("bad.tf", 2), ("dup.tf", 3)]
    assert all(p.where.address == "" for p in load.problems)
    assert {path.rsplit("/", 1)[1] for path, _ in load.sources} == {"bad.tf", "dup.tf", "good.tf"}


def test_module_whose_only_caller_failed_is_its_own_root() -> None:
    root = FIXTURES / "caller_broken" / "root"
    load = load_terraform([str(root), str(root / "lib")])
    assert len(load.problems) == 1
    [resource] = load.resources
    assert resource.address == "aws_instance.lib"
    assert resource.instances[0].values["ami"] == Unknown("var.x")
    assert resource.deployment == (root / "lib").as_posix()


def test_python_hcl2_workarounds_load(tmp_path: Path) -> None:
    load = load_terraform([str(FIXTURES / "workarounds")])
    assert load.problems == ()
    resources = by_address(load)
    values = resources["aws_security_group.tagged"].instances[0].values
    assert values["tags"] == {"kubernetes.io/cluster/demo": "owned", "Name": "sg"}
    assert values["description"] == "yes"
    assert values[ATTR_LINES] == {"tags": 10, "description": 14}
    assert resources["aws_instance.after"].where.line == 18


def test_unreadable_files_are_problems(tmp_path: Path) -> None:
    (tmp_path / "latin1.tf").write_bytes(b'resource "a" "b" {\n  x = "\xe9"\n}\n')
    (tmp_path / "ok.tf").write_text('resource "a" "c" {}\n')
    load = load_terraform([str(tmp_path)])
    assert [r.address for r in load.resources] == ["a.c"]
    assert [(p.message.split(" (")[0], p.where.line) for p in load.problems] == [("cannot read file: not UTF-8 text", 2)]


def test_recursive_local_module_does_not_loop(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "self" {\n  source = "./"\n}\nresource "a" "b" {}\n')
    load = load_terraform([str(tmp_path)])
    assert [r.address for r in load.resources] == ["a.b"]
    assert any("calls itself" in note for note in load.notes)


def test_one_thousand_rules_load_quickly(tmp_path: Path) -> None:
    block = ('resource "aws_security_group_rule" "r{0}" {{\n  type = "ingress"\n  from_port = 179\n'
             '  to_port = 179\n  protocol = "tcp"\n  security_group_id = aws_security_group.nodes.id\n'
             '  source_security_group_id = aws_security_group.nodes.id\n  description = "bgp ${{var.name}}"\n}}\n')
    (tmp_path / "main.tf").write_text("".join(block.format(i) for i in range(1000)))
    start = time.perf_counter()
    load = load_terraform([str(tmp_path)])
    elapsed = time.perf_counter() - start
    assert len(load.resources) == 1000
    assert elapsed < 10  # a guard against quadratic work, not a benchmark (about 1 s here)


def test_dynamic_iterator_nested_dynamic_and_ignored_meta_blocks(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('''
variable "ports" {
  default = { bgp = 179, vxlan = 4789 }
}
resource "aws_security_group" "s" {
  dynamic "ingress" {
    for_each = var.ports
    iterator = port
    content {
      description = port.key
      from_port   = port.value
      dynamic "inner" {
        for_each = [port.value]
        content {
          value = inner.value
        }
      }
    }
  }
  lifecycle {
    create_before_destroy = true
  }
  provisioner "local-exec" {
    command = "true"
  }
  depends_on = [aws_security_group.s]
}
''')
    [resource] = load_terraform([str(tmp_path)]).resources
    values = resource.instances[0].values
    assert [(rule["description"], rule["from_port"]) for rule in values["ingress"]] == [("bgp", 179), ("vxlan", 4789)]
    assert [rule["inner"][0]["value"] for rule in values["ingress"]] == [179, 4789]
    assert values["ingress"][0][LINE] == 6
    assert not {"lifecycle", "provisioner", "depends_on"} & set(values)


def test_huge_count_is_unknown_not_expanded(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "a" "b" {\n  count = 1000000000\n}\n')
    [resource] = load_terraform([str(tmp_path)]).resources
    assert resource.count_unknown == Unknown("1000000000") and len(resource.instances) == 1


def test_json_tfvars_and_var_file(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "a" {}\nvariable "b" {}\nresource "x" "y" {\n  v = [var.a, var.b]\n}\n')
    (tmp_path / "terraform.tfvars.json").write_text('{"a": "json", "b": "json"}')
    (tmp_path / "more.tfvars.json").write_text('{"b": ["from", "file"]}')
    options = TfOptions(var_files=(str(tmp_path / "more.tfvars.json"),))
    [resource] = load_terraform([str(tmp_path)], options).resources
    assert resource.instances[0].values["v"] == ["json", ["from", "file"]]


# ------------------------------------------------------------------------------------------ type constraints


def _values_of(tmp_path: Path, text: str, options: TfOptions = TfOptions()) -> dict[str, Any]:
    (tmp_path / "main.tf").write_text(text)
    load = load_terraform([str(tmp_path)], options)
    assert load.problems == ()
    return by_address(load)["null_resource.v"].instances[0].values["triggers"]


def test_optional_object_attributes_take_their_defaults(tmp_path: Path) -> None:
    values = _values_of(tmp_path, """
variable "rules" {
  type = list(object({
    port     = number
    protocol = optional(string, "tcp")
    cidrs    = optional(list(string), ["0.0.0.0/0"])
    note     = optional(string)
  }))
  default = [{ port = 179 }, { port = "4789", protocol = "udp", note = null }]
}
variable "pools" {
  type    = map(object({ size = optional(number, 2), check = optional(bool, true) }))
  default = { a = {}, b = { size = "3", check = "false" } }
}
resource "null_resource" "v" {
  triggers = { rules = var.rules, pools = var.pools }
}
""")
    assert values["rules"] == [{"port": 179, "protocol": "tcp", "cidrs": ["0.0.0.0/0"], "note": None},
                               {"port": 4789, "protocol": "udp", "cidrs": ["0.0.0.0/0"], "note": None}]
    assert values["pools"] == {"a": {"size": 2, "check": True}, "b": {"size": 3, "check": False}}


def test_optional_defaults_apply_to_module_inputs(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text("""
variable "pool" {
  type = object({ kind = optional(string, "asg"), zones = optional(list(string), []) })
}
resource "null_resource" "v" {
  triggers = { kind = var.pool.kind, zones = length(var.pool.zones) }
}
""")
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./m"\n  pool   = {}\n}\n')
    load = load_terraform([str(tmp_path)])
    triggers = by_address(load)["module.m.null_resource.v"].instances[0].values["triggers"]
    assert triggers == {"kind": "asg", "zones": 0}


def test_collection_elements_are_converted(tmp_path: Path) -> None:
    values = _values_of(tmp_path, """
variable "strings" {
  type    = list(string)
  default = [1, true, "x"]
}
variable "ports" {
  type    = set(number)
  default = ["443", 22, "22"]
}
variable "pair" {
  type    = tuple([string, number])
  default = [5, "6"]
}
variable "counts" {
  type    = map(number)
  default = { a = "1" }
}
variable "loose" {
  type    = any
  default = [1, "1"]
}
resource "null_resource" "v" {
  triggers = { strings = var.strings, ports = var.ports, pair = var.pair, counts = var.counts, loose = var.loose }
}
""")
    assert values == {"strings": ["1", "true", "x"], "ports": [22, 443], "pair": ["5", 6], "counts": {"a": 1},
                      "loose": [1, "1"]}


def test_conversion_keeps_unknowns_and_references(tmp_path: Path) -> None:
    values = _values_of(tmp_path, """
variable "given" {
  type = list(object({ id = string, port = optional(number, 179) }))
}
variable "pool" {
  type    = object({ sg = string, size = optional(number, 1) })
  default = { sg = null }
}
resource "aws_security_group" "g" {}
resource "null_resource" "v" {
  triggers = { given = var.given, pool = var.pool }
}
""")
    assert values["given"] == Unknown("var.given")
    assert values["pool"] == {"sg": None, "size": 1}


# ------------------------------------------------------------------------------------------ .tf.json


_TF_JSON = """{
  "variable": {
    "ports": {
      "type": "list(object({port = number, protocol = optional(string, \\"tcp\\")}))",
      "default": [{"port": 179}]
    },
    "literal": {"default": "${not.a.template}"}
  },
  "locals": {"cidr": "${cidrsubnet(\\"10.0.0.0/16\\", 8, 1)}", "tags": {"Name": "n-${var.literal}"}},
  "resource": {
    "aws_security_group": {
      "nodes": {
        "//": "a comment key is ignored",
        "tags": {"Name": "x"},
        "ingress": [
          {"protocol": "tcp", "from_port": 22, "to_port": 22}
        ],
        "egress": {"protocol": "-1", "from_port": 0, "to_port": 0},
        "dynamic": {
          "ingress": {
            "for_each": "${var.ports}",
            "iterator": "rule",
            "content": {"protocol": "${rule.value.protocol}", "from_port": "${rule.value.port}",
                        "cidr_blocks": ["${local.cidr}"]}
          }
        }
      }
    },
    "aws_instance": {
      "node": {"count": "${length(var.ports) + 1}", "vpc_security_group_ids": ["${aws_security_group.nodes.id}"],
               "tags": "${local.tags}"}
    }
  },
  "module": {"m": {"source": "./m", "given": "${local.cidr}"}}
}
"""


def test_tf_json_files_load_like_tf(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(_TF_JSON)
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text('variable "given" {}\nresource "null_resource" "v" {\n  x = var.given\n}\n')
    load = load_terraform([str(tmp_path)])
    assert load.problems == () and load.notes == ()
    found = by_address(load)
    group = found["aws_security_group.nodes"]
    assert group.where.line == 12 and group.end_line == 27 and group.where.file.endswith("main.tf.json")
    values = group.instances[0].values
    assert values["tags"] == {"Name": "x"}  # an object attribute, not a block
    assert [(r["from_port"], r.get("protocol"), r.get("cidr_blocks"), r[LINE]) for r in values["ingress"]] == \
        [(22, "tcp", None, 16), (179, "tcp", ["10.0.1.0/24"], 20)]  # literal then dynamic (optional default)
    assert values["egress"] == [{LINE: 18, COLUMN: 1, "protocol": "-1", "from_port": 0, "to_port": 0,
                                 ATTR_LINES: {"protocol": 18, "from_port": 18, "to_port": 18}}]
    assert values[ATTR_LINES] == {"tags": 14}
    node = found["aws_instance.node"]
    assert [i.key for i in node.instances] == [0, 1]
    assert node.instances[0].values["vpc_security_group_ids"] == [Ref("aws_security_group.nodes", "id")]
    assert node.instances[0].values["tags"] == {"Name": "n-${not.a.template}"}  # variable defaults are literal
    assert found["module.m.null_resource.v"].instances[0].values["x"] == "10.0.1.0/24"
    assert str(tmp_path / "main.tf.json") in dict(load.sources)
    assert resource_lines(str(tmp_path))["aws_instance.node"].line == 30


@pytest.mark.parametrize("text, line, words", [
    ('{\n  "resource": {\n    "a": {,\n}', 3, "JSON does not parse"),
    ('[1]', 1, "must hold a JSON object"),
    ('{"variable": {"v": {"type": "list(("}}}', 1, "variable type"),
    ('{"locals": {"x": "${var.}"}}', 1, "in '${var.}'"),
    ('{"a": 1} x', 1, "extra data"),
])
def test_bad_tf_json_is_a_problem_and_the_rest_loads(tmp_path: Path, text: str, line: int, words: str) -> None:
    (tmp_path / "bad.tf.json").write_text(text)
    (tmp_path / "ok.tf").write_text('resource "aws_vpc" "v" {\n  cidr_block = "10.0.0.0/16"\n}\n')
    load = load_terraform([str(tmp_path)])
    assert [r.address for r in load.resources] == ["aws_vpc.v"]
    [problem] = load.problems
    assert words in problem.message and problem.where.line == line
    assert problem.where.file == (tmp_path / "bad.tf.json").as_posix()


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.sampled_from(["${var.x}", "${", "tcp", "${aws_vpc.v.id}", "x"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["resource", "aws_vpc", "v", "dynamic", "ingress", "content", "for_each", "variable", "type",
                         "locals", "module", "source", "count", "//"]), inner, max_size=3),
    max_leaves=12)


@settings(max_examples=80, deadline=None)
@given(_JSON_VALUES)
def test_fuzz_tf_json_never_raises(value: Any) -> None:
    from linter.terraform.json_syntax import parse_tf_json

    text = json.dumps(value)
    parse_tf_json(text, "/x/main.tf.json")
    parse_tf_json(text[: len(text) // 2], "/x/main.tf.json")


def test_an_override_of_nothing_is_what_terraform_rejects(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_instance" "a" {\n  ami = "x"\n}\n')
    (tmp_path / "main_override.tf").write_text('resource "aws_instance" "b" {\n  ami = "y"\n}\n')
    load = load_terraform([str(tmp_path)])
    assert [p.message for p in load.problems] == ["resource aws_instance b overrides nothing: Terraform rejects this"]
    assert [r.address for r in load.resources] == ["aws_instance.a"]

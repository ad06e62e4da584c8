"""Seeded generator of realistic benchmark inputs: many small Kubernetes VPCs, as one repository would hold them.

Each VPC ("cluster") has an aws_vpc, 2-3 subnets, one or two security groups with inline and standalone
rules, and 3 aws_instance nodes tagged `kubernetes.io/cluster/<name>`. The same clusters are rendered as

  * Terraform HCL: one root module, `providers.tf` plus one `<cluster>.tf` per cluster;
  * the `terraform show -json` plan of that module (format 1.2: planned_values, resource_changes,
    configuration with expressions/references), written directly, no Terraform needed;
  * a CloudFormation template (self-referencing rules become standalone SecurityGroupIngress).

A size is a number of resources as Terraform would create them (a `count = 3` block is 3); generation
stops at the first cluster that reaches it. Same seed and size -> byte-identical files.

    python bench/generate.py OUT_DIR --size 1000 [--seed 14]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

PROVIDER = "registry.terraform.io/hashicorp/aws"
AMIS = ("ami-0c7217cdde317cfec", "ami-0a3c3a20c09d6f377", "ami-04b70fa74e45c3917")
INSTANCE_TYPES = ("t3.large", "m5.large", "m6i.large", "c6i.xlarge")
OFFICE = "203.0.113.0/24"
ANYWHERE = "0.0.0.0/0"


@dataclass(frozen=True)
class Ref:
    """`address.attribute` of a managed resource: unknown until apply."""

    address: str
    attribute: str = "id"

    def hcl(self) -> str:
        return f"{self.address}.{self.attribute}"


@dataclass(frozen=True)
class Expr:
    """Any other computed expression (a function call over references)."""

    text: str
    references: tuple[str, ...]


@dataclass
class Resource:
    """One Terraform resource block; `blocks` are nested blocks (ingress/egress) in order."""

    type: str
    name: str
    attributes: dict[str, Any]
    blocks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    count: int | None = None

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    @property
    def instances(self) -> int:
        return 1 if self.count is None else self.count


@dataclass(frozen=True)
class Rule:
    """A security group rule, independent of the format that renders it."""

    direction: str  # ingress | egress
    protocol: str  # tcp | udp | "-1" | "4"
    from_port: int
    to_port: int
    cidr: str | None = None
    self_ref: bool = False
    source_group: str | None = None  # key of another group of the same cluster


@dataclass(frozen=True)
class Group:
    key: str  # nodes | control_plane
    inline: tuple[Rule, ...]
    standalone: tuple[Rule, ...]


@dataclass(frozen=True)
class Node:
    subnet: int  # index into the cluster's subnets
    group: str


@dataclass(frozen=True)
class Cluster:
    """One VPC of the repository, decided once and rendered into every format."""

    name: str
    index: int
    subnets: int
    groups: tuple[Group, ...]
    nodes: tuple[Node, ...]
    counted_nodes: bool  # Terraform: one `count = 3` block instead of three blocks
    instance_type: str
    ami: str
    source_dest_check_off: bool

    def cidr(self) -> str:
        return f"10.{(self.index // 16) % 256}.{(self.index % 16) * 16}.0/20"

    def subnet_cidr(self, k: int) -> str:
        return f"10.{(self.index // 16) % 256}.{(self.index % 16) * 16 + k}.0/24"


# ------------------------------------------------------------------------------------- the clusters


def _group_rules(rng: random.Random, key: str, two_groups: bool) -> Group:
    """Inline rules mostly right for Calico; about one cluster in five misses BGP or IP-in-IP."""
    egress = Rule("egress", "-1", 0, 0, cidr=ANYWHERE)
    flavour = rng.random()
    if flavour < 0.5:
        inline = (Rule("ingress", "-1", 0, 0, self_ref=True), egress)
    elif flavour < 0.8:
        inline = (Rule("ingress", "tcp", 179, 179, self_ref=True), Rule("ingress", "4", 0, 0, self_ref=True), egress)
    else:
        inline = (Rule("ingress", "tcp", 10250, 10250, self_ref=True), egress)
    standalone = [Rule("ingress", "tcp", 22, 22, cidr=OFFICE)]
    if two_groups:
        other = "control_plane" if key == "nodes" else "nodes"
        port = 10250 if key == "nodes" else 6443
        standalone.append(Rule("ingress", "tcp", port, port, source_group=other))
        if rng.random() < 0.6:
            standalone.append(Rule("ingress", "-1", 0, 0, source_group=other))
    return Group(key, inline, tuple(standalone))


def clusters(seed: int) -> Iterator[Cluster]:
    """An endless, seeded sequence of clusters."""
    rng = random.Random(seed)
    index = 0
    while True:
        two_groups = rng.random() < 0.5
        keys = ("control_plane", "nodes") if two_groups else ("nodes",)
        groups = tuple(_group_rules(rng, key, two_groups) for key in keys)
        subnets = rng.choice((2, 3))
        counted = rng.random() < 0.5
        nodes = tuple(Node(k % subnets, "control_plane" if two_groups and k == 0 and not counted else "nodes")
                      for k in range(3))
        yield Cluster(f"c{index:04d}", index, subnets, groups, nodes, counted, rng.choice(INSTANCE_TYPES),
                      rng.choice(AMIS), rng.random() < 0.85)
        index += 1


def _cluster_tags(cluster: Cluster, name: str, value: str = "owned") -> dict[str, str]:
    return {"Name": name, f"kubernetes.io/cluster/{cluster.name}": value}


# ------------------------------------------------------------------------------------ Terraform


def terraform_resources(cluster: Cluster) -> list[Resource]:
    n = cluster.name
    vpc = Resource("aws_vpc", n, {"cidr_block": cluster.cidr(), "enable_dns_hostnames": True,
                                  "enable_dns_support": True, "tags": _cluster_tags(cluster, n)})
    found = [vpc]
    subnets = []
    for k in range(cluster.subnets):
        zone = "abc"[k]
        subnet = Resource("aws_subnet", f"{n}_{zone}", {
            "vpc_id": Ref(vpc.address), "cidr_block": cluster.subnet_cidr(k), "availability_zone": f"us-east-1{zone}",
            "tags": {**_cluster_tags(cluster, f"{n}-{zone}", "shared"), "kubernetes.io/role/internal-elb": "1"}})
        subnets.append(subnet)
    found += subnets
    group_address = {g.key: f"aws_security_group.{n}_{g.key}" for g in cluster.groups}
    for group in cluster.groups:
        blocks = [(rule.direction, _tf_rule_block(rule, group_address)) for rule in group.inline]
        found.append(Resource("aws_security_group", f"{n}_{group.key}", {
            "name": f"{n}-{group.key}", "description": f"{n} {group.key.replace('_', ' ')}",
            "vpc_id": Ref(vpc.address), "tags": _cluster_tags(cluster, f"{n}-{group.key}")}, blocks))
    for group in cluster.groups:
        for k, rule in enumerate(group.standalone):
            found.append(Resource("aws_security_group_rule", f"{n}_{group.key}_{k}", _tf_rule_resource(
                rule, Ref(group_address[group.key]), group_address)))
    found += _tf_nodes(cluster, subnets, group_address)
    return found


def _tf_rule_block(rule: Rule, group_address: dict[str, str]) -> dict[str, Any]:
    block: dict[str, Any] = {"protocol": rule.protocol, "from_port": rule.from_port, "to_port": rule.to_port}
    if rule.cidr:
        block["cidr_blocks"] = [rule.cidr]
    if rule.self_ref:
        block["self"] = True
    if rule.source_group:
        block["security_groups"] = [Ref(group_address[rule.source_group])]
    return block


def _tf_rule_resource(rule: Rule, group: Ref, group_address: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {"type": rule.direction, "security_group_id": group, "protocol": rule.protocol,
                              "from_port": rule.from_port, "to_port": rule.to_port}
    if rule.cidr:
        values["cidr_blocks"] = [rule.cidr]
    if rule.source_group:
        values["source_security_group_id"] = Ref(group_address[rule.source_group])
    return values


def _tf_nodes(cluster: Cluster, subnets: list[Resource], group_address: dict[str, str]) -> list[Resource]:
    def values(subnet: Any, group: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = {"ami": cluster.ami, "instance_type": cluster.instance_type, "subnet_id": subnet,
                                 "vpc_security_group_ids": [Ref(group_address[group])]}
        if cluster.source_dest_check_off:
            found["source_dest_check"] = False
        found["tags"] = {**_cluster_tags(cluster, name), "k8s.io/role/node": "1"}
        return found

    if cluster.counted_nodes:
        ids = ", ".join(f"{s.address}.id" for s in subnets)
        refs = tuple(r for s in subnets for r in (f"{s.address}.id", s.address)) + ("count.index",)
        subnet = Expr(f"element([{ids}], count.index)", refs)
        return [Resource("aws_instance", f"{cluster.name}_node", values(subnet, "nodes", f"{cluster.name}-node"),
                         count=len(cluster.nodes))]
    return [Resource("aws_instance", f"{cluster.name}_node_{k}",
                     values(Ref(subnets[node.subnet].address), node.group, f"{cluster.name}-node-{k}"))
            for k, node in enumerate(cluster.nodes)]


def _hcl_value(value: Any, indent: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, Ref):
        return value.hcl()
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, list):
        return "[" + ", ".join(_hcl_value(v, indent) for v in value) + "]"
    if isinstance(value, dict):
        inner = indent + "  "
        width = max(len(_hcl_key(k)) for k in value)
        lines = [f"{inner}{_hcl_key(k):<{width}} = {_hcl_value(v, inner)}" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{indent}}}"
    raise TypeError(f"no HCL for {value!r}")


def _hcl_key(key: str) -> str:
    return key if key.replace("_", "a").isalnum() and not key[0].isdigit() else json.dumps(key)


def _hcl_attributes(values: dict[str, Any], indent: str) -> list[str]:
    width = max(len(k) for k in values)
    return [f"{indent}{k:<{width}} = {_hcl_value(v, indent)}" for k, v in values.items()]


def render_hcl(resources: list[Resource]) -> str:
    parts = []
    for resource in resources:
        lines = [f'resource "{resource.type}" "{resource.name}" {{']
        if resource.count is not None:
            lines += [f"  count = {resource.count}", ""]
        lines += _hcl_attributes(resource.attributes, "  ")
        for name, block in resource.blocks:
            lines += ["", f"  {name} {{", *_hcl_attributes(block, "    "), "  }"]
        lines.append("}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


PROVIDERS_TF = """terraform {
  required_version = ">= 1.5"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}
"""


# ------------------------------------------------------------------------------ the plan JSON

# attributes Terraform fills with their defaults in planned values (a plan lists every attribute)
_DEFAULTS: dict[str, dict[str, Any]] = {
    "aws_vpc": {"assign_generated_ipv6_cidr_block": None, "instance_tenancy": "default", "ipv4_ipam_pool_id": None,
                "ipv4_netmask_length": None, "ipv6_ipam_pool_id": None, "ipv6_netmask_length": None},
    "aws_subnet": {"assign_ipv6_address_on_creation": False, "customer_owned_ipv4_pool": None,
                   "enable_dns64": False, "enable_lni_at_device_index": None,
                   "enable_resource_name_dns_a_record_on_launch": False,
                   "enable_resource_name_dns_aaaa_record_on_launch": False, "ipv6_cidr_block": None,
                   "ipv6_native": False, "map_customer_owned_ip_on_launch": None, "map_public_ip_on_launch": False,
                   "outpost_arn": None, "timeouts": None},
    "aws_security_group": {"revoke_rules_on_delete": False, "timeouts": None},
    "aws_security_group_rule": {"cidr_blocks": None, "description": None, "ipv6_cidr_blocks": None,
                                "prefix_list_ids": None, "self": False, "timeouts": None},
    "aws_instance": {"credit_specification": [], "get_password_data": False, "hibernation": None,
                     "iam_instance_profile": None, "launch_template": [], "source_dest_check": True,
                     "timeouts": None, "user_data_replace_on_change": False, "volume_tags": None},
}
_COMPUTED: dict[str, tuple[str, ...]] = {
    "aws_vpc": ("arn", "default_network_acl_id", "default_route_table_id", "default_security_group_id",
                "dhcp_options_id", "id", "ipv6_association_id", "ipv6_cidr_block", "main_route_table_id",
                "owner_id", "tags_all"),
    "aws_subnet": ("arn", "id", "ipv6_cidr_block_association_id", "owner_id", "private_dns_hostname_type_on_launch",
                   "tags_all"),
    "aws_security_group": ("arn", "id", "name_prefix", "owner_id", "tags_all"),
    "aws_security_group_rule": ("id", "security_group_rule_id"),
    "aws_instance": ("arn", "associate_public_ip_address", "availability_zone", "cpu_core_count", "id",
                     "instance_state", "ipv6_addresses", "key_name", "primary_network_interface_id", "private_dns",
                     "private_ip", "public_dns", "public_ip", "secondary_private_ips", "security_groups",
                     "tags_all", "tenancy"),
}
_BLOCK_DEFAULTS = {"cidr_blocks": [], "description": "", "ipv6_cidr_blocks": [], "prefix_list_ids": [],
                   "security_groups": [], "self": False}


def _computed(value: Any) -> bool:
    if isinstance(value, (Ref, Expr)):
        return True
    if isinstance(value, list):
        return any(_computed(v) for v in value)
    return False


def _expression(value: Any) -> dict[str, Any]:
    if isinstance(value, Ref):
        return {"references": [value.hcl(), value.address]}
    if isinstance(value, Expr):
        return {"references": list(value.references)}
    if isinstance(value, list) and _computed(value):
        return {"references": [r for v in value if isinstance(v, Ref) for r in (v.hcl(), v.address)]}
    return {"constant_value": value}


def _planned(resource: Resource) -> tuple[dict[str, Any], dict[str, Any]]:
    """(values, after_unknown) of one instance."""
    values = dict(_DEFAULTS.get(resource.type, {}))
    unknown: dict[str, Any] = {name: True for name in _COMPUTED.get(resource.type, ())}
    for name, value in resource.attributes.items():
        if _computed(value):
            values.pop(name, None)
            unknown[name] = True
        else:
            values[name] = value
    for name in dict.fromkeys(name for name, _block in resource.blocks):
        blocks = [block for block_name, block in resource.blocks if block_name == name]
        if any(_computed(v) for block in blocks for v in block.values()):
            unknown[name] = True  # a set with an unknown element is unknown as a whole
        else:
            values[name] = [{**_BLOCK_DEFAULTS, **block} for block in blocks]
            unknown[name] = [{"cidr_blocks": [False] * len(b.get("cidr_blocks", [])), "ipv6_cidr_blocks": [],
                              "prefix_list_ids": [], "security_groups": []} for b in blocks]
    return values, unknown


def _configuration(resource: Resource) -> dict[str, Any]:
    expressions: dict[str, Any] = {name: _expression(v) for name, v in resource.attributes.items()}
    for name, block in resource.blocks:
        expressions.setdefault(name, []).append({k: _expression(v) for k, v in block.items()})
    found = {"address": resource.address, "mode": "managed", "type": resource.type, "name": resource.name,
             "provider_config_key": "aws", "expressions": expressions, "schema_version": 1}
    if resource.count is not None:
        found["count_expression"] = {"constant_value": resource.count}
    return found


def render_plan(resources: list[Resource]) -> str:
    """The plan of applying the module to an empty state: every instance is a `create`."""
    planned, changes, relevant = [], [], {}
    for resource in resources:
        values, unknown = _planned(resource)
        for k in range(resource.instances):
            address = resource.address if resource.count is None else f"{resource.address}[{k}]"
            head: dict[str, Any] = {"address": address, "mode": "managed", "type": resource.type,
                                    "name": resource.name}
            if resource.count is not None:
                head["index"] = k
            planned.append({**head, "provider_name": PROVIDER, "schema_version": 1, "values": values,
                            "sensitive_values": {}})
            changes.append({**head, "provider_name": PROVIDER, "change": {
                "actions": ["create"], "before": None, "after": values, "after_unknown": unknown,
                "before_sensitive": False, "after_sensitive": {}}})
        for value in [*resource.attributes.values(), *(v for _n, b in resource.blocks for v in b.values())]:
            for ref in value if isinstance(value, list) else [value]:
                if isinstance(ref, Ref):
                    relevant[(ref.address, ref.attribute)] = None
    plan = {
        "format_version": "1.2", "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER, "version_constraint": "~> 5.0",
                                        "expressions": {"region": {"constant_value": "us-east-1"}}}},
            "root_module": {"resources": [_configuration(r) for r in resources]}},
        "relevant_attributes": [{"resource": a, "attribute": [attr]} for a, attr in relevant],
        "timestamp": "2025-01-01T00:00:00Z", "applyable": True, "complete": True, "errored": False,
    }
    return json.dumps(plan, separators=(",", ":")) + "\n"  # `terraform show -json` prints one line


# ------------------------------------------------------------------------------ CloudFormation


def _logical(cluster: Cluster, suffix: str) -> str:
    return cluster.name.capitalize() + suffix


def cloudformation_resources(cluster: Cluster) -> list[str]:
    """YAML lines (under `Resources:`) of one cluster."""
    vpc = _logical(cluster, "Vpc")
    lines = [f"  {vpc}:", "    Type: AWS::EC2::VPC", "    Properties:", f"      CidrBlock: {cluster.cidr()}",
             "      EnableDnsHostnames: true", "      EnableDnsSupport: true", *_cfn_tags(cluster, cluster.name)]
    subnets = []
    for k in range(cluster.subnets):
        zone = "abc"[k]
        subnet = _logical(cluster, f"Subnet{zone.upper()}")
        subnets.append(subnet)
        lines += [f"  {subnet}:", "    Type: AWS::EC2::Subnet", "    Properties:", f"      VpcId: !Ref {vpc}",
                  f"      CidrBlock: {cluster.subnet_cidr(k)}", f"      AvailabilityZone: us-east-1{zone}",
                  *_cfn_tags(cluster, f"{cluster.name}-{zone}", "shared")]
    group_id = {g.key: _logical(cluster, g.key.title().replace("_", "") + "Sg") for g in cluster.groups}
    for group in cluster.groups:
        logical = group_id[group.key]
        lines += [f"  {logical}:", "    Type: AWS::EC2::SecurityGroup", "    Properties:",
                  f"      GroupDescription: {cluster.name} {group.key.replace('_', ' ')}", f"      VpcId: !Ref {vpc}"]
        for direction, key in (("ingress", "SecurityGroupIngress"), ("egress", "SecurityGroupEgress")):
            inline = [r for r in group.inline if r.direction == direction and r.cidr]
            if inline:
                lines.append(f"      {key}:")
                for rule in inline:
                    lines += [f"        - IpProtocol: '{rule.protocol}'", *_cfn_ports(rule, "          "),
                              f"          CidrIp: {rule.cidr}"]
        lines += _cfn_tags(cluster, f"{cluster.name}-{group.key}")
    for group in cluster.groups:
        # a group cannot name itself inline (a circular dependency): self rules stand alone, as in real templates
        rules = [r for r in group.inline if r.direction == "ingress" and not r.cidr] + list(group.standalone)
        for k, rule in enumerate(rules):
            lines += [f"  {group_id[group.key]}Ingress{k}:", "    Type: AWS::EC2::SecurityGroupIngress",
                      "    Properties:", f"      GroupId: !GetAtt {group_id[group.key]}.GroupId",
                      f"      IpProtocol: '{rule.protocol}'", *_cfn_ports(rule, "      ")]
            source = group.key if rule.self_ref else rule.source_group
            if source:
                lines.append(f"      SourceSecurityGroupId: !GetAtt {group_id[source]}.GroupId")
            else:
                lines.append(f"      CidrIp: {rule.cidr}")
    for k, node in enumerate(cluster.nodes):
        lines += [f"  {_logical(cluster, f'Node{k}')}:", "    Type: AWS::EC2::Instance", "    Properties:",
                  f"      ImageId: {cluster.ami}", f"      InstanceType: {cluster.instance_type}",
                  f"      SubnetId: !Ref {subnets[node.subnet]}",
                  f"      SecurityGroupIds: [!GetAtt {group_id[node.group]}.GroupId]"]
        if cluster.source_dest_check_off:
            lines.append("      SourceDestCheck: false")
        lines += _cfn_tags(cluster, f"{cluster.name}-node-{k}")
    return lines


def _cfn_ports(rule: Rule, indent: str) -> list[str]:
    """Ports only where the protocol has them (CloudFormation ignores them for -1 and IP protocols)."""
    if rule.protocol not in ("tcp", "udp"):
        return []
    return [f"{indent}FromPort: {rule.from_port}", f"{indent}ToPort: {rule.to_port}"]


def _cfn_tags(cluster: Cluster, name: str, value: str = "owned") -> list[str]:
    return ["      Tags:", f"        - {{Key: Name, Value: {name}}}",
            f"        - {{Key: kubernetes.io/cluster/{cluster.name}, Value: {value}}}"]


def _cfn_count(lines: list[str]) -> int:
    return sum(1 for line in lines if line.startswith("    Type: "))


# ------------------------------------------------------------------------------------ writing


@dataclass(frozen=True)
class Generated:
    path: Path
    resources: int
    clusters: int
    files: int


def write_terraform(directory: Path, size: int, seed: int) -> Generated:
    """A root module of at least `size` resources: providers.tf and one file per cluster."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "providers.tf").write_text(PROVIDERS_TF)
    total = count = 0
    for cluster in clusters(seed):
        if total >= size:
            break
        resources = terraform_resources(cluster)
        (directory / f"{cluster.name}.tf").write_text(render_hcl(resources))
        total += sum(r.instances for r in resources)
        count += 1
    return Generated(directory, total, count, count + 1)


def write_plan(path: Path, size: int, seed: int) -> Generated:
    """The plan JSON of the module write_terraform(size, seed) makes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    resources: list[Resource] = []
    count = 0
    for cluster in clusters(seed):
        if sum(r.instances for r in resources) >= size:
            break
        resources += terraform_resources(cluster)
        count += 1
    path.write_text(render_plan(resources))
    return Generated(path, sum(r.instances for r in resources), count, 1)


def write_cloudformation(path: Path, size: int, seed: int) -> Generated:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["AWSTemplateFormatVersion: '2010-09-09'", "Description: Kubernetes clusters (generated benchmark input)",
             "Resources:"]
    total = count = 0
    for cluster in clusters(seed):
        if total >= size:
            break
        block = cloudformation_resources(cluster)
        lines += block
        total += _cfn_count(block)
        count += 1
    path.write_text("\n".join(lines) + "\n")
    return Generated(path, total, count, 1)


def change_one_file(directory: Path) -> Path:
    """What a commit does: one cluster file of the module edited (its nodes get a bigger instance type)."""
    files = sorted(directory.glob("c*.tf"))
    target = files[len(files) // 2]
    text = target.read_text()
    for old in INSTANCE_TYPES:
        text = text.replace(f'"{old}"', '"m7i.2xlarge"')
    target.write_text(text)
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    for made in (write_terraform(args.out / f"hcl-{args.size}", args.size, args.seed),
                 write_plan(args.out / f"plan-{args.size}" / "plan.json", args.size, args.seed),
                 write_cloudformation(args.out / f"cfn-{args.size}.yaml", args.size, args.seed)):
        print(f"{made.path}: {made.resources} resources, {made.clusters} clusters, {made.files} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

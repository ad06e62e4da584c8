"""Evaluated Terraform resources (from HCL or plan JSON) -> the model.

Both Terraform front ends produce `TfResource`s; this is the one place that knows the AWS provider's
resource types, so HCL and plan scans give the same model.
"""
from __future__ import annotations

import base64
import dataclasses
import binascii
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence

from linter.model import (
    DEFAULT_SUBNET, CidrSource, Direction, Fix, GroupSource, Model, NaclAction, NaclAssociation, NaclFixTemplate,
    NaclRule, NetworkAcl,
    NodeGroup, NodeKind, Peering, PrefixListSource, Related, RuleFixTemplate, SecurityGroup, SgRule, Source, Subnet,
    TransitAttachment,
    Unknown, Vpc, VpcCidrSource, Where, merge_models,
)
from linter.terraform.values import (
    COLUMN, DYNAMIC_UNKNOWN, LINE, OVERRIDDEN, PLANNED, PartialTemplate, Ref, TfInstance, TfResource, UnknownAttribute, UnknownElement,
    terraform_text,
)
from linter.aws import (
    boolean, disables_src_dst_check, integer, kubernetes_boot, kubernetes_tag, kubernetes_tag_text, node_labels, port_range,
    protocol_number, with_prefix_lists,
)

_INSTANCE_KEY = re.compile(r"\[[^\]]*\]$")
COMPUTE_LIKE = ("aws_instance", "aws_spot_instance_request")


def strip_key(address: str) -> str:
    return _INSTANCE_KEY.sub("", address)


def as_list(value: Any) -> list[Any] | Unknown:
    if value is None:
        return []
    if isinstance(value, Unknown):
        return value
    if isinstance(value, (list, tuple, set)):
        return list(value)
    return [value]


def decoded_user_data(value: Any) -> str:
    """User data as text; base64 (user_data_base64, launch templates) is decoded when it is base64. A text
    with unknown parts (`templatefile` with a variable) is read around them."""
    if isinstance(value, PartialTemplate):
        return "".join(part if isinstance(part, str) else "__unknown__" for part in value.parts)
    if not isinstance(value, str):
        return ""
    compact = value.strip()
    if compact and re.fullmatch(r"[A-Za-z0-9+/=\s]+", compact) and len(compact) % 4 == 0:
        try:
            data = base64.b64decode(compact, validate=False)
        except (binascii.Error, ValueError):
            return value
        if data[:2] == b"\x1f\x8b":  # base64gzip(): cloud-init unzips it
            data = _gunzip(data)
        return data.decode("utf-8", "replace")
    return value


def _gunzip(data: bytes, limit: int = 2_000_000) -> bytes:
    import zlib

    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, limit)  # bounded: no zip bomb
    except zlib.error:
        return b""


@dataclass
class ResourceIndex:
    """Resources by address (and by address with instance key) for reference resolution."""

    resources: dict[str, TfResource] = field(default_factory=dict)
    data: dict[str, TfResource] = field(default_factory=dict)  # data sources (`data.aws_vpc.this`)
    # (module, module instance, id argument) -> the `data "aws_vpc"` that looks that VPC up
    data_vpc_ids: dict[tuple[str, str | None, Any], str] = field(default_factory=dict)

    def add(self, resource: TfResource) -> None:
        if resource.mode == "data":
            self.data[resource.address] = resource
            if resource.type == "aws_vpc":
                for instance in resource.instances:
                    given = instance.values.get("id")
                    if isinstance(given, (str, Unknown)):
                        self.data_vpc_ids[(resource.module, instance.module_key, _identity(given))] = \
                            resource.address
            return
        self.resources[resource.address] = resource

    def get(self, ref: Any) -> TfResource | None:
        if isinstance(ref, Ref):
            return self.resources.get(strip_key(ref.address))
        return None

    def vpc_of(self, ref: Ref) -> str | None:
        """The key of the VPC (managed or looked up by a data source) whose attribute `ref` is."""
        address = strip_key(ref.address)
        target = self.resources.get(address) or self.data.get(address)
        return target.address if target is not None and target.type == "aws_vpc" else None

    def narrow(self, ref: Any) -> TfResource | None:
        """The resource a reference names; only the instance it names when it names one."""
        resource = self.get(ref)
        if resource is None or len(resource.instances) < 2 or not isinstance(ref, Ref) \
                or ref.address == resource.address:
            return resource
        instance = self.instance(ref)
        return resource if instance is None else dataclasses.replace(resource, instances=(instance,))

    def instance(self, ref: Ref) -> TfInstance | None:
        resource = self.get(ref)
        if resource is None or not resource.instances:
            return None
        match = re.search(r"\[([^\]]*)\]$", ref.address)
        if match is None:
            return resource.instances[0]
        key = match.group(1).strip('"')
        for instance in resource.instances:
            if str(instance.key) == key:
                return instance
        return None


def instance_address(resource: TfResource, instance: TfInstance) -> str:
    """A counted/for_each resource's instances are separate things in the model (`aws_subnet.az[1]`)."""
    if len(resource.instances) > 1 or resource.count_unknown is not None:
        key = instance.key
        if key is None:  # instances of a for_each'd module: addresses carry no module key, use the position
            key = next(i for i, candidate in enumerate(resource.instances) if candidate is instance)
        return f"{resource.address}[{_key_text(key)}]"
    return resource.address


def group_key(value: Any, index: ResourceIndex) -> str | Unknown:
    """A security group reference (id or name) -> its key in the model."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Ref):
        target = index.get(value)
        if target is None or target.type not in ("aws_security_group", "aws_default_security_group"):
            return Unknown(str(value))
        if len(target.instances) > 1 or target.count_unknown is not None:
            keyed = value.address != target.address
            return value.address if keyed else Unknown(f"which instance of {target.address}")
        return target.address
    if isinstance(value, str) and value:
        return value  # a literal id/name: only matches the same literal elsewhere
    return Unknown(terraform_text(value))


def subnet_key(value: Any, index: ResourceIndex) -> str | Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Ref):
        target = index.get(value)
        if target is not None and target.type == "aws_subnet":
            return value.address if len(target.instances) > 1 or target.count_unknown else target.address
        return Unknown(str(value))
    if isinstance(value, str) and value:
        return value
    return Unknown(terraform_text(value))


def blocks(values: dict, name: str) -> list[dict]:
    """Nested blocks of one type; anything else (an unknown value, a scalar) holds no readable block."""
    found = values.get(name)
    return [b for b in found if isinstance(b, dict)] if isinstance(found, list) else []


def unknown_blocks(values: dict, name: str) -> Unknown | None:
    """Why the blocks of this type cannot be known (a `dynamic` block over an unknown collection)."""
    found = values.get(name)
    if isinstance(found, Unknown):
        return found
    if name in (values.get(DYNAMIC_UNKNOWN) or ()):
        return Unknown(f'dynamic "{name}" over an unknown collection')
    return None


# ------------------------------------------------------------------------------------------ mapping


def by_deployment(resources: Sequence[TfResource]) -> list[list[TfResource]]:
    """Resources grouped by deployment (root module or plan): references never resolve across them."""
    groups: dict[str, list[TfResource]] = {}
    for resource in resources:
        groups.setdefault(resource.deployment, []).append(resource)
    return list(groups.values())


def resources_to_model(resources: Sequence[TfResource]) -> Model:
    """Each deployment is mapped with an index of its own resources only."""
    return merge_models([_deployment_model(group) for group in by_deployment(resources)])


def _deployment_model(resources: Sequence[TfResource]) -> Model:
    index = ResourceIndex()
    for resource in resources:
        index.add(resource)
    managed = [r for r in resources if r.mode == "managed" and r.instances]
    vpcs = {r.address: _vpc(r) for r in managed if r.type == "aws_vpc"}
    for resource in managed:
        if resource.type == "aws_vpc_ipv4_cidr_block_association":
            for instance in resource.instances:
                target = index.get(instance.values.get("vpc_id"))
                if target is not None and target.address in vpcs:
                    vpc = vpcs[target.address]
                    vpcs[target.address] = Vpc(vpc.key, vpc.cidrs + (_str_or_unknown(instance.values.get("cidr_block")),),
                                               vpc.where, vpc.deployment)
    subnets = [s for r in managed if r.type == "aws_subnet" for s in _subnets(r, index)]
    rules = [rule for r in managed for rule in _rules(r, index)]
    standalone = {r.group for r in rules if isinstance(r.group, str) and r.where.address != r.group
                  and not r.where.address.startswith(strip_key(r.group))}
    groups = [g for r in managed if r.type in ("aws_security_group", "aws_default_security_group")
              for g in _groups(r, index, standalone)]
    peerings = [_peering(r, index) for r in managed if r.type == "aws_vpc_peering_connection"]
    attachments = [a for r in managed if r.type == "aws_ec2_transit_gateway_vpc_attachment"
                   for a in _attachments(r, index)]
    nodes = list(_node_groups(managed, index))
    acls = [a for r in managed if r.type in NACL_TYPES for a in _network_acls(r, index)]
    acl_rules = [rule for r in managed for rule in _nacl_rules(r, index)]
    associations = [a for r in managed if r.type == "aws_network_acl_association" for a in _nacl_associations(r, index)]
    return Model(vpcs=tuple(vpcs.values()), subnets=tuple(subnets), security_groups=tuple(groups),
                 sg_rules=with_prefix_lists(tuple(rules), _prefix_lists(managed, index)), peerings=tuple(peerings), transit_attachments=tuple(attachments),
                 node_groups=tuple(nodes),
                 network_acls=tuple(acls), nacl_rules=tuple(acl_rules), nacl_associations=tuple(associations))


_PREFIX_LIST = "aws_ec2_managed_prefix_list"


def _prefix_list_source(value: Any, index: ResourceIndex) -> PrefixListSource:
    """A prefix list by its address when it is defined in the scan (its entries replace it later)."""
    target = index.get(value)
    if target is not None and target.type == _PREFIX_LIST:
        return PrefixListSource(target.address)
    return PrefixListSource(_str_or_unknown(value))


def _prefix_lists(managed: Sequence[TfResource], index: ResourceIndex) -> dict[str, tuple[str | Unknown, ...]]:
    """Managed prefix lists -> the CIDRs of their `entry` blocks and of the `..._entry` resources adding to them."""
    found: dict[str, list[str | Unknown]] = {}
    for resource in managed:
        if resource.type == _PREFIX_LIST:
            entries = found.setdefault(resource.address, [])
            for instance in resource.instances[:1]:
                hidden = unknown_blocks(instance.values, "entry")
                entries.extend([hidden] if hidden is not None else [])
                entries.extend(_str_or_unknown(block.get("cidr")) for block in blocks(instance.values, "entry"))
    for resource in managed:
        if resource.type == _PREFIX_LIST + "_entry":
            for instance in resource.instances:
                target = index.get(instance.values.get("prefix_list_id"))
                if target is not None and target.address in found:
                    found[target.address].append(_str_or_unknown(instance.values.get("cidr")))
    return {address: tuple(cidrs) for address, cidrs in found.items()}


def _editable(resource: TfResource) -> bool:
    """Whether a fix may edit the resource's block: HCL source, not a plan, not changed by an override file."""
    return resource.where.file.endswith(".tf") and not resource.extras.get(PLANNED) and bool(resource.end_line) \
        and not resource.extras.get(OVERRIDDEN)


def _str_or_unknown(value: Any) -> str | Unknown:
    if isinstance(value, (str, Unknown)):
        return value
    return Unknown(terraform_text(value))


def _vpc(resource: TfResource) -> Vpc:
    cidrs = tuple(_str_or_unknown(i.values.get("cidr_block", Unknown(f"{resource.address}.cidr_block")))
                  for i in resource.instances[:1])
    return Vpc(resource.address, cidrs, resource.where, resource.deployment)


def _identity(value: str | Unknown) -> Any:
    """What makes two values the same VPC id: the literal, or the same unknown expression."""
    return value if isinstance(value, str) else ("unknown", value.expr)


def _vpc_key(value: Any, index: ResourceIndex, resource: TfResource | None = None,
             instance: TfInstance | None = None) -> str | Unknown | None:
    """The model key of the VPC a `vpc_id` names: an `aws_vpc`, a `data "aws_vpc"` (by reference, or by
    the same id in the same module instance), else the literal id or Unknown."""
    if value is None:
        return None
    ref = value if isinstance(value, Ref) else value.of if isinstance(value, UnknownAttribute) else None
    if ref is not None and ref.attribute == "id" and (vpc := index.vpc_of(ref)) is not None:
        return vpc
    if isinstance(value, Ref):
        return Unknown(str(value))
    if resource is not None and instance is not None and isinstance(value, (str, Unknown)):
        looked_up = index.data_vpc_ids.get((resource.module, instance.module_key, _identity(value)))
        if looked_up is not None:
            return looked_up
    return _str_or_unknown(value)


def _cidr_sources(value: Any, index: ResourceIndex) -> list[Source]:
    """`cidr_blocks`: a list of CIDRs; a VPC's own `cidr_block` stays that VPC's, known or not."""
    cidrs = as_list(value)
    if isinstance(cidrs, Unknown):
        return [CidrSource(cidrs)]
    sources: list[Source] = []
    for cidr in cidrs:
        ref = cidr if isinstance(cidr, Ref) else cidr.of if isinstance(cidr, UnknownAttribute) else None
        vpc = index.vpc_of(ref) if ref is not None and ref.attribute == "cidr_block" else None
        sources.append(VpcCidrSource(vpc, str(ref)) if vpc is not None else CidrSource(_str_or_unknown(cidr)))
    return sources


def _subnets(resource: TfResource, index: ResourceIndex) -> Iterator[Subnet]:
    for instance in resource.instances:
        key = instance_address(resource, instance)
        values = instance.values
        yield Subnet(key, _str_or_unknown(values.get("cidr_block", Unknown(f"{key}.cidr_block"))), resource.where,
                     _vpc_key(values.get("vpc_id"), index, resource, instance), values.get("availability_zone"),
                     resource.deployment, _optional_cidr(values.get("ipv6_cidr_block")))


def _optional_cidr(value: Any) -> str | Unknown | None:
    """A CIDR attribute that may be unset (a subnet without an IPv6 block)."""
    return None if value is None or value == "" else _str_or_unknown(value)


def _key_text(key: Any) -> str:
    return f'"{key}"' if isinstance(key, str) else str(key)


def _groups(resource: TfResource, index: ResourceIndex, standalone: set[str]) -> Iterator[SecurityGroup]:
    for instance in resource.instances:
        key = instance_address(resource, instance)
        yield SecurityGroup(key, resource.where, _vpc_key(instance.values.get("vpc_id"), index, resource, instance),
                            default_egress_all=False, deployment=resource.deployment,
                            fix_template=_fix_template(resource, instance, key in standalone),
                            # Terraform removes AWS's default rules from it: it has only the rules written here
                            vpc_default=resource.type == "aws_default_security_group")


_INLINE_RULE = """  ingress {{
    description = "{description}"
    protocol    = "{protocol}"
    from_port   = {from_port}
    to_port     = {to_port}
    {source}
  }}
"""
_RULE_RESOURCE = """
resource "aws_security_group_rule" "{label}" {{
  description       = "{description}"
  type              = "ingress"
  security_group_id = {reference}
  protocol          = "{protocol}"
  from_port         = {from_port}
  to_port           = {to_port}
  {source}
}}
"""


def _fix_template(resource: TfResource, instance: TfInstance, has_standalone_rules: bool) -> RuleFixTemplate | None:
    """Inline `ingress` blocks, or an `aws_security_group_rule` when the group already uses those
    (Terraform fights over a group that mixes both)."""
    if not _editable(resource):
        return None
    # how code inside the module names this group: its own key, never the keys of the module instance
    own_key: Any = instance.key
    scope = resource.module
    if instance.module_key is not None:
        scope = f"{resource.module}[{instance.module_key}]"  # other module instances cannot name it
        own_key = str(instance.key).removeprefix(instance.module_key).lstrip("/") or None
    local = resource.address[len(resource.module) + 1:] if resource.module else resource.address
    if own_key is not None and (len(resource.instances) > 1 or resource.count_unknown is not None):
        local += f"[{_key_text(own_key)}]"
    reference = f"{local}.id"
    if has_standalone_rules:
        block = _RULE_RESOURCE.replace("{reference}", reference)
        return RuleFixTemplate(resource.where.at(resource.end_line + 1), block, "self              = true",
                               "source_security_group_id = {reference}", reference, scope)
    return RuleFixTemplate(resource.where.at(resource.end_line), _INLINE_RULE, "self        = true",
                           "security_groups = [{reference}]", reference, scope)


def _peering(resource: TfResource, index: ResourceIndex) -> Peering:
    values = resource.instances[0].values
    return Peering(resource.address, _vpc_key(values.get("vpc_id"), index) or Unknown("vpc_id"),
                   _vpc_key(values.get("peer_vpc_id"), index) or Unknown("peer_vpc_id"), resource.where,
                   resource.deployment)


def _attachments(resource: TfResource, index: ResourceIndex) -> Iterator[TransitAttachment]:
    for instance in resource.instances:
        gateway = instance.values.get("transit_gateway_id")
        target = index.get(gateway)
        gateway_key = target.address if target is not None else gateway if isinstance(gateway, (str, Unknown)) \
            else Unknown(f"{resource.address}.transit_gateway_id")
        yield TransitAttachment(instance_address(resource, instance),
                                _vpc_key(instance.values.get("vpc_id"), index) or Unknown("vpc_id"), gateway_key,
                                resource.where, resource.deployment)


def _rules(resource: TfResource, index: ResourceIndex) -> Iterator[SgRule]:
    if resource.type in ("aws_security_group", "aws_default_security_group"):
        yield from _inline_rules(resource, index)
    elif resource.type == "aws_security_group_rule":
        yield from _rule_resource(resource, index)
    elif resource.type in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
        yield from _vpc_rule_resource(resource, index)


def _inline_rules(resource: TfResource, index: ResourceIndex) -> Iterator[SgRule]:
    seen: set[tuple] = set()
    for instance in resource.instances:
        group = instance_address(resource, instance)
        for direction in (Direction.INGRESS, Direction.EGRESS):
            hidden = unknown_blocks(instance.values, direction.value)
            if hidden is not None:  # rules exist that cannot be read: every verdict on this group is UNKNOWN
                yield SgRule(group, direction, hidden, None, (hidden,), resource.where, resource.deployment)
            for block in blocks(instance.values, direction.value):
                where = resource.where.at(block.get(LINE, resource.where.line), block.get(COLUMN, 1))
                rule = _classic_rule(group, direction, block, where, resource.deployment, index, self_group=group)
                identity = (rule.group, rule.where.line, rule.protocol, rule.ports, rule.sources)
                if identity not in seen:
                    seen.add(identity)
                    yield rule


def _classic_rule(group: str | Unknown, direction: Direction, values: dict, where: Where, deployment: str,
                  index: ResourceIndex, self_group: str | Unknown) -> SgRule:
    protocol = protocol_number(values.get("protocol", Unknown("protocol")), "protocol", terraform_text)
    ports = port_range(protocol, values.get("from_port"), values.get("to_port"), terraform_text)
    sources: list[Source] = []
    for name in ("cidr_blocks", "ipv6_cidr_blocks"):
        sources.extend(_cidr_sources(values.get(name), index))
    prefix_lists = as_list(values.get("prefix_list_ids"))
    if isinstance(prefix_lists, Unknown):
        sources.append(PrefixListSource(prefix_lists))
    else:
        sources.extend(_prefix_list_source(p, index) for p in prefix_lists)
    if "security_groups" in values:  # inline blocks: a list of group ids
        groups = as_list(values.get("security_groups"))
        if isinstance(groups, Unknown):
            sources.append(GroupSource(groups))
        else:
            sources.extend(GroupSource(group_key(g, index)) for g in groups)
    if values.get("source_security_group_id") is not None:
        sources.append(GroupSource(group_key(values["source_security_group_id"], index)))
    self_flag = boolean(values.get("self"), "self", terraform_text)
    if self_flag is True:
        sources.append(GroupSource(None if isinstance(self_group, str) else self_group))
    elif isinstance(self_flag, Unknown):
        sources.append(self_flag)
    return SgRule(group, direction, protocol, ports, tuple(sources), where, deployment)


def _rule_resource(resource: TfResource, index: ResourceIndex) -> Iterator[SgRule]:
    seen: set[tuple] = set()
    for instance in resource.instances:
        values = instance.values
        kind = values.get("type")
        if isinstance(kind, Unknown) or kind not in ("ingress", "egress"):
            continue
        group = group_key(values.get("security_group_id", Unknown(f"{resource.address}.security_group_id")), index)
        rule = _classic_rule(group, Direction(kind), values, resource.where, resource.deployment, index, group)
        identity = (rule.group, rule.direction, rule.protocol, rule.ports, rule.sources)
        if identity not in seen:
            seen.add(identity)
            yield rule


def _vpc_rule_resource(resource: TfResource, index: ResourceIndex) -> Iterator[SgRule]:
    direction = Direction.INGRESS if resource.type.endswith("ingress_rule") else Direction.EGRESS
    seen: set[tuple] = set()
    for instance in resource.instances:
        values = instance.values
        group = group_key(values.get("security_group_id", Unknown(f"{resource.address}.security_group_id")), index)
        protocol = protocol_number(values.get("ip_protocol", Unknown("ip_protocol")), "ip_protocol", terraform_text)
        ports = port_range(protocol, values.get("from_port"), values.get("to_port"), terraform_text)
        sources: list[Source] = []
        for name in ("cidr_ipv4", "cidr_ipv6"):
            if values.get(name) is not None:
                sources.extend(_cidr_sources([values[name]], index))
        if values.get("referenced_security_group_id") is not None:
            sources.append(GroupSource(group_key(values["referenced_security_group_id"], index)))
        if values.get("prefix_list_id") is not None:
            sources.append(_prefix_list_source(values["prefix_list_id"], index))
        rule = SgRule(group, direction, protocol, ports, tuple(sources), resource.where, resource.deployment)
        identity = (rule.group, rule.protocol, rule.ports, rule.sources)
        if identity not in seen:
            seen.add(identity)
            yield rule


# ------------------------------------------------------------------------------------------ network ACLs

NACL_TYPES = ("aws_network_acl", "aws_default_network_acl")
_NACL_ACTIONS = {"allow": NaclAction.ALLOW, "deny": NaclAction.DENY}
_NACL_INLINE = """  {direction} {{
    rule_no    = {number}
    action     = "allow"
    protocol   = "{protocol}"
    {cidr_key} = "{cidr}"
    from_port  = {from_port}
    to_port    = {to_port}
  }}
"""
_NACL_RESOURCE = """
resource "aws_network_acl_rule" "{label}" {{
  network_acl_id = {reference}
  rule_number    = {number}
  egress         = {egress}
  protocol       = "{protocol}"
  rule_action    = "allow"
  {cidr_key} = "{cidr}"
  from_port      = {from_port}
  to_port        = {to_port}
}}
"""


def nacl_key(value: Any, index: ResourceIndex) -> str | Unknown:
    """A network ACL reference (`aws_network_acl.x.id`) -> its key in the model."""
    if isinstance(value, Ref):
        target = index.get(value)
        if target is not None and target.type in NACL_TYPES:
            return value.address if len(target.instances) > 1 or target.count_unknown else target.address
        return Unknown(str(value))
    return _str_or_unknown(value) if value is not None else Unknown("network_acl_id not given")


def _network_acls(resource: TfResource, index: ResourceIndex) -> Iterator[NetworkAcl]:
    default = resource.type == "aws_default_network_acl"
    for instance in resource.instances:
        values = instance.values
        vpc: str | Unknown | None
        if default:  # default_network_acl_id = aws_vpc.main.default_network_acl_id
            ref = values.get("default_network_acl_id")
            ref = ref.of if isinstance(ref, UnknownAttribute) else ref
            vpc = index.vpc_of(ref) if isinstance(ref, Ref) else None
            vpc = vpc if vpc is not None else _str_or_unknown(ref) if ref is not None else None
        else:
            vpc = _vpc_key(values.get("vpc_id"), index, resource, instance)
        subnets = as_list(values.get("subnet_ids"))
        keys = subnets if isinstance(subnets, Unknown) else tuple(subnet_key(v, index) for v in subnets)
        yield NetworkAcl(instance_address(resource, instance), resource.where, vpc, keys, default,
                         resource.deployment, _nacl_fix_template(resource, instance))


def _nacl_fix_template(resource: TfResource, instance: TfInstance) -> NaclFixTemplate | None:
    """Inline entries where the ACL already has some (Terraform fights over an ACL that mixes both), else
    an `aws_network_acl_rule` after it."""
    if not _editable(resource) or instance.module_key is not None or len(resource.instances) > 1:
        return None
    if blocks(instance.values, "ingress") or blocks(instance.values, "egress"):
        return NaclFixTemplate(resource.where.at(resource.end_line), _NACL_INLINE)
    local = resource.address[len(resource.module) + 1:] if resource.module else resource.address
    reference = f"{local}.id"
    return NaclFixTemplate(resource.where.at(resource.end_line + 1), _NACL_RESOURCE.replace("{reference}", reference))


def _nacl_rules(resource: TfResource, index: ResourceIndex) -> Iterator[NaclRule]:
    if resource.type in NACL_TYPES:
        for instance in resource.instances:
            key = instance_address(resource, instance)
            for direction in Direction:
                hidden = unknown_blocks(instance.values, direction.value)
                if hidden is not None:  # entries exist that cannot be read: every verdict on this ACL is UNKNOWN
                    yield NaclRule(key, hidden, direction, hidden, hidden, None, hidden, resource.where,
                                   resource.deployment)
                for block in blocks(instance.values, direction.value):
                    where = resource.where.at(block.get(LINE, resource.where.line), block.get(COLUMN, 1))
                    yield from _nacl_entry(key, direction, block, where, resource.deployment, "rule_no", "action")
    elif resource.type == "aws_network_acl_rule":
        for instance in resource.instances:
            values = instance.values
            egress = boolean(values.get("egress", False), "egress", terraform_text)
            directions = [Direction.EGRESS if egress is True else Direction.INGRESS] if not isinstance(egress, Unknown) \
                else list(Direction)  # an unknown direction may be either
            acl = nacl_key(values.get("network_acl_id"), index)
            for direction in directions:
                yield from _nacl_entry(acl, direction, values, resource.where, resource.deployment, "rule_number",
                                       "rule_action")


def _nacl_entry(acl: str | Unknown, direction: Direction, values: dict, where: Where, deployment: str,
                number_key: str, action_key: str) -> Iterator[NaclRule]:
    raw_number, raw_action = values.get(number_key), values.get(action_key)
    number: int | Unknown
    if isinstance(raw_number, int) and not isinstance(raw_number, bool):
        number = raw_number
    elif isinstance(raw_number, str) and raw_number.isdigit():
        number = int(raw_number)
    else:
        number = raw_number if isinstance(raw_number, Unknown) else Unknown(f"{number_key} {terraform_text(raw_number)}")
    action: NaclAction | Unknown
    if isinstance(raw_action, str):
        action = _NACL_ACTIONS.get(raw_action.lower(), Unknown(f"{action_key} {terraform_text(raw_action)}"))
    else:
        action = raw_action if isinstance(raw_action, Unknown) else Unknown(f"{action_key} {terraform_text(raw_action)}")
    protocol = protocol_number(values.get("protocol", Unknown("protocol")), "protocol", terraform_text)
    ports = port_range(protocol, values.get("from_port"), values.get("to_port"), terraform_text)
    for name in ("cidr_block", "ipv6_cidr_block"):
        cidr = values.get(name)
        if cidr is not None and cidr != "":
            yield NaclRule(acl, number, direction, action, protocol, ports, _str_or_unknown(cidr), where, deployment)


def _nacl_associations(resource: TfResource, index: ResourceIndex) -> Iterator[NaclAssociation]:
    for instance in resource.instances:
        values = instance.values
        yield NaclAssociation(nacl_key(values.get("network_acl_id"), index),
                              subnet_key(values.get("subnet_id", Unknown("subnet_id not given")), index),
                              resource.where, resource.deployment)


# ------------------------------------------------------------------------------------------ nodes


def _name_tag(values: dict) -> str | Unknown | None:
    tags = values.get("tags")
    if isinstance(tags, dict):
        return tags.get("Name")
    for tag in blocks(values, "tag"):  # ASG tag blocks
        if tag.get("key") == "Name":
            return tag.get("value")
    return None


def _groups_of(values: dict, names: Sequence[str], index: ResourceIndex) -> tuple[str | Unknown, ...] | Unknown | None:
    for name in names:
        if name in values and values[name] is not None:
            items = as_list(values[name])
            if isinstance(items, Unknown):
                return items
            if items:
                return tuple(dict.fromkeys(group_key(g, index) for g in items))
    return None


def _union(parts: Iterable[tuple | Unknown | None]) -> tuple | Unknown:
    merged: dict[Any, None] = {}
    for part in parts:
        if isinstance(part, Unknown):
            return part
        for item in part or ():
            merged.setdefault(item, None)
    return tuple(merged)


def _node_groups(managed: list[TfResource], index: ResourceIndex) -> Iterator[NodeGroup]:
    interfaces = _interfaces_by_instance(managed, index)
    attached = {a.eni.address for attachments in interfaces.values() for a in attachments}
    for whole in managed:
        for resource, label in _per_module_instance(whole):
            node = None
            if resource.type in COMPUTE_LIKE:
                node = _instance_node(resource, index, interfaces.get(resource.address, []))
            elif resource.type == "aws_autoscaling_group":
                node = _asg_node(resource, index)
            elif resource.type == "aws_eks_node_group":
                node = _eks_node(resource, index)
            elif resource.type in ("aws_spot_fleet_request", "aws_ec2_fleet"):
                node = _fleet_node(resource, index)
            elif resource.type == "aws_network_interface" and resource.address not in attached \
                    and not resource.extras.get(PLANNED) and "source_dest_check" in resource.instances[0].values:
                # an interface that declares the check is a compute resource of its own (DESIGN §5);
                # in a plan every attribute carries its default, so there only attached interfaces count
                node = _interface_node(resource, index)
            if node is not None:
                yield dataclasses.replace(node, label=label) if label else node


def _per_module_instance(resource: TfResource) -> list[tuple[TfResource, str]]:
    """A resource in a counted/for_each module is one node group per module instance (each has its own
    security groups); they share the address, and their label names the instance: `module.x.aws_instance.y [a]`."""
    by_key: dict[Any, list[Any]] = {}
    for instance in resource.instances:  # one pass: 10,000 module instances must not cost 10,000^2
        by_key.setdefault(instance.module_key, []).append(instance)
    if len(by_key) < 2:
        return [(resource, "")]
    return [(dataclasses.replace(resource, instances=tuple(instances)), f"{resource.address} [{key}]")
            for key, instances in by_key.items()]


@dataclass(frozen=True, slots=True)
class _Attachment:
    """An interface attached to an instance: which instance (`target` may carry its key) at which device index."""

    eni: TfResource
    eni_values: dict
    target: Ref
    device_index: int | Unknown | None


def _interfaces_by_instance(managed: list[TfResource], index: ResourceIndex) -> dict[str, list[_Attachment]]:
    """Attachments by the address of the instance resource they attach to (its instances tell them apart)."""
    found: dict[str, list[_Attachment]] = {}

    def add(eni: TfResource, eni_values: dict, target: Any, device_index: Any) -> None:
        resource = index.get(target)
        if resource is not None and isinstance(target, Ref):
            found.setdefault(resource.address, []).append(_Attachment(eni, eni_values, target, _device(device_index)))

    for resource in managed:
        if resource.type == "aws_network_interface":
            for instance in resource.instances:
                for block in blocks(instance.values, "attachment"):
                    add(resource, instance.values, block.get("instance"), block.get("device_index"))
        elif resource.type == "aws_network_interface_attachment":
            for instance in resource.instances:
                eni_ref = instance.values.get("network_interface_id")
                eni, eni_instance = index.get(eni_ref), index.instance(eni_ref) if isinstance(eni_ref, Ref) else None
                if eni is not None and eni_instance is not None:
                    add(eni, eni_instance.values, instance.values.get("instance_id"), instance.values.get("device_index"))
    return found


def _device(value: Any) -> int | Unknown | None:
    if isinstance(value, Unknown) or value is None:
        return value
    number = integer(value)
    return number if number is not None else Unknown(f"device_index {terraform_text(value)}")


def _attached_to(attachment: _Attachment, resource: TfResource, instance: TfInstance) -> bool:
    """Whether an attachment names this instance: a reference with a key names that instance only."""
    address = attachment.target.address
    if address == resource.address or len(resource.instances) == 1:
        return True
    return address == instance_address(resource, instance) or address == f"{resource.address}[{_key_text(instance.key)}]"


def _instance_check(resource: TfResource, instance: TfInstance, attachments: list[_Attachment],
                    index: ResourceIndex) -> tuple[bool | Unknown, Where, list[_Attachment]]:
    """The source/destination check of one instance as AWS sees it: its primary interface's (device index 0),
    else the instance's own attribute; with the interfaces attached to it."""
    values = instance.values
    mine = [a for a in attachments if _attached_to(a, resource, instance)]
    for block in blocks(values, "network_interface"):  # interfaces given at launch
        eni_ref = block.get("network_interface_id")
        eni, eni_instance = index.get(eni_ref), index.instance(eni_ref) if isinstance(eni_ref, Ref) else None
        if eni is not None and eni_instance is not None:
            mine.append(_Attachment(eni, eni_instance.values, Ref(resource.address, "id"), _device(block.get("device_index"))))
    own = boolean(values.get("source_dest_check"), "source_dest_check", terraform_text)
    check: bool | Unknown = True if own is None else own
    where = resource.where
    for attachment in mine:
        eni_check = boolean(attachment.eni_values.get("source_dest_check"), "source_dest_check", terraform_text)
        eni_check = True if eni_check is None else eni_check
        if attachment.device_index == 0:
            return eni_check, attachment.eni.where, mine
        if isinstance(attachment.device_index, Unknown) and eni_check != check:
            check, where = attachment.device_index, attachment.eni.where  # primary or not decides
    return check, where, mine


def _launch_template(values: dict, index: ResourceIndex, block_names: Sequence[str]) -> TfResource | None:
    for name in block_names:
        for block in blocks(values, name):
            for attribute in ("id", "name", "launch_template_id", "launch_template_name"):
                target = index.narrow(block.get(attribute))
                if target is not None and target.type == "aws_launch_template":
                    return target
            for nested in ("launch_template", "launch_template_specification"):
                found = _launch_template(block, index, (nested,))
                if found is not None:
                    return found
    return None


def _template_groups(template: TfResource, index: ResourceIndex) -> tuple[str | Unknown, ...] | Unknown | None:
    values = template.instances[0].values
    direct = _groups_of(values, ("vpc_security_group_ids", "security_group_names", "security_groups"), index)
    if direct is not None:
        return direct
    interface_groups = [_groups_of(b, ("security_groups",), index)
                        for b in blocks(values, "network_interfaces")]
    return _union(interface_groups) if interface_groups else None


def launch_groups(launch: TfResource, index: ResourceIndex) -> tuple[str | Unknown, ...] | Unknown | None:
    """Security groups of a launch template or launch configuration."""
    if launch.type == "aws_launch_template":
        return _template_groups(launch, index)
    return _groups_of(launch.instances[0].values, ("security_groups",), index) if launch.instances else None


def _user_data_text(*resources: TfResource | None) -> str:
    """The decoded user data of resources (instances, launch templates), for `--node-labels`."""
    texts = [decoded_user_data(i.values.get("user_data") or i.values.get("user_data_base64"))
             for r in resources if r is not None for i in r.instances[:1]]
    return "\n".join(texts)


def launch_user_data_disables(template: TfResource) -> bool:
    """User data of a launch template/configuration that turns the check off."""
    return any(disables_src_dst_check(decoded_user_data(i.values.get("user_data"))) for i in template.instances)


def _tag_keys(values: dict) -> Iterator[str | Unknown]:
    """Tag keys of a resource: `tags`/`tags_all` maps, ASG `tag` blocks and `tags` lists, launch template specifications."""
    for name in ("tags", "tags_all"):
        tags = values.get(name)
        if isinstance(tags, dict):
            yield from (k for k in tags if isinstance(k, str))
        elif isinstance(tags, list):
            yield from (key for t in tags if isinstance(t, dict) for key in (t.get("key"),)
                        if isinstance(key, (str, Unknown)))
        elif isinstance(tags, Unknown):
            yield tags
    for tag in blocks(values, "tag"):
        if isinstance(tag.get("key"), (str, Unknown)):
            yield tag["key"]
    for spec in blocks(values, "tag_specifications"):
        yield from _tag_keys(spec)


def kubernetes_evidence(resource: TfResource | None, whose: str = "") -> tuple[str, ...]:
    """What on this resource says it runs Kubernetes: its tags, its user data (DESIGN §6)."""
    if resource is None:
        return ()
    found: dict[str, None] = {}
    for instance in resource.instances:
        for key in _tag_keys(instance.values):
            text = key if isinstance(key, str) and kubernetes_tag(key) else \
                kubernetes_tag_text(key.expr) if isinstance(key, Unknown) else None
            if text:
                found.setdefault(f"tag {text}{whose}", None)
        for name in ("user_data", "user_data_base64"):
            value = instance.values.get(name)
            text = value.expr if isinstance(value, Unknown) else decoded_user_data(value)
            boot = kubernetes_boot(text)
            if boot:
                found.setdefault(f"user data{whose} starts {boot}", None)
    return tuple(found)


def _placement(values: dict, index: ResourceIndex) -> tuple[str | Unknown] | None:
    """The subnet an instance is placed in: its `subnet_id`, else the default subnet of its zone."""
    subnet = values.get("subnet_id")
    if subnet is not None:
        return (subnet_key(subnet, index),)
    zone = values.get("availability_zone")
    if isinstance(zone, str) and zone:
        return (f"{DEFAULT_SUBNET}{zone}",)
    if isinstance(zone, UnknownElement):
        return (UnknownElement(zone.expr, f"{DEFAULT_SUBNET}{zone.collection}", zone.position),)
    return None


def _spread(placements: list[Any]) -> list[Any]:
    """Instances that take different positions of one unknown list of subnets (or zones) sit in different
    subnets: each position becomes a subnet of its own (`var.subnet_ids[1]`)."""
    elements = [p[0] for p in placements if p is not None and isinstance(p[0], UnknownElement)]
    if len(elements) < 2 or len({e.collection for e in elements}) != 1 \
            or len({e.position for e in elements}) != len(elements):
        return placements
    return [(f"{p[0].collection}[{p[0].position}]",) if p is not None and isinstance(p[0], UnknownElement) else p
            for p in placements]


def _instance_node(resource: TfResource, index: ResourceIndex, interfaces: list[_Attachment]) -> NodeGroup:
    template = _launch_template(resource.instances[0].values, index, ("launch_template",))
    related: list[Related] = []
    groups_parts: list[Any] = []
    subnet_parts: list[Any] = []
    checks: list[tuple[bool | Unknown, Where]] = []
    enis: dict[str, TfResource] = {}
    template_off = template is not None and launch_user_data_disables(template)
    for instance in resource.instances:
        values = instance.values
        groups = _groups_of(values, ("vpc_security_group_ids", "security_groups"), index)
        if groups is None and template is not None:
            groups = _template_groups(template, index)
        groups_parts.append(groups)
        subnet_parts.append(_placement(values, index))
        check, where, mine = _instance_check(resource, instance, interfaces, index)
        for attachment in mine:
            enis.setdefault(attachment.eni.address, attachment.eni)
            groups_parts.append(_groups_of(attachment.eni_values, ("security_groups",), index))
            if attachment.eni_values.get("subnet_id") is not None:
                subnet_parts.append((subnet_key(attachment.eni_values["subnet_id"], index),))
        # user data turns the primary interface's check off at boot (modify-instance-attribute acts on it)
        if template_off or disables_src_dst_check(decoded_user_data(values.get("user_data") or values.get("user_data_base64"))):
            check = False
        checks.append((check, where))
    related.extend(Related(eni.where, "network interface") for eni in enis.values())
    if template is not None:
        related.append(Related(template.where, "launch template"))
    # the group's check: on when any instance keeps it on, off when every instance turns it off
    on = [c for c in checks if c[0] is True]
    undecided = [c for c in checks if isinstance(c[0], Unknown)]
    check, check_where = (on or undecided or checks or [(True, resource.where)])[0]
    if not on and not undecided and checks:
        check = False
    known_subnets = [p for p in _spread(subnet_parts) if p is not None]
    subnets = _union(known_subnets) if known_subnets else \
        Unknown(f"the default subnet {resource.address} is placed in (it sets no subnet_id)")
    groups = _union([g for g in groups_parts if g is not None])
    fix = _disable_check_fix(resource) if check is True and check_where == resource.where else None
    return NodeGroup(resource.address, NodeKind.INSTANCE, resource.where, groups, subnets, check, check_where,
                     multiple=resource.multiple, name_tag=_name_tag(resource.instances[0].values),
                     related=tuple(related), deployment=resource.deployment, disable_check_fix=fix,
                     kubernetes=kubernetes_evidence(resource) + kubernetes_evidence(template, " of the launch template"),
                     labels=node_labels(None, _user_data_text(resource, template)))


def _disable_check_fix(resource: TfResource) -> Fix | None:
    """`source_dest_check = false` as the block's first line, where the block does not set it already (a
    second assignment is an error Terraform reports; changing the one written is for a person)."""
    if not _editable(resource) or any("source_dest_check" in i.values for i in resource.instances):
        return None
    return Fix("Disable the source/destination check", resource.where.at(resource.where.line + 1),
               "  source_dest_check = false\n")


def _interface_node(resource: TfResource, index: ResourceIndex) -> NodeGroup:
    values = resource.instances[0].values
    groups = _groups_of(values, ("security_groups",), index) or ()
    subnet = values.get("subnet_id")
    subnets: Any = (subnet_key(subnet, index),) if subnet is not None else Unknown(f"the subnet of {resource.address}")
    check = boolean(values.get("source_dest_check"), "source_dest_check", terraform_text)
    return NodeGroup(resource.address, NodeKind.NETWORK_INTERFACE, resource.where, groups, subnets,
                     True if check is None else check, resource.where, multiple=resource.multiple,
                     name_tag=_name_tag(values), deployment=resource.deployment,
                     kubernetes=kubernetes_evidence(resource))


_TEMPLATE_BLOCKS = ("launch_template", "mixed_instances_policy", "launch_template_specification", "override",
                    "overrides", "launch_template_config")


def _launch_templates(values: dict, index: ResourceIndex) -> list[TfResource]:
    """Every launch template an ASG or fleet launches from: its own, a mixed-instances policy's and its
    overrides', a fleet's launch_template_config."""
    found: dict[str, TfResource] = {}
    for name in _TEMPLATE_BLOCKS:
        for block in blocks(values, name):
            for attribute in ("id", "name", "launch_template_id", "launch_template_name"):
                target = index.narrow(block.get(attribute))
                if target is not None and target.type == "aws_launch_template":
                    found.setdefault(target.address, target)
            for nested in _launch_templates(block, index):
                found.setdefault(nested.address, nested)
    return list(found.values())


def _from_templates(templates: list[TfResource], index: ResourceIndex) -> tuple[Any, bool, list[Related], tuple[str, ...]]:
    """Groups, the check (off only when every template's user data turns it off), related locations and
    Kubernetes evidence of the launch templates a group launches from."""
    groups = _union([_template_groups(t, index) or () for t in templates])
    check = not all(launch_user_data_disables(t) for t in templates)
    related = [Related(t.where, "launch template") for t in templates]
    evidence = tuple(e for t in templates for e in kubernetes_evidence(t, " of the launch template"))
    return groups, check, related, evidence


def _asg_node(resource: TfResource, index: ResourceIndex) -> NodeGroup:
    values = resource.instances[0].values
    related: list[Related] = []
    groups: Any = Unknown(f"the launch template of {resource.address} (none in the scan)")
    check: bool | Unknown = True
    templates = _launch_templates(values, index)
    evidence = kubernetes_evidence(resource)
    if templates:
        groups, check, related, found = _from_templates(templates, index)
        evidence += found
    configuration = index.narrow(values.get("launch_configuration"))
    if configuration is not None and configuration.type == "aws_launch_configuration":
        related.append(Related(configuration.where, "launch configuration"))
        evidence += kubernetes_evidence(configuration, " of the launch configuration")
        groups = _groups_of(configuration.instances[0].values, ("security_groups",), index) or ()
        check = False if launch_user_data_disables(configuration) else True
    zones = as_list(values.get("vpc_zone_identifier"))
    subnets: Any = zones if isinstance(zones, Unknown) else tuple(subnet_key(z, index) for z in zones)
    if not subnets:  # EC2-Classic style: the default subnet of each zone listed
        listed = as_list(values.get("availability_zones"))
        subnets = tuple(f"{DEFAULT_SUBNET}{z}" for z in listed if isinstance(z, str)) \
            if not isinstance(listed, Unknown) and listed and all(isinstance(z, str) for z in listed) \
            else Unknown(f"the subnets of {resource.address} (it sets no vpc_zone_identifier)")
    return NodeGroup(resource.address, NodeKind.AUTOSCALING_GROUP, resource.where, groups, subnets, check,
                     resource.where, multiple=True, name_tag=_name_tag(values), related=tuple(related),
                     deployment=resource.deployment, kubernetes=evidence,
                     labels=node_labels(None, _user_data_text(*templates, configuration)))


def _fleet_node(resource: TfResource, index: ResourceIndex) -> NodeGroup:
    """`aws_spot_fleet_request` / `aws_ec2_fleet`: launch templates (with subnet overrides) or classic
    launch specifications; the check is off only when every way of launching turns it off."""
    values = resource.instances[0].values
    templates = _launch_templates(values, index)
    groups, check, related, evidence = _from_templates(templates, index) if templates else ((), True, [], ())
    group_parts: list[Any] = [groups] if templates else []
    subnet_parts: list[Any] = []
    checks = [check] if templates else []
    for spec in blocks(values, "launch_specification"):
        group_parts.append(_groups_of(spec, ("vpc_security_group_ids", "security_groups"), index) or ())
        user_data = decoded_user_data(spec.get("user_data"))
        checks.append(not disables_src_dst_check(user_data))
        boot = kubernetes_boot(user_data)
        evidence += (f"user data of a launch specification starts {boot}",) if boot else ()
        subnet_parts.append(spec.get("subnet_id"))
    for config in blocks(values, "launch_template_config"):
        subnet_parts.extend(o.get("subnet_id") for name in ("overrides", "override") for o in blocks(config, name))
    placements = [(subnet_key(s.strip() if isinstance(s, str) else s, index),) for part in subnet_parts
                  if part is not None for s in (part.split(",") if isinstance(part, str) else [part])]
    subnets: Any = _union(_spread(placements))
    capacity = values.get("target_capacity")
    for spec in blocks(values, "target_capacity_specification"):
        capacity = spec.get("total_target_capacity")
    count = integer(capacity) if not isinstance(capacity, Unknown) else None
    multiple: bool | Unknown = count >= 2 if count is not None else Unknown(f"the target capacity of {resource.address}")
    return NodeGroup(resource.address, NodeKind.FLEET, resource.where,
                     _union(group_parts) if group_parts else Unknown(f"the launch template of {resource.address} (none in the scan)"),
                     subnets or Unknown(f"the subnets of {resource.address} (it names none)"), check if all(checks) else False,
                     resource.where, multiple=multiple, name_tag=_name_tag(values), related=tuple(related),
                     deployment=resource.deployment, kubernetes=kubernetes_evidence(resource) + evidence)


def _eks_node(resource: TfResource, index: ResourceIndex) -> NodeGroup:
    values = resource.instances[0].values
    template = _launch_template(values, index, ("launch_template",))
    groups: Any = Unknown(f"the EKS-managed security group of {resource.address}")
    related: list[Related] = []
    check: bool | Unknown = True
    if template is not None:
        related.append(Related(template.where, "launch template"))
        groups = _template_groups(template, index) or groups
        check = False if launch_user_data_disables(template) else True
    ids = as_list(values.get("subnet_ids"))
    subnets: Any = ids if isinstance(ids, Unknown) else tuple(subnet_key(s, index) for s in ids)
    return NodeGroup(resource.address, NodeKind.EKS_NODE_GROUP, resource.where, groups, subnets or Unknown("subnet_ids"),
                     check, resource.where, multiple=True, name_tag=_name_tag(values), related=tuple(related),
                     deployment=resource.deployment, kubernetes=("an EKS node group",),
                     labels=node_labels(values.get("labels"), _user_data_text(template)))

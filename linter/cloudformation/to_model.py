"""Evaluated CloudFormation resources -> model elements (VPCs, subnets, SGs and rules, node groups).

All scopes of one deployment (the top-level template and its nested stacks) are mapped together,
because a nested stack's resource can refer to its parent's (a VPC, a security group, a launch
template passed as a parameter).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from linter.model import (
    Fix,
    CidrSource,
    Direction,
    GroupSource,
    Model,
    NaclAction,
    NaclAssociation,
    NaclRule,
    NetworkAcl,
    NodeGroup,
    NodeKind,
    Peering,
    PrefixListSource,
    Related,
    SecurityGroup,
    SgRule,
    Source,
    Subnet,
    Suppression,
    TransitAttachment,
    Unknown,
    Vpc,
    VpcCidrSource,
    Where,
)
from linter.cloudformation.intrinsics import NO_VALUE, JoinedRefs, ResRef, Scope, as_text, describe, line_col
from linter.aws import (
    boolean, disables_src_dst_check, integer, kubernetes_boot, kubernetes_tag, node_labels, port_range, protocol_number, with_prefix_lists,
)

SECURITY_GROUP = "AWS::EC2::SecurityGroup"
SUBNET = "AWS::EC2::Subnet"
VPC = "AWS::EC2::VPC"
LAUNCH_TEMPLATE = "AWS::EC2::LaunchTemplate"
LAUNCH_CONFIGURATION = "AWS::AutoScaling::LaunchConfiguration"
NETWORK_INTERFACE = "AWS::EC2::NetworkInterface"

_DEFAULT_SG = "no security group given: the VPC's default security group"


@dataclass(frozen=True, slots=True)
class _Res:
    """One resource that exists (or may exist) in the deployment."""

    scope: Scope
    logical_id: str
    type: str
    raw: dict  # the resource as decoded
    exists: bool | Unknown

    @property
    def key(self) -> str:
        return self.scope.key(self.logical_id)

    def where(self) -> Where:
        return where_of(self.scope, self.scope.resource_nodes.get(self.logical_id), self.key)

    def prop(self, name: str, *, lenient: bool = False) -> Any:
        """A property evaluated; None when absent (or removed by AWS::NoValue)."""
        props = self.raw.get("Properties")
        if not isinstance(props, dict) or name not in props:
            return None
        value = self.scope.value(props[name], lenient=lenient)
        return None if value is NO_VALUE else value

    def raw_prop(self, name: str) -> Any:
        props = self.raw.get("Properties")
        return props.get(name) if isinstance(props, dict) else None


def where_of(scope: Scope, node: Any, address: str) -> Where:
    if scope.fixed_line is not None:
        return Where(scope.file, scope.fixed_line, 1, address)
    position = line_col(node)
    line, column = position if position is not None else (1, 1)
    return Where(scope.file, line, column, address)


def _resources(scopes: Iterable[Scope]) -> list[_Res]:
    found = []
    for scope in scopes:
        for logical_id, raw in scope.resources.items():
            exists = scope.resource_exists(logical_id)
            if exists is not False:
                found.append(_Res(scope, logical_id, str(raw.get("Type", "")), raw, exists))
    return found


# ------------------------------------------------------------------------------------ values


def _text(value: Any) -> str:
    if isinstance(value, Unknown):
        return value.expr
    if isinstance(value, ResRef):
        return value.key if value.attribute == "Ref" else f"{value.key}.{value.attribute}"
    if isinstance(value, JoinedRefs):
        return value.delimiter.join(_text(item) for item in value.items)
    return describe(value)


def _unknown(value: Any, why: str = "") -> Unknown:
    if isinstance(value, Unknown):
        return value
    return Unknown(f"{why}{_text(value)}")


def _ref_to(value: Any, types: tuple[str, ...], attributes: tuple[str, ...]) -> str | Unknown:
    """The model key of the resource value refers to, else Unknown."""
    if isinstance(value, ResRef) and value.type in types and value.attribute in attributes:
        return value.key
    return _unknown(value)


def group_ref(value: Any) -> str | Unknown:
    return _ref_to(value, (SECURITY_GROUP,), ("Ref", "GroupId"))


def _subnet_ref(value: Any) -> str | Unknown:
    return _ref_to(value, (SUBNET,), ("Ref", "SubnetId"))


def _vpc_ref(value: Any) -> str | Unknown:
    return _ref_to(value, (VPC,), ("Ref", "VpcId"))


def _optional_vpc(value: Any) -> str | Unknown | None:
    return None if value is None else _vpc_ref(value)


def _text_or_unknown(value: Any, what: str) -> str | Unknown:
    if isinstance(value, Unknown):
        return value
    text = as_text(value) if not isinstance(value, bool) else None
    return text if text is not None else Unknown(f"{what} {_text(value)}")


def _flag(value: Any, default: bool) -> bool | Unknown:
    """A CloudFormation boolean (AWS's reading, linter.aws), else AWS's default when not given."""
    flag = boolean(value, "SourceDestCheck", _text)
    return default if flag is None else flag


def _tuple_of(value: Any, convert: Any) -> tuple | Unknown:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        return tuple(convert(item) for item in value)
    return (convert(value),)


def _name_tag(tags: Any) -> str | Unknown | None:
    if isinstance(tags, dict):  # EKS: a map
        value = tags.get("Name")
        return None if value is None else _text_or_unknown(value, "Name tag")
    if not isinstance(tags, list):
        return None
    for tag in tags:
        if isinstance(tag, dict) and tag.get("Key") == "Name" and "Value" in tag:
            return _text_or_unknown(tag["Value"], "Name tag")
    return None


def _cdk_path(res: _Res) -> str:
    metadata = res.raw.get("Metadata")
    path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
    return str(path) if isinstance(path, str) else ""


def _user_data_disables(value: Any) -> bool:
    return isinstance(value, str) and disables_src_dst_check(value)


def _kubernetes_evidence(tags: Any, user_data: Any, whose: str = "") -> tuple[str, ...]:
    """What says a compute resource runs Kubernetes: a Kubernetes tag, user data that starts it (DESIGN §6)."""
    found: list[str] = []
    entries = [{"Key": k} for k in tags] if isinstance(tags, dict) else tags if isinstance(tags, list) else []
    for tag in entries:
        key = tag.get("Key") if isinstance(tag, dict) else None
        if isinstance(key, str) and kubernetes_tag(key):
            found.append(f"tag {key}{whose}")
    boot = kubernetes_boot(user_data) if isinstance(user_data, str) else None
    if boot:
        found.append(f"user data{whose} starts {boot}")
    return tuple(dict.fromkeys(found))


# ------------------------------------------------------------------------------------ network


PREFIX_LIST = "AWS::EC2::PrefixList"


def _prefix_list_cidrs(entries: Any) -> tuple[str | Unknown, ...]:
    """The CIDRs of an AWS::EC2::PrefixList's Entries (an entry that cannot be read is UNKNOWN)."""
    if not isinstance(entries, list):
        return (Unknown("the prefix list's Entries"),)
    return tuple(_text_or_unknown(entry.get("Cidr"), "Cidr") if isinstance(entry, dict) else Unknown("Entries")
                 for entry in entries)


_INGRESS_SOURCES = (("CidrIp", "cidr"), ("CidrIpv6", "cidr"), ("SourceSecurityGroupId", "group"),
                    ("SourceSecurityGroupName", "group"), ("SourcePrefixListId", "prefix"))
_EGRESS_SOURCES = (("CidrIp", "cidr"), ("CidrIpv6", "cidr"), ("DestinationSecurityGroupId", "group"),
                   ("DestinationPrefixListId", "prefix"))


def _sources(direction: Direction, entry: dict) -> tuple[Source, ...]:
    found: list[Source] = []
    groups_seen = False
    for name, kind in _INGRESS_SOURCES if direction is Direction.INGRESS else _EGRESS_SOURCES:
        value = entry.get(name)
        if value is None:
            continue
        if kind == "cidr" and isinstance(value, ResRef) and value.type == VPC and value.attribute == "CidrBlock":
            found.append(VpcCidrSource(value.key, f"{value.key}.CidrBlock"))  # the VPC's block, known or not
        elif kind == "cidr":
            found.append(CidrSource(_text_or_unknown(value, name)))
        elif kind == "group" and not groups_seen:
            groups_seen = True  # SourceSecurityGroupId and ...Name name the same group
            found.append(GroupSource(group_ref(value)))
        elif kind == "prefix" and isinstance(value, ResRef) and value.type == PREFIX_LIST:
            found.append(PrefixListSource(value.key))  # resolved into its entries when the list is in the scan
        elif kind == "prefix":
            found.append(PrefixListSource(_text_or_unknown(value, name)))
    return tuple(found) if found else (Unknown("the rule names no source"),)


def _rule(group: str | Unknown, direction: Direction, entry: Any, where: Where, deployment: str,
          gate: bool | Unknown = True) -> SgRule:
    if not isinstance(entry, dict):
        unknown = _unknown(entry)
        return SgRule(group, direction, unknown, unknown, (unknown,), where, deployment)
    protocol = protocol_number(entry.get("IpProtocol"), "IpProtocol", _text)
    ports = port_range(protocol, entry.get("FromPort"), entry.get("ToPort"), _text)
    sources = _sources(direction, entry)
    if isinstance(gate, Unknown):  # the rule exists only if its Condition holds
        sources = (gate,)
    return SgRule(group, direction, protocol, ports, sources, where, deployment)


def _items(res: _Res, name: str) -> list[tuple[Any, Any]]:
    """(evaluated item, node) for each entry of a list property, keeping each entry's mark."""
    raw = res.raw_prop(name)
    if raw is None:
        return []
    if isinstance(raw, list):
        pairs = []
        for item in raw:
            value = res.scope.value(item)
            if value is not NO_VALUE:
                pairs.append((value, item))
        return pairs
    value = res.scope.value(raw)
    if value is NO_VALUE or value is None:
        return []
    return [(item, raw) for item in value] if isinstance(value, list) else [(value, raw)]


def _security_group(res: _Res, deployment: str) -> tuple[SecurityGroup, list[SgRule]]:
    key = res.key
    rules = []
    for direction, name in ((Direction.INGRESS, "SecurityGroupIngress"),
                            (Direction.EGRESS, "SecurityGroupEgress")):
        for entry, node in _items(res, name):
            rules.append(_rule(key, direction, entry, where_of(res.scope, node, key), deployment))
    group = SecurityGroup(key, res.where(), vpc=_optional_vpc(res.prop("VpcId")),
                          default_egress_all=res.prop("SecurityGroupEgress") is None,
                          deployment=deployment)
    return group, rules


def _standalone_rule(res: _Res, direction: Direction, deployment: str) -> SgRule:
    props = res.scope.value(res.raw.get("Properties", {}))
    props = props if isinstance(props, dict) else {}
    owner = props.get("GroupId", props.get("GroupName"))
    group = group_ref(owner) if owner is not None else Unknown("GroupId not given")
    return _rule(group, direction, props, res.where(), deployment, res.exists)


def _cidr(value: Any, what: str) -> str | Unknown:
    if value is None:
        return Unknown(f"{what} not set")
    return _text_or_unknown(value, what)


# ------------------------------------------------------------------------------------ compute


@dataclass(frozen=True, slots=True)
class _Template:
    """What a launch template or launch configuration gives its instances."""

    res: _Res
    groups: tuple[str | Unknown, ...] | Unknown | None  # None: declares none
    subnets: tuple[str | Unknown, ...] | None
    disables_check: bool
    name_tag: str | Unknown | None
    why: str  # "launch template" / "launch configuration"
    kubernetes: tuple[str, ...] = ()  # evidence that its instances run Kubernetes


def _merge_groups(parts: list[Any]) -> tuple[str | Unknown, ...] | Unknown | None:
    """Concatenate the declared group lists (None = not declared); any unknown list wins."""
    declared = [part for part in parts if part is not None]
    if not declared:
        return None
    merged: list[str | Unknown] = []
    for part in declared:
        groups = _tuple_of(part, group_ref)
        if isinstance(groups, Unknown):
            return groups
        merged.extend(g for g in groups if g not in merged)
    return tuple(merged)


def _primary(interfaces: Any) -> dict | Unknown | None:
    if interfaces is None:
        return None
    if not isinstance(interfaces, list):
        return _unknown(interfaces, "NetworkInterfaces ")
    entries = [i for i in interfaces if isinstance(i, dict)]
    for entry in entries:
        if as_text(entry.get("DeviceIndex")) == "0":
            return entry
    if len(entries) < len(interfaces):
        return Unknown("NetworkInterfaces")
    return entries[0] if entries else None


def _launch_template(res: _Res) -> _Template:
    data = res.prop("LaunchTemplateData", lenient=False)
    text = res.prop("LaunchTemplateData", lenient=True)
    data = data if isinstance(data, dict) else {}
    user_data = text.get("UserData") if isinstance(text, dict) else None
    primary = _primary(data.get("NetworkInterfaces"))
    interface = primary if isinstance(primary, dict) else {}
    if isinstance(primary, Unknown):
        groups: Any = primary
    else:
        groups = _merge_groups([data.get("SecurityGroupIds"), data.get("SecurityGroups"),
                                interface.get("Groups")])
    subnet = interface.get("SubnetId")
    tag = None
    listed = data.get("TagSpecifications")
    specs = [s for s in listed if isinstance(s, dict)] if isinstance(listed, list) else []
    for spec in specs:
        if spec.get("ResourceType") == "instance":
            tag = _name_tag(spec.get("Tags"))
    own = res.prop("TagSpecifications", lenient=True)
    tagged = specs + [s for s in (own if isinstance(own, list) else []) if isinstance(s, dict)]
    if isinstance(text, dict) and isinstance(text.get("TagSpecifications"), list):
        tagged += [s for s in text["TagSpecifications"] if isinstance(s, dict)]
    tags = [t for spec in tagged if isinstance(spec.get("Tags"), list) for t in spec["Tags"]]
    return _Template(res, groups, None if subnet is None else (_subnet_ref(subnet),),
                     _user_data_disables(user_data), tag, "launch template",
                     _kubernetes_evidence(tags, user_data, " of the launch template"))


def _launch_configuration(res: _Res) -> _Template:
    user_data = res.prop("UserData", lenient=True)
    return _Template(res, _merge_groups([res.prop("SecurityGroups")]), None,
                     _user_data_disables(user_data), None, "launch configuration",
                     _kubernetes_evidence(None, user_data, " of the launch configuration"))


class _Index:
    """Resources of the deployment by model key, and launch templates by name."""

    def __init__(self, resources: list[_Res]) -> None:
        self.by_key = {res.key: res for res in resources}
        self.template_names: dict[str, _Res] = {}
        for res in resources:
            if res.type == LAUNCH_TEMPLATE:
                name = res.prop("LaunchTemplateName")
                if isinstance(name, str):
                    self.template_names[name] = res

    def resolve(self, value: Any, rtype: str) -> _Res | None:
        if isinstance(value, ResRef) and value.type == rtype:
            return self.by_key.get(value.key)
        return None

    def launch_template(self, spec: Any) -> _Template | Unknown | None:
        """From a LaunchTemplateSpecification (ASG, instance) or an EKS LaunchTemplate."""
        if spec is None:
            return None
        if not isinstance(spec, dict):
            return _unknown(spec, "launch template ")
        ident = spec.get("LaunchTemplateId", spec.get("Id"))
        name = spec.get("LaunchTemplateName", spec.get("Name"))
        res = self.resolve(ident, LAUNCH_TEMPLATE) or self.resolve(name, LAUNCH_TEMPLATE)
        if res is None and isinstance(name, str):
            res = self.template_names.get(name)
        if res is None:
            return _unknown(ident if ident is not None else name, "launch template ")
        return _launch_template(res)


def _node(res: _Res, kind: NodeKind, deployment: str, **fields: Any) -> NodeGroup:
    return NodeGroup(key=res.key, kind=kind, where=res.where(), deployment=deployment,
                     label=_cdk_path(res), **fields)


@dataclass(frozen=True, slots=True)
class _Interface:
    """What an instance's primary network interface contributes."""

    groups: Any = None  # a declared group list (None: none declared)
    subnet: Any = None
    check: bool | Unknown | None = None  # None: the instance's own SourceDestCheck applies
    eni: _Res | None = None  # a separate AWS::EC2::NetworkInterface, which carries the check
    unknown: Unknown | None = None  # an interface that cannot be read makes everything UNKNOWN


def _instance_interface(res: _Res, index: _Index) -> _Interface:
    primary = _primary(res.prop("NetworkInterfaces"))
    if isinstance(primary, Unknown):
        return _Interface(unknown=primary)
    if primary is None:
        return _Interface()
    if "NetworkInterfaceId" not in primary:
        return _Interface(groups=primary.get("GroupSet"), subnet=primary.get("SubnetId"))
    eni = index.resolve(primary["NetworkInterfaceId"], NETWORK_INTERFACE)
    if eni is None:
        return _Interface(unknown=_unknown(primary["NetworkInterfaceId"], "network interface "))
    return _Interface(groups=eni.prop("GroupSet"), subnet=eni.prop("SubnetId"),
                      check=_flag(eni.prop("SourceDestCheck"), True), eni=eni)


def _instance(res: _Res, index: _Index, deployment: str) -> NodeGroup:
    template = index.launch_template(res.prop("LaunchTemplate"))
    template = template if isinstance(template, _Template) else None
    interface = _instance_interface(res, index)
    groups: Any = _merge_groups([res.prop("SecurityGroupIds"), res.prop("SecurityGroups"), interface.groups])
    subnet = interface.subnet if interface.subnet is not None else res.prop("SubnetId")
    subnets: Any = (_subnet_ref(subnet),) if subnet is not None else None
    check = interface.check if interface.check is not None else _flag(res.prop("SourceDestCheck"), True)
    related = [Related(interface.eni.where(), "network interface")] if interface.eni is not None else []
    if template is not None:
        related.append(Related(template.res.where(), template.why))
        groups = groups if groups is not None else template.groups
        subnets = subnets if subnets is not None else template.subnets
    groups = groups if groups is not None else Unknown(_DEFAULT_SG)
    subnets = subnets if subnets is not None else (Unknown("no SubnetId: a default subnet"),)
    if interface.unknown is not None:
        groups, subnets, check = interface.unknown, (interface.unknown,), interface.unknown
    if check is not False and (_user_data_disables(res.prop("UserData", lenient=True))
                               or (template is not None and template.disables_check)):
        check = False
    name_tag = _name_tag(res.prop("Tags"))
    if name_tag is None and template is not None:
        name_tag = template.name_tag
    fix = _disable_check_fix(res) if check is True and interface.eni is None else None
    evidence = _kubernetes_evidence(res.prop("Tags", lenient=True), res.prop("UserData", lenient=True))
    if template is not None:
        evidence += template.kubernetes
    return _node(res, NodeKind.INSTANCE, deployment, security_groups=groups, subnets=subnets,
                 src_dst_check=check,
                 src_dst_where=interface.eni.where() if interface.eni is not None else res.where(),
                 multiple=False, name_tag=name_tag, related=tuple(related), disable_check_fix=fix,
                 kubernetes=evidence)


def _disable_check_fix(res: _Res) -> Fix | None:
    """`SourceDestCheck: false` as the first property, indented like the others (YAML or JSON)."""
    props = res.raw.get("Properties")
    if res.scope.fixed_line is not None or not isinstance(props, dict) or not props \
            or res.raw_prop("SourceDestCheck") is not None:
        return None
    keys = [line_col(k) for k in props]
    positions = [k for k in keys if k is not None]
    parent = next((line_col(k) for k in res.raw if k == "Properties"), None)
    if len(positions) != len(keys) or not positions or parent is None:
        return None
    line, column = min(positions)
    if line == parent[0]:
        return None  # flow style (`Properties: {...}`): no line of its own to insert
    json_style = res.scope.file.endswith(".json")
    text = ('"SourceDestCheck": false,' if json_style else "SourceDestCheck: false")
    return Fix("Disable the source/destination check", Where(res.scope.file, line, 1, res.key),
               " " * (column - 1) + text + "\n")


def _asg_template(res: _Res, index: _Index) -> _Template | Unknown | None:
    spec = res.prop("LaunchTemplate") or res.prop("LaunchTemplateSpecification")
    policy = res.prop("MixedInstancesPolicy")
    if spec is None and isinstance(policy, dict):
        inner = policy.get("LaunchTemplate")
        spec = inner.get("LaunchTemplateSpecification") if isinstance(inner, dict) else _unknown(inner)
    if spec is not None:
        return index.launch_template(spec)
    name = res.prop("LaunchConfigurationName")
    if name is None:
        return Unknown("no launch template or launch configuration (InstanceId?)")
    configuration = index.resolve(name, LAUNCH_CONFIGURATION)
    return _launch_configuration(configuration) if configuration is not None else _unknown(
        name, "launch configuration ")


def _autoscaling_group(res: _Res, index: _Index, deployment: str) -> NodeGroup:
    template = _asg_template(res, index)
    zones = res.prop("VPCZoneIdentifier")
    if zones is not None:
        if isinstance(zones, list):
            zones = [part for zone in zones for part in
                     (zone.split(",") if isinstance(zone, str) else [zone])]
        subnets: Any = _tuple_of(zones, _subnet_ref)
    elif isinstance(template, _Template) and template.subnets is not None:
        subnets = template.subnets
    else:
        subnets = Unknown("AvailabilityZones without VPCZoneIdentifier: default subnets")
    if isinstance(template, _Template):
        groups: Any = template.groups if template.groups is not None else Unknown(_DEFAULT_SG)
        related: tuple[Related, ...] = (Related(template.res.where(), template.why),)
        check = not template.disables_check
        template_tag = template.name_tag
    else:
        groups, related, check, template_tag = template, (), True, None
    name_tag = _name_tag(res.prop("Tags"))
    evidence = _kubernetes_evidence(res.prop("Tags", lenient=True), None)
    if isinstance(template, _Template):
        evidence += template.kubernetes
    return _node(res, NodeKind.AUTOSCALING_GROUP, deployment, security_groups=groups,
                 subnets=subnets, src_dst_check=check, src_dst_where=res.where(), multiple=True,
                 name_tag=name_tag if name_tag is not None else template_tag, related=related,
                 kubernetes=evidence)


def _fleet(res: _Res, index: _Index, deployment: str) -> NodeGroup:
    """`AWS::EC2::SpotFleet` / `AWS::EC2::EC2Fleet`: launch templates (with subnet overrides) or launch
    specifications; the check is off only when every way of launching turns it off."""
    if res.type == "AWS::EC2::SpotFleet":
        config = res.prop("SpotFleetRequestConfigData", lenient=True)
        config = config if isinstance(config, dict) else {}
    else:
        config = {name: res.prop(name, lenient=True) for name in ("LaunchTemplateConfigs", "TargetCapacitySpecification")}
    groups: list[Any] = []
    subnets: list[Any] = []
    checks: list[bool] = []
    related: list[Related] = []
    evidence = _kubernetes_evidence(res.prop("TagSpecifications", lenient=True), None)
    for spec in _dicts(config.get("LaunchSpecifications")):
        groups.append(_merge_groups([[g.get("GroupId") if isinstance(g, dict) else g
                                      for g in _dicts_or_items(spec.get("SecurityGroups"))]]) or ())
        subnets.extend(_split_subnets(spec.get("SubnetId")))
        checks.append(not _user_data_disables(spec.get("UserData")))
        evidence += _kubernetes_evidence(None, spec.get("UserData"), " of a launch specification")
    for entry in _dicts(config.get("LaunchTemplateConfigs")):
        template = index.launch_template(entry.get("LaunchTemplateSpecification"))
        if isinstance(template, _Template):
            groups.append(template.groups if template.groups is not None else ())
            checks.append(not template.disables_check)
            related.append(Related(template.res.where(), template.why))
            evidence += template.kubernetes
        else:
            groups.append(template if template is not None else Unknown("a launch template config names none"))
        for override in _dicts(entry.get("Overrides")):
            subnets.extend(_split_subnets(override.get("SubnetId")))
    capacity = config.get("TargetCapacity")
    if isinstance(config.get("TargetCapacitySpecification"), dict):
        capacity = config["TargetCapacitySpecification"].get("TotalTargetCapacity")
    count = integer(capacity) if not isinstance(capacity, Unknown) else None
    merged: Any = next((g for g in groups if isinstance(g, Unknown)), None) or tuple(
        dict.fromkeys(k for g in groups for k in g))
    return _node(res, NodeKind.FLEET, deployment, security_groups=merged if groups else Unknown(_DEFAULT_SG),
                 subnets=tuple(dict.fromkeys(_subnet_ref(s) for s in subnets)) or Unknown("the fleet names no subnet"),
                 src_dst_check=all(checks) if checks else True, src_dst_where=res.where(),
                 multiple=count >= 2 if count is not None else Unknown(f"{res.key} target capacity"),
                 related=tuple(related), kubernetes=evidence)


def _dicts(value: Any) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dicts_or_items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [] if value is None else [value]


def _split_subnets(value: Any) -> list[Any]:
    """`SubnetId: "subnet-a, subnet-b"` names several."""
    if value is None:
        return []
    return [part.strip() for part in value.split(",")] if isinstance(value, str) else [value]


def _eks_nodegroup(res: _Res, index: _Index, deployment: str) -> NodeGroup:
    template = index.launch_template(res.prop("LaunchTemplate"))
    groups: Any = Unknown("EKS-managed security group")
    related: tuple[Related, ...] = ()
    check = True
    if isinstance(template, _Template):
        related = (Related(template.res.where(), template.why),)
        check = not template.disables_check
        if template.groups is not None:
            groups = template.groups
    subnets = res.prop("Subnets")
    return _node(res, NodeKind.EKS_NODE_GROUP, deployment, security_groups=groups,
                 subnets=_tuple_of(subnets, _subnet_ref) if subnets is not None else Unknown("Subnets not given"),
                 src_dst_check=check, src_dst_where=res.where(), multiple=True,
                 name_tag=_name_tag(res.prop("Tags")), related=related, kubernetes=("an EKS node group",),
                 labels=node_labels(res.prop("Labels")))


# ------------------------------------------------------------------------------------ the deployment


def map_deployment(scopes: list[Scope], deployment: str) -> Model:
    """Every model element the scopes' resources define."""
    resources = _resources(scopes)
    index = _Index(resources)
    vpcs: list[tuple[_Res, list]] = []
    extra_blocks: list[tuple[str, str | Unknown]] = []
    subnets, groups, rules, peerings, nodes, attachments = [], [], [], [], [], []
    acls, acl_rules, associations = [], [], []
    prefix_lists: dict[str, tuple[str | Unknown, ...]] = {}
    for res in resources:
        if res.type == VPC:
            vpcs.append((res, [_cidr(res.prop("CidrBlock"), "CidrBlock")]))
        elif res.type == "AWS::EC2::VPCCidrBlock":
            vpc = _vpc_ref(res.prop("VpcId"))
            for name in ("CidrBlock", "Ipv6CidrBlock"):
                block = res.prop(name)
                if block is not None and isinstance(vpc, str):
                    extra_blocks.append((vpc, _cidr(block, name)))
        elif res.type == SUBNET:
            zone = res.prop("AvailabilityZone")
            zone = zone if zone is not None else res.prop("AvailabilityZoneId")
            subnets.append(Subnet(res.key, _cidr(res.prop("CidrBlock"), "CidrBlock"), res.where(),
                                  vpc=_optional_vpc(res.prop("VpcId")),
                                  zone=None if zone is None else _text_or_unknown(zone, "zone"),
                                  deployment=deployment, ipv6_cidr=None if res.prop("Ipv6CidrBlock") is None
                                  else _cidr(res.prop("Ipv6CidrBlock"), "Ipv6CidrBlock")))
        elif res.type == SECURITY_GROUP:
            group, inline = _security_group(res, deployment)
            groups.append(group)
            rules.extend(inline)
        elif res.type == "AWS::EC2::SecurityGroupIngress":
            rules.append(_standalone_rule(res, Direction.INGRESS, deployment))
        elif res.type == "AWS::EC2::SecurityGroupEgress":
            rules.append(_standalone_rule(res, Direction.EGRESS, deployment))
        elif res.type in ("AWS::EC2::TransitGatewayAttachment", "AWS::EC2::TransitGatewayVpcAttachment"):
            gateway = res.prop("TransitGatewayId")
            attachments.append(TransitAttachment(
                res.key, _vpc_ref(res.prop("VpcId")),
                _ref_to(gateway, ("AWS::EC2::TransitGateway",), ("Ref", "Id")) if not isinstance(gateway, str) else gateway,
                res.where(), deployment))
        elif res.type == "AWS::EC2::VPCPeeringConnection":
            peerings.append(Peering(res.key, _vpc_ref(res.prop("VpcId")),
                                    _vpc_ref(res.prop("PeerVpcId")), res.where(), deployment))
        elif res.type == "AWS::EC2::Instance":
            nodes.append(_instance(res, index, deployment))
        elif res.type == "AWS::AutoScaling::AutoScalingGroup":
            nodes.append(_autoscaling_group(res, index, deployment))
        elif res.type == "AWS::EKS::Nodegroup":
            nodes.append(_eks_nodegroup(res, index, deployment))
        elif res.type in ("AWS::EC2::SpotFleet", "AWS::EC2::EC2Fleet"):
            nodes.append(_fleet(res, index, deployment))
        elif res.type == NETWORK_ACL:
            acls.append(NetworkAcl(res.key, res.where(), _optional_vpc(res.prop("VpcId")), deployment=deployment))
        elif res.type == "AWS::EC2::NetworkAclEntry":
            acl_rules.extend(_nacl_entry(res, deployment))
        elif res.type == "AWS::EC2::SubnetNetworkAclAssociation":
            associations.append(NaclAssociation(_ref_to(res.prop("NetworkAclId"), (NETWORK_ACL,), ("Ref", "Id")),
                                                _subnet_ref(res.prop("SubnetId")), res.where(), deployment))
        elif res.type == PREFIX_LIST:
            prefix_lists[res.key] = _prefix_list_cidrs(res.prop("Entries"))
    vpc_elements = tuple(
        Vpc(res.key, tuple(blocks + [b for key, b in extra_blocks if key == res.key]), res.where(),
            deployment)
        for res, blocks in vpcs
    )
    return Model(vpcs=vpc_elements, subnets=tuple(subnets), security_groups=tuple(groups),
                 sg_rules=with_prefix_lists(tuple(rules), prefix_lists), peerings=tuple(peerings), transit_attachments=tuple(attachments),
                 node_groups=tuple(nodes),
                 network_acls=tuple(acls), nacl_rules=tuple(acl_rules), nacl_associations=tuple(associations))


NETWORK_ACL = "AWS::EC2::NetworkAcl"
_NACL_ACTIONS = {"allow": NaclAction.ALLOW, "deny": NaclAction.DENY}


def _nacl_entry(res: _Res, deployment: str) -> list[NaclRule]:
    """`AWS::EC2::NetworkAclEntry`: one numbered allow/deny entry of an ACL (CidrBlock or Ipv6CidrBlock)."""
    acl = _ref_to(res.prop("NetworkAclId"), (NETWORK_ACL,), ("Ref", "Id"))
    number = res.prop("RuleNumber")
    number_value: int | Unknown = number if isinstance(number, int) and not isinstance(number, bool) else \
        int(number) if isinstance(number, str) and number.strip().isdigit() else _unknown(number, "RuleNumber ")
    raw_action = res.prop("RuleAction")
    action: NaclAction | Unknown = _NACL_ACTIONS.get(raw_action.strip().lower(), _unknown(raw_action, "RuleAction ")) \
        if isinstance(raw_action, str) else _unknown(raw_action, "RuleAction ")
    if isinstance(res.exists, Unknown):  # the entry exists only if its Condition holds
        action = res.exists
    egress = boolean(res.prop("Egress"), "Egress", _text)
    if isinstance(egress, Unknown):  # either direction: it decides nothing for sure in both
        action = egress
    direction = Direction.EGRESS if egress is True else Direction.INGRESS
    protocol = protocol_number(res.prop("Protocol"), "Protocol", _text)
    span = res.prop("PortRange")
    span = span if isinstance(span, dict) else {}
    ports = port_range(protocol, span.get("From"), span.get("To"), _text)
    found = []
    for name in ("CidrBlock", "Ipv6CidrBlock"):
        if res.prop(name) is not None:
            found.append(NaclRule(acl, number_value, direction, action, protocol, ports,
                                  _text_or_unknown(res.prop(name), name), res.where(), deployment))
    if isinstance(egress, Unknown):
        found += [NaclRule(r.nacl, r.number, Direction.EGRESS, action, r.protocol, r.ports, r.cidr, r.where,
                           deployment) for r in found]
    return found


# ------------------------------------------------------------------------------------ suppressions


def metadata_suppressions(scope: Scope) -> tuple[Suppression, ...]:
    """`Metadata: {calico-lint: {ignore: [{id, reason}]}}` on resources and on the template."""
    found: list[Suppression] = []
    template_target = scope.fixed_line if scope.fixed_line is not None else 0
    found.extend(_ignores(scope, scope.template.get("Metadata"), template_target, ""))
    for logical_id, raw in scope.resources.items():
        if scope.resource_exists(logical_id) is False:
            continue
        key = scope.key(logical_id)
        target = where_of(scope, scope.resource_nodes.get(logical_id), key).line
        found.extend(_ignores(scope, raw.get("Metadata"), target, key))
    return tuple(found)


def _ignores(scope: Scope, metadata: Any, target: int, address: str) -> list[Suppression]:
    ours = metadata.get("calico-lint") if isinstance(metadata, dict) else None
    entries = ours.get("ignore") if isinstance(ours, dict) else None
    if isinstance(entries, (dict, str)):
        entries = [entries]
    if not isinstance(entries, list):
        return []
    found = []
    rules: tuple[str, ...]
    for entry in entries:
        where = where_of(scope, entry, address)
        if isinstance(entry, str):
            rules, reason, until = (str(entry).strip().upper(),), "", None
        elif isinstance(entry, dict):
            ids = entry.get("id", entry.get("ids", entry.get("rules")))
            ids = ids if isinstance(ids, list) else [ids] if ids is not None else []
            rules = tuple(str(i).strip().upper() for i in ids if as_text(i))
            reason = str(entry.get("reason") or "").strip()
            until = str(entry["until"]) if entry.get("until") is not None else None
        else:
            continue
        found.append(Suppression(rules=rules, reason=reason, where=where, target_line=target, until=until))
    return found

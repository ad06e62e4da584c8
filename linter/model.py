"""The one resource model: frozen dataclasses that every parser fills and the engine reads.

This module is the bottom layer: it imports nothing of ours. Every element carries its provenance
(`Where`); a value that cannot be resolved is an `Unknown` naming the expression that produced it.
"""
from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass
from enum import Enum
from typing import Mapping, Union

# ------------------------------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that cannot be determined statically; `expr` says where it came from."""

    expr: str

    def __str__(self) -> str:
        return f"<unknown: {self.expr}>"


def one_line(text: str, limit: int = 160) -> str:
    """An expression as a message shows it: on one line, whitespace runs collapsed, long ones cut with `…`."""
    compact = " ".join(text.split())
    return compact if len(compact) <= limit else compact[: limit - 1].rstrip() + "…"


def is_unknown(value: object) -> bool:
    return isinstance(value, Unknown)


@dataclass(frozen=True, slots=True)
class Where:
    """Provenance: absolute POSIX file path, 1-based line and column, resource address."""

    file: str
    line: int = 1
    column: int = 1
    address: str = ""

    def at(self, line: int, column: int = 1) -> "Where":
        return Where(self.file, line, column, self.address)


def inside_root(file: str, root: str) -> bool:
    """True when `file` is `root` itself or below it (both absolute POSIX paths)."""
    if not root:
        return False
    if not posixpath.isabs(file):
        return True  # relative paths are relative to the root by contract
    root_norm = posixpath.normpath(root)
    file_norm = posixpath.normpath(file)
    if root_norm == "/":
        return True
    return file_norm.startswith(root_norm + "/")


def display_path(file: str, root: str) -> str:
    """Path relative to `root` (POSIX) when inside it, else the absolute path."""
    if not posixpath.isabs(file):
        return file  # already relative (to the root, by contract)
    if root and _normal(file) and _normal(root):  # the common case, without relpath's cost (once per finding)
        prefix = root if root.endswith("/") else root + "/"
        return (file[len(prefix):] or ".") if file.startswith(prefix) else file
    if root and inside_root(file, root):
        return posixpath.relpath(posixpath.normpath(file), posixpath.normpath(root))
    return posixpath.normpath(file)


def _normal(path: str) -> bool:
    """An absolute POSIX path that normpath leaves as it is (no `//`, `.` or `..` part, no trailing `/`)."""
    if path == "/":
        return True
    return (path.startswith("/") and not path.startswith("//") and not path.endswith("/")
            and "//" not in path and "/./" not in path and "/../" not in path
            and not path.endswith(("/.", "/..")))


# ------------------------------------------------------------------------------------------ AWS


class Direction(str, Enum):
    INGRESS = "ingress"
    EGRESS = "egress"


# IP protocol numbers; ALL_PROTOCOLS is AWS's "-1".
ALL_PROTOCOLS = -1
TCP = 6
UDP = 17
ICMP = 1
ICMPV6 = 58
IPIP = 4
GRE = 47
PROTOCOLS_WITH_PORTS = frozenset({TCP, UDP})
# the names AWS takes for IP protocols (rule files use them too); every other protocol is its number
PROTOCOL_NAMES: Mapping[str, int] = {"-1": ALL_PROTOCOLS, "all": ALL_PROTOCOLS, "tcp": TCP, "udp": UDP, "icmp": ICMP,
                                     "icmpv6": ICMPV6}


def protocol_name(number: int) -> str:
    """As AWS writes it in a rule: `tcp`, `udp`, `icmp`, `icmpv6`, `-1`, or the number."""
    return {TCP: "tcp", UDP: "udp", ICMP: "icmp", ICMPV6: "icmpv6"}.get(number, str(number))


Protocol = Union[int, Unknown]


@dataclass(frozen=True, slots=True)
class PortRange:
    """Inclusive port range; an all-ports rule has `ports=None`."""

    low: int
    high: int

    def contains(self, port: int) -> bool:
        return self.low <= port <= self.high


@dataclass(frozen=True, slots=True)
class CidrSource:
    cidr: str | Unknown


@dataclass(frozen=True, slots=True)
class GroupSource:
    """Another security group, by its key in the model (`group` is None for `self`)."""

    group: str | Unknown | None


@dataclass(frozen=True, slots=True)
class VpcCidrSource:
    """The CIDR block of a VPC, by the VPC's key (`aws_vpc.main.cidr_block`, `data.aws_vpc.this.cidr_block`,
    `!GetAtt Vpc.CidrBlock`): whatever its value, it holds every address of that VPC's subnets."""

    vpc: str
    text: str  # how the configuration names it, for messages


@dataclass(frozen=True, slots=True)
class PrefixListSource:
    prefix_list: str | Unknown


Source = Union[CidrSource, GroupSource, PrefixListSource, VpcCidrSource, Unknown]


@dataclass(frozen=True, slots=True)
class SgRule:
    """One allow rule, whatever its syntax (inline block, standalone resource, CloudFormation)."""

    group: str | Unknown  # key of the security group the rule belongs to
    direction: Direction
    protocol: Protocol
    ports: PortRange | None | Unknown  # None: every port (or a protocol without ports)
    sources: tuple[Source, ...]  # peers: sources for ingress, destinations for egress
    where: Where  # the rule itself (standalone resource, inline block line, ...)
    deployment: str = ""


@dataclass(frozen=True, slots=True)
class RuleFixTemplate:
    """How to add an allow rule to a group, in the group's own syntax, prepared by the parser that read it.

    `block` is a `str.format` template with {protocol} {from_port} {to_port} {source} {description} {label};
    {source} is `self_source`, or `group_source` formatted with the peer group's `reference`.
    """

    insert_at: Where
    block: str
    self_source: str
    group_source: str
    reference: str  # how a rule elsewhere in the same module names this group
    scope: str = ""  # references are valid only between groups of the same scope (Terraform module)


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    key: str  # unique within its deployment: the address / logical id
    where: Where
    vpc: str | Unknown | None = None
    # CloudFormation keeps AWS's default allow-all egress when no egress is declared;
    # Terraform's aws_security_group removes it.
    default_egress_all: bool = False
    deployment: str = ""
    fix_template: RuleFixTemplate | None = None
    # the VPC's default group (`aws_default_security_group`): instances given no group of their own get it;
    # `vpc` None is the default VPC's
    vpc_default: bool = False


@dataclass(frozen=True, slots=True)
class Vpc:
    key: str
    cidrs: tuple[str | Unknown, ...]
    where: Where
    deployment: str = ""


@dataclass(frozen=True, slots=True)
class Subnet:
    key: str  # for a counted subnet: the address with its index, e.g. aws_subnet.public[1]
    cidr: str | Unknown
    where: Where
    vpc: str | Unknown | None = None
    zone: str | Unknown | None = None
    deployment: str = ""
    ipv6_cidr: str | Unknown | None = None  # None: the subnet has no IPv6 block


# a node group's subnet key for the default subnet of a zone (`default subnet of eu-west-1a`): a subnet that
# no resource of the scan declares, distinct per zone
DEFAULT_SUBNET = "default subnet of "


@dataclass(frozen=True, slots=True)
class Peering:
    key: str
    vpc: str | Unknown
    peer_vpc: str | Unknown
    where: Where
    deployment: str = ""


@dataclass(frozen=True, slots=True)
class TransitAttachment:
    """A VPC attached to a transit gateway: VPCs attached to the same gateway can talk."""

    key: str
    vpc: str | Unknown
    gateway: str | Unknown
    where: Where
    deployment: str = ""


class NaclAction(str, Enum):
    ALLOW = "allow"
    DENY = "deny"


@dataclass(frozen=True, slots=True)
class NaclRule:
    """One network ACL entry: AWS evaluates an ACL's entries by number, lowest first, and the first match
    decides (allow or deny); what no entry matches is denied. ACLs are stateless: replies are entries too."""

    nacl: str | Unknown  # key of the NetworkAcl it belongs to
    number: int | Unknown
    direction: Direction
    action: NaclAction | Unknown
    protocol: Protocol
    ports: PortRange | None | Unknown  # destination ports; None: every port (or a protocol without ports)
    cidr: str | Unknown  # the IPv4 or IPv6 block it matches (the source for ingress, destination for egress)
    where: Where
    deployment: str = ""


@dataclass(frozen=True, slots=True)
class NaclFixTemplate:
    """How to add an allow entry to an ACL in its own syntax: a `str.format` template with {label}
    {number} {egress} {protocol} {cidr_key} {cidr} {from_port} {to_port} {description}."""

    insert_at: Where
    block: str


@dataclass(frozen=True, slots=True)
class NetworkAcl:
    key: str
    where: Where
    vpc: str | Unknown | None = None
    subnets: tuple[str | Unknown, ...] | Unknown = ()  # subnets it names itself (`subnet_ids`)
    # the VPC's default ACL (aws_default_network_acl): it serves every subnet no other ACL is associated with
    default: bool = False
    deployment: str = ""
    fix_template: NaclFixTemplate | None = None


@dataclass(frozen=True, slots=True)
class NaclAssociation:
    """`aws_network_acl_association` / `AWS::EC2::SubnetNetworkAclAssociation`: a subnet's ACL."""

    nacl: str | Unknown
    subnet: str | Unknown
    where: Where
    deployment: str = ""


class NodeKind(str, Enum):
    INSTANCE = "instance"
    AUTOSCALING_GROUP = "autoscaling-group"
    EKS_NODE_GROUP = "eks-node-group"
    NETWORK_INTERFACE = "network-interface"
    FLEET = "fleet"  # a spot fleet or EC2 fleet: instances from launch templates or specifications


@dataclass(frozen=True, slots=True)
class Related:
    where: Where
    why: str


@dataclass(frozen=True, slots=True)
class NodeGroup:
    """A compute resource that runs calico-node: one declaring resource, any number of instances."""

    key: str  # the address without instance keys / the logical id
    kind: NodeKind
    where: Where
    security_groups: tuple[str | Unknown, ...] | Unknown  # declared order; first = report target
    subnets: tuple[str | Unknown, ...] | Unknown  # keys of Subnet elements (or Unknown)
    # False = disabled (good); True = on (AWS's default); Unknown = cannot tell
    src_dst_check: bool | Unknown
    src_dst_where: Where  # the resource that carries (or should carry) the setting
    # True when the group can hold two or more instances (ASG, EKS, count >= 2)
    multiple: bool | Unknown = False
    name_tag: str | Unknown | None = None
    related: tuple[Related, ...] = ()  # launch template/configuration, interfaces, ...
    deployment: str = ""
    label: str = ""  # a human name for messages (e.g. CDK construct path); defaults to key
    # the mechanical change that disables the check, prepared by the parser that knows the syntax
    disable_check_fix: "Fix | None" = None
    # what on the resource itself says it runs Kubernetes (tags, user data, an EKS node group), in words
    kubernetes: tuple[str, ...] = ()
    # Kubernetes node labels its configuration declares (EKS labels, kubelet --node-labels); None: none declared
    labels: tuple[tuple[str, str | Unknown], ...] | Unknown | None = None

    @property
    def display(self) -> str:
        return self.label or self.key


# ------------------------------------------------------------------------------------------ Calico


class EncapMode(str, Enum):
    NEVER = "Never"
    ALWAYS = "Always"
    CROSS_SUBNET = "CrossSubnet"


@dataclass(frozen=True, slots=True)
class IpPool:
    key: str  # IPPool/name, ipPool/<cidr>, Installation/default[0], DaemonSet/calico-node
    cidr: str | Unknown
    ipip: EncapMode | Unknown
    vxlan: EncapMode | Unknown
    nat_outgoing: bool | Unknown
    where: Where
    origin: str  # human description: "IPPool (projectcalico.org/v3)", "calico-node environment", ...
    disabled: bool | Unknown = False
    # describes a pool only when no IPPool resource is found (calico-node's CALICO_IPV4POOL_* environment)
    fallback: bool = False
    # Calico's label selector of the nodes the pool serves (`all()` by default)
    node_selector: str | Unknown = "all()"
    family: int | None = None  # 4 or 6 where the CIDR cannot say (calico-node's IPv6 pool); None: from the CIDR
    deployment: str = ""  # set when a deployment's own resource embeds it (Terraform kubernetes_manifest, Helm)


class SrcDstCheck(str, Enum):
    """Felix's awsSrcDstCheck (FELIX_AWSSRCDSTCHECK): what Felix does to its node's source/destination check."""

    DISABLE = "Disable"
    ENABLE = "Enable"
    DO_NOTHING = "DoNothing"


@dataclass(frozen=True, slots=True)
class FelixConfig:
    """Felix's AWS source/destination check setting, from a FelixConfiguration, calico-node's environment
    (FELIX_AWSSRCDSTCHECK) or the configuration file: the one place the engine reads it."""

    key: str
    aws_src_dst_check: SrcDstCheck | Unknown | None  # None: not set by this document
    where: Where
    wireguard: bool | Unknown | None = None  # wireguardEnabled (None: unset; Felix's default is off)
    wireguard_v6: bool | Unknown | None = None  # wireguardEnabledV6
    # calico-node's FELIX_* environment: it overrides FelixConfiguration resources
    environment: bool = False
    deployment: str = ""  # set when a deployment's own resource embeds it


class Networking(str, Enum):
    """How pods are networked."""

    CALICO = "calico"  # Calico IPAM and routing (BGP and/or encapsulation)
    POLICY_ONLY = "policy-only"  # e.g. AWS VPC CNI: pods use VPC addresses


@dataclass(frozen=True, slots=True)
class CalicoNetwork:
    """Cluster-wide settings found in one document (Installation, calico-node, Helm values)."""

    key: str
    where: Where
    bgp: bool | Unknown | None = None  # None: not stated by this document
    networking: Networking | Unknown | None = None
    typha: bool | Unknown | None = None  # whether Typha runs (None: not stated by this document)
    deployment: str = ""  # set when a deployment's own resource embeds it


@dataclass(frozen=True, slots=True)
class BgpConfig:
    """A `BGPConfiguration`: `default` is cluster-wide, `node.<name>` one node's."""

    key: str
    name: str | Unknown
    where: Where
    mesh: bool | Unknown | None = None  # nodeToNodeMeshEnabled (None: unset; Calico's default is on)
    deployment: str = ""  # set when a deployment's own resource embeds it


@dataclass(frozen=True, slots=True)
class BgpPeer:
    """A `BGPPeer`: which nodes peer (node / nodeSelector; neither: all) with whom (peerIP / peerSelector)."""

    key: str
    where: Where
    node: str | Unknown | None = None
    node_selector: str | Unknown | None = None
    peer_selector: str | Unknown | None = None
    peer_ip: str | Unknown | None = None  # the address, without the optional port
    peer_port: int | None = None  # from `IP:port` / `[IPv6]:port`; None: BGP's own port
    deployment: str = ""  # set when a deployment's own resource embeds it


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """A Calico resource that Calico would reject (CAL011)."""

    key: str
    field: str
    message: str
    where: Where


# ------------------------------------------------------------------------------------------ findings


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """A file that could not be read (CAL000). `level` is NOTE for unrendered templates."""

    where: Where
    message: str
    level: Level = Level.ERROR


@dataclass(frozen=True, slots=True)
class Suppression:
    """`# calico-lint: ignore[CAL003] reason` or CloudFormation Metadata.

    `target` is where it applies: the first line of the resource/block it annotates, in `where.file`;
    `target_line` 0 means the whole file (CloudFormation template-level Metadata).
    """

    rules: tuple[str, ...]
    reason: str
    where: Where  # the comment / metadata entry itself
    target_line: int
    until: str | None = None  # YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class Fix:
    description: str
    where: Where
    replacement: str  # text to insert at `where` (a whole line or block)
    delete_lines: int = 0


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    level: Level
    message: str
    where: Where
    related: tuple[Related, ...] = ()
    # lines that also anchor suppressions: the enclosing resource's first line
    anchors: tuple[Where, ...] = ()
    # stable identity for fingerprints/baselines: never line numbers
    identity: str = ""
    fix: Fix | None = None
    suppression: Suppression | None = None
    baselined: bool = False
    unverified: bool = False  # an UNKNOWN result: reported as a note, a failure only with --strict

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None or self.baselined

    @property
    def fingerprint(self) -> str:
        """sha256 of the rule and the stable identity, never line numbers: SARIF and the baseline use it."""
        identity = self.identity or self.where.address
        return hashlib.sha256(f"{self.rule}\x00{identity}".encode("utf-8")).hexdigest()

    @property
    def order(self) -> tuple[str, int, str, str, int, int, str]:
        """How findings are listed everywhere: (file, line, rule, resource), the most severe first, column, message."""
        where = self.where
        return (where.file, where.line, self.rule, where.address, -self.level.rank, where.column, self.message)


@dataclass(frozen=True, slots=True)
class Notice:
    """A run-level notification (assumed default pool, policy-only mode), not a result."""

    level: Level
    message: str
    file: str | None = None


# ------------------------------------------------------------------------------------------ the model


@dataclass(frozen=True, slots=True)
class Model:
    vpcs: tuple[Vpc, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    sg_rules: tuple[SgRule, ...] = ()
    peerings: tuple[Peering, ...] = ()
    transit_attachments: tuple[TransitAttachment, ...] = ()
    network_acls: tuple[NetworkAcl, ...] = ()
    nacl_rules: tuple[NaclRule, ...] = ()
    nacl_associations: tuple[NaclAssociation, ...] = ()
    node_groups: tuple[NodeGroup, ...] = ()
    pools: tuple[IpPool, ...] = ()
    felix: tuple[FelixConfig, ...] = ()
    calico: tuple[CalicoNetwork, ...] = ()
    bgp_configs: tuple[BgpConfig, ...] = ()
    bgp_peers: tuple[BgpPeer, ...] = ()
    config_problems: tuple[ConfigProblem, ...] = ()
    problems: tuple[ParseProblem, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    # files read, so that CAL013 and reporters know what was scanned
    files: tuple[str, ...] = ()
    # files judged inside a resource that uses them (a helm_release's values file): not judged on their own
    embedded_files: tuple[str, ...] = ()

    def merged(self, other: "Model") -> "Model":
        return merge_models((self, other))


_MODEL_FIELDS = tuple(Model.__dataclass_fields__)
# Model fields of Calico configuration: they apply to clusters by where they were found (DESIGN §6);
# their elements carry `deployment` (set when a deployment's own resource embeds them)
CALICO_FIELDS = frozenset({"pools", "felix", "calico", "bgp_configs", "bgp_peers"})
# Model fields judged once per run, whatever the clusters
RUN_FIELDS = frozenset({"config_problems", "problems", "suppressions", "files", "embedded_files"})


@dataclass(frozen=True, slots=True)
class CalicoScope:
    """The deployments a Calico document applies to (DESIGN §6)."""

    deployments: frozenset[str] | None = None  # None: every deployment of the scan
    unit: str = ""  # documents that apply to no deployment are judged with the others of their unit
    why: str = ""  # in words, for describe and notes


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the scan's Calico configuration applies, and what its deployments and clusters are called."""

    files: tuple[tuple[str, CalicoScope], ...] = ()  # Calico file -> scope; a file not listed applies everywhere
    deployment_names: tuple[tuple[str, str], ...] = ()  # deployment -> how outputs name it (its path)
    cluster_names: tuple[tuple[str, str], ...] = ()  # deployment -> the name `clusters:` gives it


def merge_models(models: "list[Model] | tuple[Model, ...]") -> Model:
    parts: dict[str, list] = {name: [] for name in _MODEL_FIELDS}
    for model in models:
        for name in _MODEL_FIELDS:
            parts[name].extend(getattr(model, name))
    return Model(**{name: tuple(values) for name, values in parts.items()})



# ------------------------------------------------------------------------------------------ rules and reports


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's metadata and documentation, as its rules/CAL00N.yaml file declares it."""

    id: str
    name: str
    level: Level
    title: str
    message: str
    what: str
    why: str
    fix: str
    example: str = ""
    use_instead: str = ""
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    security_severity: float = 5.0


@dataclass(frozen=True, slots=True)
class Report:
    """Everything a reporter renders. Reporters are pure functions of this."""

    findings: tuple[Finding, ...]
    rules: tuple[RuleDoc, ...]  # the rules that ran
    notices: tuple[Notice, ...] = ()
    problems: tuple[ParseProblem, ...] = ()  # also rendered as tool notifications
    files: tuple[str, ...] = ()
    root: str = ""  # absolute POSIX path that relative paths are relative to (the CLI's cwd)
    tool_version: str = "0"

"""AWS semantics shared by Terraform and CloudFormation: how AWS reads a rule's protocol, ports and
booleans; evidence in user data that a node turns its own source/destination check off; Kubernetes evidence.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable

from linter.model import (ALL_PROTOCOLS, PROTOCOL_NAMES, PROTOCOLS_WITH_PORTS, CidrSource, PortRange, PrefixListSource,
                          SgRule, Source, Unknown, protocol_name)

Describe = Callable[[Any], str]  # how a family writes a value it could not read (repr, an intrinsic's text)


def protocol_number(value: Any, name: str, describe: Describe = repr) -> int | Unknown:
    """An IP protocol as AWS reads it: a name (tcp, udp, icmp, icmpv6, all), -1 for all, or a number 0-255."""
    if isinstance(value, Unknown):
        return value
    if value is None:
        return Unknown(f"{name} not given")
    if isinstance(value, str) and value.strip().lower() in PROTOCOL_NAMES:
        return PROTOCOL_NAMES[value.strip().lower()]
    number = integer(value)
    if number == ALL_PROTOCOLS or (number is not None and 0 <= number <= 255):
        return number
    return Unknown(f"{name} {describe(value)}, which AWS rejects")


def port_range(protocol: int | Unknown, low: Any, high: Any, describe: Describe = repr) -> PortRange | None | Unknown:
    """The ports a rule admits, as AWS reads FromPort/ToPort: None is every port (or a protocol without ports).

    AWS refuses a TCP/UDP rule without both bounds ("Must specify both from and to ports with TCP/UDP"),
    with a bound -1, a bound outside 0-65535, or from above to: such a rule is never read as valid, it is
    UNKNOWN naming what AWS rejects (DESIGN §6).
    """
    if isinstance(protocol, int) and protocol not in PROTOCOLS_WITH_PORTS:
        return None
    bounds = []
    for value in (low, high):
        if isinstance(value, Unknown):
            return value
        number = integer(value) if value is not None else None
        if value is not None and number is None:
            return Unknown(f"port {describe(value)}, which AWS rejects")
        bounds.append(number)
    lo, hi = bounds
    if isinstance(protocol, Unknown):
        return None  # the unknown protocol decides (unknown) first
    if lo is not None and hi is not None and 0 <= lo <= hi <= 65535:
        return None if (lo, hi) == (0, 65535) else PortRange(lo, hi)
    shown = " to ".join("none" if bound is None else str(bound) for bound in (lo, hi))
    return Unknown(f"{protocol_name(protocol)} ports {shown}, which AWS rejects")


def boolean(value: Any, name: str, describe: Describe = repr) -> bool | Unknown | None:
    """A boolean as Terraform and CloudFormation pass it to AWS: true/false or "true"/"false" in any case.
    None: not given (the caller knows AWS's default)."""
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return Unknown(f"{name} {describe(value)}")


def integer(value: Any) -> int | None:
    """A whole number as AWS takes it (`6`, `"6"`, `6.0`); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return int(number) if number.is_integer() else None
    return None


# ------------------------------------------------------------------------------------------ user data
# A node turns its own check off at boot with
#   aws ec2 modify-instance-attribute --instance-id "$ID" --no-source-dest-check
#   aws ec2 modify-instance-attribute --instance-id "$ID" --source-dest-check "{\"Value\": false}"
#   aws ec2 modify-network-interface-attribute --network-interface-id "$ENI" --no-source-dest-check
# User data is read as a shell reads it: a commented-out or quoted-away command does not count; `sh -c`,
# `eval` and here-documents run their text; cloud-config runs `runcmd`/`bootcmd`; MIME parts are read by type.

_MODIFY = frozenset({"modify-instance-attribute", "modify-network-interface-attribute"})
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "su", "runuser"})
_OPERATORS = frozenset(";&|()\n")
_MAX_DEPTH = 8


def disables_src_dst_check(user_data: str) -> bool:
    """True when the user data runs a command that turns the source/destination check off."""
    return any(_turns_check_off(words) for words in user_data_commands(user_data))


def user_data_commands(user_data: str, depth: int = 0) -> list[list[str]]:
    """The simple commands user data runs, each as its words (quotes removed), whatever its form."""
    if depth > _MAX_DEPTH:
        return []
    text = user_data.lstrip()
    if re.match(r"(?i)content-type:\s*multipart/", text) or re.match(r"(?i)mime-version:", text):
        return [c for part in _mime_parts(text) for c in user_data_commands(part, depth + 1)]
    if text.startswith("#cloud-config"):
        return _cloud_config_commands(text, depth)
    return shell_commands(user_data, depth)


def _mime_parts(text: str) -> list[str]:
    import email

    message = email.message_from_string(text)
    parts: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8", "replace"))
    return parts


def _cloud_config_commands(text: str, depth: int) -> list[list[str]]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return shell_commands(text, depth)  # not YAML after all: as a script
    commands: list[list[str]] = []
    if not isinstance(data, dict):
        return commands
    for key in ("bootcmd", "runcmd"):
        entries = data.get(key)
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, str):
                commands.extend(shell_commands(entry, depth + 1))
            elif isinstance(entry, list):  # already split: the words as given (a shell's -c runs its text)
                words = [str(w) for w in entry]
                commands.append(words)
                commands.extend(_nested(words, depth))
    files = data.get("write_files")
    for entry in files if isinstance(files, list) else []:
        content = entry.get("content") if isinstance(entry, dict) else None
        if isinstance(content, str) and content.startswith("#!"):  # a script written to be run
            commands.extend(shell_commands(content, depth + 1))
    return commands


def shell_commands(script: str, depth: int = 0) -> list[list[str]]:
    """Simple commands of a POSIX shell script: comments dropped, quotes removed, here-documents and the
    text of `sh -c` / `eval` read as scripts of their own."""
    commands: list[list[str]] = []
    if depth > _MAX_DEPTH:
        return commands
    words: list[str] = []
    heredocs: list[str] = []
    position = 0
    length = len(script)
    while position < length:
        char = script[position]
        if char == "\\" and script.startswith("\n", position + 1):
            position += 2  # a line continuation
        elif char in " \t\r":
            position += 1
        elif char == "#" :
            end = script.find("\n", position)
            position = length if end < 0 else end  # a comment runs to the end of the line
        elif char in _OPERATORS:
            _end_command(words, commands, depth)
            words = []
            if char == "\n" and heredocs:
                position = _read_heredocs(script, position + 1, heredocs, commands, depth)
                heredocs = []
                continue
            position += 1
        elif script.startswith("<<<", position):
            position += 3  # a here-string: its word is data
        elif script.startswith("<<", position):
            position, delimiter = _heredoc_delimiter(script, position + 2)
            if delimiter:
                heredocs.append(delimiter)
        else:
            word, after = _word(script, position)
            words.append(word)
            position = max(after, position + 1)  # `<<<` and the like: always move on
    _end_command(words, commands, depth)
    return commands


def _end_command(words: list[str], commands: list[list[str]], depth: int) -> None:
    if words:
        commands.append(words)
        commands.extend(_nested(words, depth))
        for word in words:  # `$(...)` and backquotes run their commands too
            for inner in _substitutions(word):
                commands.extend(shell_commands(inner, depth + 1))


def _substitutions(word: str) -> list[str]:
    found: list[str] = []
    position = 0
    while position < len(word):
        if word.startswith("$(", position) or word[position] == "`":
            end = _substitution_end(word, position)
            found.append(word[position + (1 if word[position] == "`" else 2):end - 1])
            position = end
        else:
            position += 1
    return found


def _nested(words: list[str], depth: int) -> list[list[str]]:
    """What `sh -c TEXT`, `sudo bash -c TEXT` or `eval TEXT...` runs."""
    names = [w.rsplit("/", 1)[-1] for w in words]
    for index, name in enumerate(names):
        if name == "eval":
            return shell_commands(" ".join(words[index + 1:]), depth + 1)
        if name in _SHELLS and "-c" in words[index + 1:]:
            text = words[index + 1:][words[index + 1:].index("-c") + 1:]
            return shell_commands(text[0], depth + 1) if text else []
    return []


def _word(script: str, position: int) -> tuple[str, int]:
    """One shell word from `position`: quotes removed, `$(...)` and backquotes kept whole."""
    out: list[str] = []
    length = len(script)
    while position < length:
        char = script[position]
        if char in " \t\r" or char in _OPERATORS or (script.startswith("<<", position) and out):
            break
        if char == "'":
            end = script.find("'", position + 1)
            end = length if end < 0 else end
            out.append(script[position + 1:end])
            position = end + 1
        elif char == '"':
            position = _double_quoted(script, position + 1, out)
        elif char == "\\":
            out.append(script[position + 1:position + 2])
            position += 2
        elif script.startswith("$(", position) or char == "`":
            end = _substitution_end(script, position)
            out.append(script[position:end])
            position = end
        else:
            out.append(char)
            position += 1
    return "".join(out), position


def _double_quoted(script: str, position: int, out: list[str]) -> int:
    length = len(script)
    while position < length and script[position] != '"':
        if script[position] == "\\" and position + 1 < length and script[position + 1] in '"\\$`\n':
            out.append(script[position + 1])
            position += 2
        elif script.startswith("$(", position) or script[position] == "`":
            end = _substitution_end(script, position)
            out.append(script[position:end])
            position = end
        else:
            out.append(script[position])
            position += 1
    return position + 1


def _substitution_end(script: str, position: int) -> int:
    """The end of `$(...)` (nested, quotes respected) or of a backquoted command."""
    if script[position] == "`":
        end = script.find("`", position + 1)
        return len(script) if end < 0 else end + 1
    depth, position, length = 0, position + 1, len(script)
    while position < length:
        char = script[position]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return position + 1
        elif char == "'":
            end = script.find("'", position + 1)
            position = length if end < 0 else end
        elif char == '"':
            position = _double_quoted(script, position + 1, []) - 1
        position += 1
    return length


def _heredoc_delimiter(script: str, position: int) -> tuple[int, str]:
    if script.startswith("-", position):
        position += 1
    while position < len(script) and script[position] in " \t":
        position += 1
    word, position = _word(script, position)
    return position, word


def _read_heredocs(script: str, position: int, delimiters: list[str], commands: list[list[str]],
                   depth: int) -> int:
    """Bodies of the here-documents opened on the line just ended: read as scripts (they are run or
    written to be run); returns where the script goes on."""
    for delimiter in delimiters:
        body: list[str] = []
        while position < len(script):
            end = script.find("\n", position)
            end = len(script) if end < 0 else end
            line = script[position:end]
            position = end + 1
            if line.strip() == delimiter:
                break
            body.append(line)
        commands.extend(shell_commands("\n".join(body), depth + 1))
    return position


def _turns_check_off(words: list[str]) -> bool:
    if not _MODIFY.intersection(words):
        return False
    for index, word in enumerate(words):
        lowered = word.lower()
        if lowered == "--no-source-dest-check":
            return True
        following = words[index + 1].lower() if index + 1 < len(words) else ""
        if lowered == "--source-dest-check" and _false(following):
            return True
        if lowered.startswith("--source-dest-check=") and _false(lowered.split("=", 1)[1]):
            return True
        if lowered == "--attribute" and following == "sourcedestcheck" and "--value" in words:
            value = words[words.index("--value") + 1].lower() if words.index("--value") + 1 < len(words) else ""
            return _false(value)
    return False


def _false(text: str) -> bool:
    """`false`, `{"Value": false}`, `Value=false` (the CLI's forms of a false boolean attribute)."""
    compact = re.sub(r"[\s\"'{}]", "", text.lower())
    return compact in ("false", "value:false", "value=false")


# Kubernetes evidence (DESIGN §6): what says a compute resource runs Kubernetes
_KUBERNETES_TAG = re.compile(r"^(?:kubernetes\.io/cluster/.*|k8s\.io/.*|KubernetesCluster)$")
_KUBERNETES_TAG_TEXT = re.compile(r"kubernetes\.io/cluster/|k8s\.io/|\bKubernetesCluster\b")
_KUBERNETES_BOOT = re.compile(
    r"\b(kubelet|kubeadm|k3s|rke2|nodeadm)\b|(/etc/eks/bootstrap\.sh|\beks[-_ ]bootstrap\b|amazon-eks-ami)",
    re.IGNORECASE,
)


def kubernetes_tag(key: str) -> bool:
    """`kubernetes.io/cluster/<name>`, `k8s.io/...` or `KubernetesCluster`."""
    return bool(_KUBERNETES_TAG.match(key))


def kubernetes_tag_text(text: str) -> str | None:
    """The Kubernetes tag key written in an expression that cannot be evaluated (`"kubernetes.io/cluster/${var.x}"`)."""
    match = _KUBERNETES_TAG_TEXT.search(text)
    return match.group(0).rstrip("/") if match else None


def kubernetes_boot(user_data: str) -> str | None:
    """What in user data (or a launch template's) starts Kubernetes: kubelet, kubeadm, k3s, rke2, the EKS bootstrap."""
    match = _KUBERNETES_BOOT.search(user_data)
    if match is None:
        return None
    return match.group(1).lower() if match.group(1) else "the EKS bootstrap"


# kubelet --node-labels=role=rr,zone=a (also inside --kubelet-extra-args '...', eksctl and EKS bootstrap.sh)
_NODE_LABELS = re.compile(r"--node-labels[=\s]+[\"']?([^\s\"']+)")


def kubelet_node_labels(user_data: str) -> dict[str, str]:
    """The labels kubelet registers its node with, from `--node-labels` in user data (later flags win)."""
    joined = re.sub(r"\\\r?\n\s*", " ", user_data)
    labels: dict[str, str] = {}
    for match in _NODE_LABELS.finditer(joined):
        for item in match.group(1).split(","):
            key, _, value = item.partition("=")
            if key.strip():
                labels[key.strip()] = value.strip()
    return labels


def node_labels(declared: object, user_data: str = "") -> tuple[tuple[str, str | Unknown], ...] | Unknown | None:
    """A node group's declared labels (a mapping, e.g. EKS `labels`) with kubelet's `--node-labels`;
    None when neither declares any."""
    if isinstance(declared, Unknown):
        return declared
    found: dict[str, str | Unknown] = {}
    if isinstance(declared, dict):
        for key, value in declared.items():
            if isinstance(key, str) and not key.startswith("__"):
                found[key] = value if isinstance(value, (str, Unknown)) else Unknown(f"label {key}: {value!r}")
    found.update(kubelet_node_labels(user_data))
    return tuple(sorted(found.items(), key=lambda item: item[0])) if found else None


def with_prefix_lists(rules: tuple[SgRule, ...], prefix_lists: dict[str, tuple[str | Unknown, ...]]) -> tuple[SgRule, ...]:
    """Rules whose sources name a managed prefix list defined in the scan (key -> its entries' CIDRs)
    admit those CIDRs: the list's entries replace it (one entry that is UNKNOWN keeps the list unknown)."""
    def resolved(source: Source) -> list[Source]:
        if isinstance(source, PrefixListSource) and isinstance(source.prefix_list, str):
            cidrs = prefix_lists.get(source.prefix_list)
            if cidrs is not None and all(isinstance(c, str) for c in cidrs):
                return [CidrSource(c) for c in cidrs]
        return [source]

    if not prefix_lists:
        return rules
    return tuple(dataclasses.replace(rule, sources=tuple(s for source in rule.sources for s in resolved(source)))
                 for rule in rules)

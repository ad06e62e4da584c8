"""Seeds and structure-aware mutations for the fuzz harness (`harness.py` beside this file).

A seed is a real configuration: the project's own fixtures under tests/fixtures, or a small one generated
here. `make_input(rng, family, seeds)` returns the files of one input. JSON/YAML seeds are mutated as data
(values of another type, huge/non-finite numbers, deep nesting, duplicate keys, dropped/duplicated/
swapped entries, anchors and aliases, intrinsics), HCL seeds at the level of its blocks and attributes
(expressions from a small grammar, duplicated/nested/swapped blocks, heredocs, meta-arguments), then
any text may be truncated, bit-flipped or spliced with another seed. Everything is drawn from `rng`:
an input is a pure function of (seed, index).
"""
from __future__ import annotations

import copy
import datetime
import json
import pickle
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from linter.discover import classify_text

FAMILIES = ("terraform", "plan", "cloudformation", "calico")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MAX_SEED_BYTES = 40_000  # bigger fixtures make inputs slow without exercising more code
SMALL_SEED_BYTES = 6_000  # bigger ones also give seeds cut from them


@dataclass(frozen=True)
class Seed:
    family: str
    name: str  # the file name the input is written as: main.tf, main.tf.json, plan.json, template.yaml, ...
    text: str
    companions: tuple[tuple[str, str], ...] = ()  # unmutated files beside it (a tfvars seed's .tf files)
    source: str = ""  # the fixture's path
    data: bytes | None = None  # its documents, parsed once and pickled (unpickling is a cheap deep copy)


@dataclass(frozen=True)
class Input:
    family: str
    name: str
    text: str
    companions: tuple[tuple[str, str], ...]
    origin: str  # seed and mutations, for the report


# ------------------------------------------------------------------------------------------ seeds


def load_seeds(root: Path = FIXTURES) -> dict[str, list[Seed]]:
    """Every fixture that one of our parsers reads, by family (as discovery would classify it)."""
    seeds: dict[str, list[Seed]] = {family: [] for family in FAMILIES}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.stat().st_size <= MAX_SEED_BYTES):
        text, name, source = path.read_text(encoding="utf-8", errors="replace"), path.name, path.relative_to(root)
        if name.endswith(".tf"):
            seeds["terraform"].append(Seed("terraform", "main.tf", text, source=str(source)))
        elif name.endswith(".tf.json"):
            seeds["terraform"].append(_with_data(Seed("terraform", "main.tf.json", text, source=str(source))))
        elif name.endswith(".tfvars"):
            tf_files = tuple((p.name, p.read_text(encoding="utf-8")) for p in sorted(path.parent.glob("*.tf")))
            seeds["terraform"].append(Seed("terraform", "terraform.tfvars", text, tf_files, str(source)))
        elif name.endswith((".json", ".yaml", ".yml", ".template")):
            kind = classify_text(path.as_posix(), text)
            if kind in FAMILIES:
                name = "plan.json" if kind == "plan" else "input" + path.suffix
                seed = _with_data(Seed(kind, name, text, source=str(source)))
                seeds[kind].extend([seed, *_shrunk(seed)] if len(text) > SMALL_SEED_BYTES else [seed])
    return seeds


def _shrunk(seed: Seed, variants: int = 6) -> list[Seed]:
    """Small seeds cut from a big one (every list kept to a window of 3): cheap inputs, same shapes."""
    if not seed.data:
        return []
    cut = []
    for number in range(variants):
        rng, documents = random.Random(number), pickle.loads(seed.data)
        for node in _containers(documents):
            if isinstance(node, list) and len(node) > 3:
                start = rng.randrange(len(node) - 2)
                node[:] = node[start:start + 3]
        text = dump_data(rng, documents, seed.name.endswith(".json"))
        cut.append(Seed(seed.family, seed.name, text, seed.companions, f"{seed.source} (cut {number})",
                        pickle.dumps(documents)))
    return cut


def _with_data(seed: Seed) -> Seed:
    documents = parse_data(seed)
    return Seed(seed.family, seed.name, seed.text, seed.companions, seed.source,
                pickle.dumps(documents) if documents else None)


# ------------------------------------------------------------------------------------------ values

WORDS = ["0.0.0.0/0", "::/0", "10.0.0.0/16", "192.168.0.0/33", "10.1.2.3", "tcp", "udp", "-1", "94", "4",
         "179", "4789", "Always", "CrossSubnet", "Never", "VXLAN", "IPIP", "true", "false", "sg-123", "0-65535",
         "Calico", "BGP", "Enabled", "Disabled", "projectcalico.org/v3", "IPPool", "kubernetes.io/cluster/k",
         "ingress", "egress", "AWS::EC2::SecurityGroup", "", " ", "null", "~", "*", "${", "{{", "}}", "%{"]
UNICODE = ["é", "ß", "Ω", "\u202e", "\u200b", "\ufeff", "\u0000", "\x7f", "😀", "\U0010ffff", "İ", "ﬀ", "\r",
           "\u2028", "١٢٣"]
TEMPLATES = ["${var.x}", "${", "}", "%{ if true }a%{ endif }", "{{ .Values.cidr }}", "{{", "${{a}}", "$${x}",
             "${jsonencode({})}", "{{- include \"x\" . -}}", "${AWS::Region}", "${!Literal}", "%{", "$${"]
NUMBERS = [0, -1, 1, 65535, 65536, -65536, 179, 4789, 2**31, 2**63, -(2**63), 10**30, 0.5, -0.0, 1e308, 1e-320]


def long_string(rng: random.Random) -> str:
    return rng.choice(["a", "0", "${", "/", "é", "10.0.0.0/16,", " "]) * rng.choice([1000, 5000, 50_000])


def random_string(rng: random.Random) -> str:
    pick = rng.randrange(6)
    if pick == 0:
        return rng.choice(TEMPLATES)
    if pick == 1:
        return "".join(rng.choice(UNICODE + ["a", " "]) for _ in range(rng.randint(1, 8)))
    if pick == 2:
        return long_string(rng)
    if pick == 3:
        word = rng.choice(WORDS)
        cut = rng.randint(0, len(word))
        return word[:cut] + rng.choice(TEMPLATES + UNICODE) + word[cut:]
    return rng.choice(WORDS)


def random_scalar(rng: random.Random, yaml_types: bool = False) -> Any:
    pick = rng.randrange(9 if yaml_types else 8)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice([True, False])
    if pick == 2:
        return rng.choice(NUMBERS)
    if pick == 3:
        return rng.randint(-(10**6), 10**6)
    if pick == 4:
        return rng.choice([float("inf"), float("-inf"), float("nan")])
    if pick == 5:
        return Raw(rng.choice(["1" + "0" * rng.choice([20, 400, 5000]), "1e400", "-1e400", "0.1e-999", "-0"]))
    if pick == 8:
        return rng.choice([datetime.date(2001, 12, 14), datetime.datetime(2020, 1, 1, 1, 1), b"\x00\xff"])
    return random_string(rng)


class Raw:
    """Text emitted as-is into a JSON/YAML dump (numbers Python cannot dump, deep nesting)."""

    def __init__(self, text: str) -> None:
        self.text, self.marker = text, ""


class Tagged:
    """A YAML value with a local tag (`!Ref x`, `!Sub ...`): kept through load and dump."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value


def deep(rng: random.Random, yaml_text: bool) -> Raw:
    depth = rng.choice([50, 200, 1000, 5000, 30_000])
    open_, close = rng.choice([("[", "]"), ("{a: ", "}") if yaml_text else ('{"a": ', "}")])
    return Raw(open_ * depth + "1" + close * depth)


# ------------------------------------------------------------------------------------------ data trees


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    pass


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Tagged:
    if isinstance(node, yaml.ScalarNode):
        return Tagged("!" + suffix, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return Tagged("!" + suffix, loader.construct_sequence(node, deep=True))
    return Tagged("!" + suffix, loader.construct_mapping(node, deep=True))


def _represent_tagged(dumper: yaml.SafeDumper, value: Tagged) -> yaml.Node:
    if isinstance(value.value, dict):
        return dumper.represent_mapping(value.tag, value.value)
    if isinstance(value.value, list):
        return dumper.represent_sequence(value.tag, value.value)
    return dumper.represent_scalar(value.tag, str(value.value))


_Loader.add_multi_constructor("!", _tagged)
_Dumper.add_representer(Tagged, _represent_tagged)
_Dumper.add_representer(Raw, lambda dumper, raw: dumper.represent_scalar("tag:yaml.org,2002:str", raw.marker))


def parse_data(seed: Seed) -> list[Any] | None:
    """The seed's documents, or None when it is not plain JSON/YAML (templates, broken fixtures)."""
    try:
        if seed.name.endswith(".json"):
            return [json.loads(seed.text)]
        return [d for d in yaml.load_all(seed.text, Loader=_Loader) if d is not None]  # noqa: S506 (safe subclass)
    except (ValueError, yaml.YAMLError, RecursionError):
        return None


def dump_data(rng: random.Random, documents: list[Any], as_json: bool) -> str:
    """Dump, then put Raw texts and duplicate keys (`zzdupzz<n>_key`) in place."""
    raws: list[Raw] = []
    seen: set[int] = set()

    def mark(value: Any) -> Any:  # number each Raw by a plain-scalar marker; JSON cannot share a subtree
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                if as_json:
                    raise ValueError("a shared subtree (an alias) has no JSON spelling")
                return value
            seen.add(id(value))
        if isinstance(value, Raw):
            value.marker = f"zzrawzz{len(raws)}x"
            raws.append(value)
        elif isinstance(value, Tagged):
            mark(value.value)
        elif isinstance(value, dict):
            for item in value.values():
                mark(item)
        elif isinstance(value, list):
            for item in value:
                mark(item)
        return value

    documents = [mark(d) for d in documents]
    if as_json:
        text = json.dumps(documents[0] if documents else None, indent=rng.choice([None, 2]), ensure_ascii=rng.random() < 0.3,
                          default=_json_default)
    else:
        text = yaml.dump_all(documents, Dumper=_Dumper, default_flow_style=rng.choice([False, None]),
                             allow_unicode=rng.random() < 0.7, sort_keys=False, width=rng.choice([80, 10**6]))
    for raw in reversed(raws):  # reversed: zzrawzz1x before zzrawzz10x is never a prefix problem
        text = re.sub(f"[\"']?{raw.marker}[\"']?", lambda _: raw.text, text)
    return re.sub(r"zzdupzz\d+_", "", text)


def _json_default(value: Any) -> Any:
    if isinstance(value, Raw):
        return value.marker
    if isinstance(value, Tagged):  # a YAML tag as CloudFormation's JSON spelling of it
        name = value.tag[1:]
        return {name if name in ("Ref", "Condition") else f"Fn::{name}": value.value}
    if isinstance(value, (datetime.date, bytes)):
        return str(value)
    raise TypeError(type(value))


def _containers(tree: Any) -> list[Any]:
    found, seen, stack = [], set(), [tree]
    while stack and len(found) < 5000:
        node = stack.pop()
        if isinstance(node, Tagged):
            node = node.value
        if isinstance(node, (dict, list)) and id(node) not in seen:
            seen.add(id(node))
            found.append(node)
            stack.extend(node.values() if isinstance(node, dict) else node)
    return found


INTRINSICS = ["Ref", "Fn::Sub", "Fn::GetAtt", "Fn::If", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::FindInMap",
              "Fn::Base64", "Fn::Cidr", "Fn::ImportValue", "Fn::GetAZs", "Condition", "Fn::Equals", "Fn::Not",
              "Fn::And", "Fn::Or", "Fn::Transform", "Fn::Length", "Fn::ToJsonString"]


def _new_value(rng: random.Random, tree: Any, yaml_text: bool) -> Any:
    pick = rng.randrange(10)
    if pick < 4:
        return random_scalar(rng, yaml_text)
    if pick == 4:
        return deep(rng, yaml_text)
    if pick == 5:  # an intrinsic of CloudFormation around a value of the tree or a scalar
        args = rng.choice([random_scalar(rng), [random_scalar(rng), random_scalar(rng)], ["A", "B", "C"],
                           [rng.choice(NUMBERS), ["x", "y"]], {}])
        return {rng.choice(INTRINSICS): args}
    if pick == 6:
        return rng.choice([[], {}, [random_scalar(rng)], {random_string(rng)[:20]: random_scalar(rng)}])
    containers = _containers(tree)
    other = rng.choice(containers) if containers else random_scalar(rng)
    return other if pick == 7 else copy.deepcopy(other)  # the same object twice dumps as an anchor + alias


def mutate_tree(rng: random.Random, documents: list[Any], yaml_text: bool) -> list[Any]:
    containers = _containers(documents)
    node = rng.choice(containers)
    keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
    if not keys:
        if isinstance(node, dict):
            node[random_string(rng)[:30]] = _new_value(rng, documents, yaml_text)
        else:
            node.append(_new_value(rng, documents, yaml_text))
        return documents
    key = rng.choice(keys)
    op = rng.randrange(8)
    if op <= 2:
        node[key] = _new_value(rng, documents, yaml_text)
    elif op == 3:
        del node[key]
    elif op == 4 and isinstance(node, dict):  # duplicate key (first or second wins: parser decides)
        node[f"zzdupzz{rng.randrange(10**6)}_{key}"] = _new_value(rng, documents, yaml_text)
    elif op == 4:
        node.insert(rng.randrange(len(node) + 1), copy.deepcopy(node[key]))
    elif op == 5 and len(keys) > 1:  # swap two siblings' values
        other = rng.choice(keys)
        node[key], node[other] = node[other], node[key]
    elif op == 6 and isinstance(node, dict):  # rename a key: another type, case, or a close word
        value = node.pop(key)
        node[rng.choice([str(key).lower(), str(key).upper(), str(key) + " ", random_string(rng)[:40],
                         rng.choice(NUMBERS) if yaml_text else "1", None if yaml_text else "null"])] = value
    elif op == 7 and yaml_text:  # billion-laughs style aliases, usually small
        width, depth = rng.choice([(2, 3), (3, 4), (5, 5), (9, 9)]) if rng.random() < 0.9 else (10, 12)
        bomb: Any = ["lol"]
        for _ in range(depth):
            bomb = [bomb] * width
        node[key] = bomb
    else:
        node[key] = [node[key]] if rng.random() < 0.5 else {"items": node[key]}
    return documents


# ------------------------------------------------------------------------------------------ HCL

_BLOCK = re.compile(r'^[ \t]*[A-Za-z_][\w-]*(?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*[ \t]*\{[ \t]*$', re.M)
_ATTR = re.compile(r'^([ \t]*)([A-Za-z_][\w-]*)[ \t]*=[ \t]*(.*\S)[ \t]*$', re.M)
FUNCTIONS = ["cidrsubnet", "cidrhost", "cidrnetmask", "cidrsubnets", "format", "join", "split", "lookup",
             "element", "concat", "merge", "length", "tostring", "tonumber", "tolist", "toset", "tomap",
             "jsonencode", "jsondecode", "yamlencode", "yamldecode", "base64encode", "base64decode", "replace",
             "regex", "regexall", "range", "flatten", "distinct", "keys", "values", "zipmap", "coalesce", "try",
             "can", "max", "min", "abs", "ceil", "floor", "pow", "lower", "substr", "contains", "one", "slice",
             "sort", "index", "setproduct", "chunklist", "sum", "parseint", "formatlist", "templatefile", "file",
             "fileexists", "abspath", "sensitive", "nonsensitive", "tobool", "trimprefix", "strrev", "unknownfn"]


_BRACE_OR_QUOTE = re.compile(r'\\.|["{}]')


def _block_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every block whose braces balance (strings roughly skipped)."""
    spans = []
    for match in _BLOCK.finditer(text):
        depth, quoted = 0, False
        for token in _BRACE_OR_QUOTE.finditer(text, match.end() - 1):
            char = token.group()
            if char == '"':
                quoted = not quoted
            elif not quoted and char == "{":
                depth += 1
            elif not quoted and char == "}":
                depth -= 1
                if depth == 0:
                    spans.append((match.start(), token.end()))
                    break
    return spans


def hcl_names(text: str) -> list[str]:
    refs = [f"var.{n}" for n in re.findall(r'variable\s+"([\w-]+)"', text)]
    refs += [f"{t}.{n}" for t, n in re.findall(r'resource\s+"(\w+)"\s+"([\w-]+)"', text)]
    refs += [f"local.{n}" for n in re.findall(r"^\s+(\w+)\s*=", text, re.M)[:20]]
    return refs + ["count.index", "each.key", "each.value", "path.module", "self.id", "module.m.out",
                   "data.aws_vpc.v.id", "terraform.workspace"]


HCL_TEMPLATES = ["%{ if true }a%{ endif }", "%{ for x in [1] }${x}%{ endfor }", "${jsonencode([])}",
                 "%{~ if false ~}x%{~ else ~}y%{~ endif ~}", "{{ .Values.cidr }}", "${upper(\"a\")}"]


def hcl_expr(rng: random.Random, names: list[str], depth: int = 0) -> str:
    pick = rng.randrange(12 if depth < 3 else 4)
    if pick == 0:
        return rng.choice(["true", "false", "null", "0", "-1", "65536", "1e400", "1" + "0" * 400, "-0.5",
                           "179", "4789", "1.5e308", "0.000001"])
    if pick == 1:  # a string literal, mostly without template markers (python-hcl2 cannot read `$${`)
        literal = json.dumps(random_string(rng), ensure_ascii=rng.random() < 0.2)
        return literal.replace("${", "$ {").replace("%{", "% {") if rng.random() < 0.9 else literal
    if pick == 2:
        return rng.choice(names)
    if pick == 3:  # a template
        name = rng.choice(names)
        return '"' + rng.choice(HCL_TEMPLATES + [f"${{{name}}}", f"x-${{{name}}}/24", f"%{{ if {name} }}a%{{ endif }}",
                                                 rng.choice(TEMPLATES)]) + '"'
    if pick == 4:
        return "[" + ", ".join(hcl_expr(rng, names, depth + 1) for _ in range(rng.randint(0, 3))) + "]"
    if pick == 5:
        keys = ["a", "b", '"k/x"', "(var.k)", '"${var.k}"']
        return "{" + ", ".join(f"{rng.choice(keys)} = {hcl_expr(rng, names, depth + 1)}"
                               for _ in range(rng.randint(0, 3))) + "}"
    if pick == 6:
        args = ", ".join(hcl_expr(rng, names, depth + 1) for _ in range(rng.randint(0, 4)))
        return f"{rng.choice(FUNCTIONS)}({args}{rng.choice(['', '...'])})"
    if pick == 7:
        op = rng.choice(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"])
        return f"{hcl_expr(rng, names, depth + 1)} {op} {hcl_expr(rng, names, depth + 1)}"
    if pick == 8:
        return f"{hcl_expr(rng, names, depth + 1)} ? {hcl_expr(rng, names, depth + 1)} : {hcl_expr(rng, names, depth + 1)}"
    if pick == 9:
        inner = hcl_expr(rng, names, depth + 1)
        return rng.choice([f"[for x in {inner} : x]", f"{{for k, v in {inner} : k => v}}", f"{inner}[*].id",
                           f"[for x in {inner} : x if x != null]", f"{{for k, v in {inner} : v => k...}}"])
    if pick == 10:
        inner = hcl_expr(rng, names, depth + 1)
        return rng.choice([f"{inner}[{hcl_expr(rng, names, depth + 1)}]", f"{inner}.attr", f"!{inner}",
                           f"-{inner}", f"({inner})"])
    n = rng.choice([20, 20, 100, 100, 600])
    open_, close = rng.choice([("[", "]"), ("(", ")"), ("{a = ", "}"), ('"${', '}"'), ("!(", ")"), ("-(", ")"),
                               ("true ? ", " : 0"), ("[for x in ", " : x]"), ("jsonencode(", ")")])
    return open_ * n + rng.choice(names + ["1"]) + close * n


def mutate_hcl(rng: random.Random, text: str) -> str:
    names = hcl_names(text)
    spans = _block_spans(text)
    attrs = list(_ATTR.finditer(text))
    op = rng.randrange(10)
    if op <= 2 and attrs:  # a value of another kind
        attr = rng.choice(attrs)
        return text[:attr.start(3)] + hcl_expr(rng, names) + text[attr.end(3):]
    if op == 3 and attrs:  # the same attribute twice, or an attribute and a block of the same name
        attr = rng.choice(attrs)
        twin = rng.choice([f"{attr.group(2)} = {hcl_expr(rng, names)}", f"{attr.group(2)} {{\n}}"])
        return text[:attr.end()] + "\n" + attr.group(1) + twin + text[attr.end():]
    if op == 4 and spans:  # drop or duplicate a block
        start, end = rng.choice(spans)
        return text[:start] + text[start:end] * rng.choice([0, 2]) + text[end:]
    if op == 5 and len(spans) > 1:  # swap two blocks, or put one inside the other
        (a0, a1), (b0, b1) = sorted(rng.sample(spans, 2))
        if a1 <= b0:
            return text[:a0] + text[b0:b1] + text[a1:b0] + text[a0:a1] + text[b1:]
        return text[:a1 - 1] + text[b0:b1] + "\n" + text[a1 - 1:]
    if op == 6 and spans:  # meta-arguments and nested blocks into a block
        start, end = rng.choice(spans)
        extra = rng.choice([f"count = {hcl_expr(rng, names)}", f"for_each = {hcl_expr(rng, names)}",
                            f"depends_on = [{rng.choice(names)}]", "lifecycle {\n ignore_changes = all\n}",
                            f'dynamic "ingress" {{\n for_each = {hcl_expr(rng, names)}\n content {{\n'
                            f'  from_port = ingress.value\n  cidr_blocks = [{hcl_expr(rng, names)}]\n }}\n}}',
                            f"ingress {{\n from_port = {hcl_expr(rng, names)}\n protocol = {hcl_expr(rng, names)}\n}}",
                            f'tags = {{ "kubernetes.io/cluster/${{{rng.choice(names)}}}" = "owned" }}'])
        return text[:end - 1] + "  " + extra + "\n" + text[end - 1:]
    if op == 7:  # a generated block
        return text + "\n" + generated_hcl(rng, names) + "\n"
    if op == 8 and attrs:  # a heredoc
        attr = rng.choice(attrs)
        marker = rng.choice(["EOF", "EOT"])
        body = "\n".join(rng.choice(TEMPLATES + WORDS + ["ipipMode: Always", "  - cidr: 0.0.0.0/0"])
                         for _ in range(rng.randint(0, 6)))
        end = rng.choice([marker, "", "  " + marker])
        return text[:attr.start(3)] + f"<<{rng.choice(['', '-'])}{marker}\n{body}\n{end}\n" + text[attr.end(3):]
    strings = list(re.finditer(r'"[^"\n]*"', text))
    if strings:  # insert into a string literal
        literal = rng.choice(strings)
        cut = rng.randint(literal.start() + 1, literal.end() - 1)
        piece = rng.choice(TEMPLATES + UNICODE + ["\\u0000", "\\", "\\n", long_string(rng)])
        return text[:cut] + piece + text[cut:]
    return text + "\n" + generated_hcl(rng, names)


# ------------------------------------------------------------------------------------------ generated seeds


def _port(rng: random.Random) -> Any:
    return rng.choice([0, 22, 179, 4789, 5473, 65535, -1, "179", 6443])


def _cidr(rng: random.Random) -> str:
    return rng.choice(["0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "0.0.0.0/1", "128.0.0.0/1", "::/0", "192.168.0.0/16"])


DEFAULTS = ["1", "2", "null", "[]", '"x"', '{ a = "10.0.0.0/16" }']


def generated_hcl(rng: random.Random, names: list[str] | None = None) -> str:
    name = rng.choice(["workers", "nodes", "k8s_nodes", "controllers", "x"])
    proto = rng.choice(['"tcp"', '"udp"', '"-1"', '"4"', '"94"', "-1", '"all"'])
    pieces = [
        f'resource "aws_security_group" "{name}" {{\n  vpc_id = aws_vpc.main.id\n'
        f'  ingress {{\n    protocol = {proto}\n    from_port = {_port(rng)}\n    to_port = {_port(rng)}\n'
        f'    cidr_blocks = ["{_cidr(rng)}"]\n    self = {rng.choice(["true", "false"])}\n  }}\n}}',
        f'resource "aws_security_group_rule" "{name}_r" {{\n  type = "{rng.choice(["ingress", "egress"])}"\n'
        f'  security_group_id = aws_security_group.{name}.id\n  protocol = {proto}\n  from_port = {_port(rng)}\n'
        f'  to_port = {_port(rng)}\n  source_security_group_id = aws_security_group.{name}.id\n}}',
        f'resource "aws_instance" "{name}" {{\n  count = {rng.choice([0, 1, 3, "var.n"])}\n'
        f'  subnet_id = aws_subnet.a.id\n  source_dest_check = {rng.choice(["true", "false"])}\n'
        f'  vpc_security_group_ids = [aws_security_group.{name}.id]\n'
        f'  tags = {{ "kubernetes.io/cluster/demo" = "owned" }}\n}}',
        'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n}\n'
        f'resource "aws_subnet" "a" {{\n  vpc_id = aws_vpc.main.id\n  cidr_block = "{_cidr(rng)}"\n}}',
        f'variable "n" {{\n  default = {rng.choice(DEFAULTS)}\n}}\n'
        f'locals {{\n  pool = "{_cidr(rng)}"\n  mode = "{rng.choice(["Always", "Never", "CrossSubnet"])}"\n}}',
        f'resource "kubernetes_manifest" "pool" {{\n  manifest = {{\n    apiVersion = "projectcalico.org/v3"\n'
        f'    kind = "IPPool"\n    metadata = {{ name = "p" }}\n    spec = {{ cidr = "{_cidr(rng)}", '
        f'ipipMode = "{rng.choice(["Always", "Never", "CrossSubnet", "bogus"])}", vxlanMode = "Never" }}\n  }}\n}}',
        f'resource "helm_release" "calico" {{\n  chart = "tigera-operator"\n  values = [yamlencode({{\n'
        f'    installation = {{ calicoNetwork = {{ bgp = "{rng.choice(["Enabled", "Disabled"])}" }} }}\n  }})]\n}}',
        f'module "m" {{\n  source = "{rng.choice(["./child", "../x", "git::https://e/x", ""])}"\n  n = 2\n}}',
    ]
    return "\n\n".join(rng.sample(pieces, rng.randint(1, len(pieces))))


def generated_data(rng: random.Random, family: str) -> list[Any]:
    """Small documents of a family, as data."""
    rule = {"IpProtocol": rng.choice(["tcp", "udp", "-1", "4", 94]), "FromPort": _port(rng),
            "ToPort": _port(rng), "CidrIp": _cidr(rng)}
    if family == "cloudformation":
        return [{"AWSTemplateFormatVersion": "2010-09-09",
                 "Parameters": {"Cidr": {"Type": "String", "Default": _cidr(rng)}},
                 "Conditions": {"On": {"Fn::Equals": [{"Ref": "Cidr"}, _cidr(rng)]}},
                 "Resources": {
                     "NodeSG": {"Type": "AWS::EC2::SecurityGroup",
                                "Properties": {"GroupDescription": "k8s nodes", "SecurityGroupIngress": [rule]}},
                     "Bgp": {"Type": "AWS::EC2::SecurityGroupIngress", "Condition": "On",
                             "Properties": {**rule, "GroupId": {"Ref": "NodeSG"},
                                            "SourceSecurityGroupId": {"Fn::GetAtt": ["NodeSG", "GroupId"]}}},
                     "Node": {"Type": "AWS::EC2::Instance",
                              "Properties": {"SecurityGroupIds": [{"Ref": "NodeSG"}],
                                             "SourceDestCheck": rng.choice([True, False, "false"]),
                                             "Tags": [{"Key": "kubernetes.io/cluster/demo", "Value": "owned"}]}}}}]
    if family == "plan":
        resources = [{"address": "aws_security_group.nodes", "mode": "managed", "type": "aws_security_group",
                      "name": "nodes", "values": {"id": None, "ingress": [
                          {"protocol": rule["IpProtocol"], "from_port": rule["FromPort"], "to_port": rule["ToPort"],
                           "cidr_blocks": [rule["CidrIp"]], "self": rng.choice([True, False]),
                           "security_groups": []}], "tags": {"kubernetes.io/cluster/demo": "owned"}}},
                     {"address": "aws_instance.k8s_nodes[0]", "mode": "managed", "type": "aws_instance",
                      "name": "k8s_nodes", "index": 0, "values": {"source_dest_check": rng.choice([True, False])}}]
        return [{"format_version": "1.2", "terraform_version": "1.6.0",
                 "planned_values": {"root_module": {"resources": resources}},
                 "resource_changes": [{"address": r["address"], "type": r["type"], "name": r["name"],
                                       "change": {"actions": ["create"], "after": r["values"]}} for r in resources]}]
    kind = rng.choice(["IPPool", "FelixConfiguration", "Installation", "values", "List"])
    pool = {"apiVersion": "projectcalico.org/v3", "kind": "IPPool", "metadata": {"name": "p"},
            "spec": {"cidr": _cidr(rng), "ipipMode": rng.choice(["Always", "CrossSubnet", "Never"]),
                     "vxlanMode": rng.choice(["Always", "Never"]), "natOutgoing": True}}
    if kind == "FelixConfiguration":
        return [{"apiVersion": "crd.projectcalico.org/v1", "kind": kind, "metadata": {"name": "default"},
                 "spec": {"awsSrcDstCheck": rng.choice(["Disable", "DoNothing", "Enable"]), "ipipEnabled": True}}]
    network = {"bgp": rng.choice(["Enabled", "Disabled"]), "ipPools": [{"cidr": _cidr(rng), "encapsulation":
                                                                        rng.choice(["IPIP", "VXLAN", "None"])}]}
    if kind == "Installation":
        return [{"apiVersion": "operator.tigera.io/v1", "kind": kind, "metadata": {"name": "default"},
                 "spec": {"calicoNetwork": network}}]
    if kind == "values":
        return [{"installation": {"enabled": True, "calicoNetwork": network}}]
    if kind == "List":
        return [{"apiVersion": "v1", "kind": "List", "items": [pool, copy.deepcopy(pool)]}]
    return [pool]


# ------------------------------------------------------------------------------------------ text


def mutate_text(rng: random.Random, text: str, other: str) -> str:
    op = rng.randrange(6)
    if not text or op == 0:  # splice two seeds at line boundaries
        mine, theirs = text.splitlines(keepends=True), other.splitlines(keepends=True)
        return "".join(mine[:rng.randint(0, len(mine))] + theirs[rng.randint(0, len(theirs)):])
    at = rng.randrange(len(text))
    if op == 1:
        return text[:at]
    if op == 2:  # flip a few characters' low bits
        chars = list(text)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(chars))
            chars[i] = chr((ord(chars[i]) ^ (1 << rng.randrange(7))) or 32)
        return "".join(chars)
    if op == 3:
        return text[:at] + rng.choice(UNICODE + TEMPLATES + ["\t", "\x00", "\r\n", "&a [*a]", "*undefined",
                                                              "!!python/object:os.system", "? [a]\n", "<<: *a",
                                                              ": :", "- - -", "\"", "'", "{", "}"]) + text[at:]
    if op == 4:  # repeat a slice
        end = min(len(text), at + rng.randint(1, 200))
        return text[:end] + text[at:end] * rng.randint(1, 20) + text[end:]
    if rng.random() < 0.3:
        return text.replace("\n", "\r\n")
    return rng.choice(["\ufeff", "---\n", "%YAML 1.1\n---\n", "#!/bin/sh\n"]) + text


# ------------------------------------------------------------------------------------------ inputs


def make_input(rng: random.Random, family: str, seeds: dict[str, list[Seed]]) -> Input:
    """Data or HCL mutations of one seed (1-5, stacked), then sometimes text mutations."""
    pool = seeds[family]
    if not pool or rng.random() < 0.2:
        seed, documents = _generated_seed(rng, family)
        origin = f"generated {family}"
    else:
        seed = rng.choices(pool, [1 / (1 + len(seed.text) / 1000) for seed in pool])[0]  # small ones: cheap
        documents = pickle.loads(seed.data) if seed.data else None  # a fresh copy of the parsed seed
        origin = f"{family} seed {seed.source}"
    other = rng.choice(pool).text if pool else seed.text
    text, steps = seed.text, []
    rounds = rng.choice([1, 1, 2, 3, 5])
    if documents is not None and rng.random() < 0.85:
        as_json = seed.name.endswith(".json") if rng.random() < 0.9 else not seed.name.endswith(".json")
        for _ in range(rounds):
            documents = mutate_tree(rng, documents, not as_json)
        try:
            text, steps = dump_data(rng, documents, as_json), [f"data x{rounds}"]
        except (ValueError, TypeError, RecursionError, yaml.YAMLError):  # a cycle, or what JSON cannot hold
            pass
    elif seed.name.endswith((".tf", ".tfvars")) and rng.random() < 0.85:
        for _ in range(rounds):
            text = mutate_hcl(rng, text)
        steps = [f"hcl x{rounds}"]
    if not steps or rng.random() < 0.3:
        for _ in range(rng.choice([1, 1, 2])):
            text = mutate_text(rng, text, other)
            steps.append("text")
    return Input(family, seed.name, text, seed.companions, f"{origin}: {', '.join(steps)}")


def _generated_seed(rng: random.Random, family: str) -> tuple[Seed, list[Any] | None]:
    if family == "terraform":
        return Seed(family, "main.tf", generated_hcl(rng), source="generated"), None
    as_json = family == "plan" or rng.random() < 0.3
    name = "plan.json" if family == "plan" else ("input.json" if as_json else "input.yaml")
    documents = json.loads(json.dumps(generated_data(rng, family)))  # no shared subtrees
    return Seed(family, name, dump_data(rng, copy.deepcopy(documents), as_json), source="generated"), documents

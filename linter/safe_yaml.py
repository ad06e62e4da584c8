"""YAML that cannot blow up: every document is composed, checked for alias expansion, nesting and
recursive aliases (`unfit`), and only then constructed. Every YAML path of ours goes through here
(Calico files, `yamldecode()`, manifests and Helm values embedded in Terraform, the configuration file);
CloudFormation's is cfn-lint's decoder, which `cloudformation.decode` bounds with the same checks.
"""
from __future__ import annotations

from typing import Any

import yaml

from linter.limits import MAX_YAML_ALIAS_CHARS, MAX_YAML_NESTING, MAX_YAML_NODES

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UnfitYaml(ValueError):
    """A document over a limit (alias expansion, nesting) or with a recursive alias; the message names it."""


def unfit(root: yaml.Node, max_nodes: int = MAX_YAML_NODES) -> str | None:
    """Why a composed document cannot be built and walked: a recursive alias, too deep, too many nodes.

    One pass over the node graph (iterative, each shared node once): the readers recurse and expand aliases.
    `max_nodes` bounds the document once its aliases are expanded.
    """
    size: dict[int, int] = {}  # id(node) -> nodes once expanded, for nodes done
    chars: dict[int, int] = {}  # id(node) -> characters of its scalars once expanded
    depth: dict[int, int] = {}
    distinct_chars = 0  # of the scalars as written: what aliases add is the difference
    open_nodes: set[int] = set()  # the nodes whose children are being walked: the current path
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key, children = id(node), _children(node)
        if children_done:
            open_nodes.discard(key)
            size[key] = 1 + sum(size[id(child)] for child in children)
            own = len(node.value) if isinstance(node, yaml.ScalarNode) else 0
            distinct_chars += own
            chars[key] = own + sum(chars[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            if depth[key] > MAX_YAML_NESTING:
                return f"nested more than {MAX_YAML_NESTING} levels deep (calico-lint's limit)"
            if size[key] > max_nodes:
                if len(size) > max_nodes:  # as written, without aliases
                    return f"more than {max_nodes:,} nodes (calico-lint's limit)"
                return f"aliases expand to more than {max_nodes:,} nodes (calico-lint's limit)"
            if chars[key] - distinct_chars > MAX_YAML_ALIAS_CHARS:
                return f"aliases add more than {MAX_YAML_ALIAS_CHARS:,} characters (calico-lint's limit)"
        elif key in open_nodes:
            return "an alias refers to a node that contains it (a recursive alias)"
        elif key not in size:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children)
    return None


_NODE_EVENTS = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)


def too_many_written(text: str, max_nodes: int = MAX_YAML_NODES) -> str | None:
    """Why a text holds too many nodes as written (all its documents together), before anything is composed.

    Composing costs Python objects and seconds per million nodes; libyaml's events cost 0.7 µs a node and
    stop at the limit. A text shorter than two characters a node cannot hold that many, and is not scanned.
    A YAML error is left to the loader, which meets it too and words it.
    """
    if len(text) <= 2 * max_nodes:
        return None
    count = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, _NODE_EVENTS):
                count += 1
                if count > max_nodes:
                    return f"more than {max_nodes:,} nodes (calico-lint's limit)"
    except yaml.YAMLError:
        return None
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def safe_load_all(text: str) -> list[Any]:
    """Every document, as `yaml.safe_load_all` gives them; raises yaml.YAMLError or UnfitYaml."""
    why = too_many_written(text)
    if why is not None:
        raise UnfitYaml(why)
    loader = _Loader(text)
    documents: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            why = unfit(node) if node is not None else None
            if why is not None:
                raise UnfitYaml(why)
            documents.append(loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()
    return documents


def safe_load(text: str) -> Any:
    """The one document of `text` (None when empty), as `yaml.safe_load`; raises yaml.YAMLError or UnfitYaml."""
    documents = safe_load_all(text)
    if len(documents) > 1:
        raise yaml.YAMLError("expected a single document in the stream")
    return documents[0] if documents else None

"""Template text -> decoded template, with cfn-lint's loaders (imported lazily by cloudformation.py).

cfn-lint's decoder rejects a duplicated key; CloudFormation accepts it and keeps the last one
(DESIGN §5), so the loaders here are cfn-lint's with the duplicate check replaced by last-wins.
Everything else (short-form intrinsics, node marks, error lines) is cfn-lint's.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml
from cfnlint.decode import cfn_json, cfn_yaml
from cfnlint.decode.decode import (
    create_match_json_parser_error,
    create_match_yaml_parser_error,
)
from cfnlint.decode.node import dict_node

from linter.limits import MAX_CFN_TEMPLATE_NODES
from linter.safe_yaml import too_many_written, unfit


@dataclass(frozen=True, slots=True)
class DecodeError:
    line: int  # 1-based; 1 when the decoder gives none
    column: int
    message: str


def _construct_map_last_wins(loader: "_LastWinsLoader", node: yaml.MappingNode) -> Any:
    """cfn-lint's map constructor without its duplicate check: the last key wins, with its mark."""
    loader.flatten_mapping(node)
    mapping = dict_node({}, node.start_mark, node.end_mark)
    pending = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, False)
        if key is None:
            raise cfn_yaml.CfnParseError(None, [cfn_yaml.build_match(
                filename=None, message=f"Null key {key_node.value!r} not supported",
                line_number=key_node.start_mark.line, column_number=key_node.start_mark.column,
                key=key_node.value)])
        try:
            hash(key)
        except TypeError as exc:
            raise cfn_yaml.CfnParseError(None, [cfn_yaml.build_match(
                filename=None, message=f"Unhashable key (line {key_node.start_mark.line + 1})",
                line_number=key_node.start_mark.line, column_number=key_node.start_mark.column,
                key="")]) from exc
        pending.append((key, value_node))
    for key, value_node in pending:
        mapping.pop(key, None)  # re-insert so the surviving key object is the last one (its line)
        mapping[key] = loader.construct_object(value_node, False)
    return mapping


class _LastWinsLoader(cfn_yaml.CfnFullLoader):
    """cfn-lint's YAML loader, duplicate keys resolved as CloudFormation does."""


_LastWinsLoader.add_constructor("tag:yaml.org,2002:map", _construct_map_last_wins)
_LastWinsLoader.add_multi_constructor("!", cfn_yaml.multi_constructor)


def _last_wins_pairs(ordered_pairs: list, beg_mark: Any, end_mark: Any) -> Any:
    mapping = dict_node({}, beg_mark, end_mark)
    for key, value in ordered_pairs:
        mapping.pop(key, None)
        mapping[key] = value
    return mapping


class _LastWinsJSONDecoder(cfn_json.CfnJSONDecoder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.object_pairs_hook = _last_wins_pairs
        self.scan_once = cfn_json.py_make_scanner(self)


class TemplateTooLarge(ValueError):
    """A template over MAX_CFN_TEMPLATE_NODES (as written or once its aliases are expanded)."""


def _load_yaml(text: str) -> Any:
    why = too_many_written(text, MAX_CFN_TEMPLATE_NODES)  # cfn-lint's loader composes at 8 µs a node
    if why is not None:
        raise TemplateTooLarge(why)
    loader = _LastWinsLoader(text, None)
    try:
        node = loader.get_single_node()  # composed (libyaml), checked, and only then constructed
        why = unfit(node, max_nodes=MAX_CFN_TEMPLATE_NODES) if node is not None else None
        if why is not None:
            raise TemplateTooLarge(why)
        template = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    if template is None:
        return dict_node({}, cfn_yaml.Mark(0, 0), cfn_yaml.Mark(0, 0))
    # cfn-lint's own alias guard would count again what `unfit` counted (keys too) against the same limit
    return template


def _errors_of(matches: list) -> tuple[DecodeError, ...]:
    return tuple(
        DecodeError(max(int(m.linenumber or 1), 1), max(int(m.columnnumber or 1), 1), str(m.message))
        for m in matches
    )


def _json_nodes(value: Any) -> int:
    count, pending = 0, [value]
    while pending and count <= MAX_CFN_TEMPLATE_NODES:
        item = pending.pop()
        count += 1
        if isinstance(item, dict):
            pending.extend(item.values())
            count += len(item)  # the keys
        elif isinstance(item, list):
            pending.extend(item)
    return count


def _json_fallback(text: str, scanner_error: yaml.scanner.ScannerError) -> tuple[Any, tuple[DecodeError, ...]]:
    """cfn-lint's rule: a YAML scanner error on a tab or an escape means 'try JSON'."""
    try:  # counted first with the C decoder: cfn-lint's (for the marks) is pure Python
        plain = json.loads(text) if len(text) > 2 * MAX_CFN_TEMPLATE_NODES else None  # shorter: too few nodes
    except (ValueError, RecursionError):
        pass  # cfn-lint's decoder below words the error
    else:
        if _json_nodes(plain) > MAX_CFN_TEMPLATE_NODES:
            return None, (DecodeError(1, 1, f"more than {MAX_CFN_TEMPLATE_NODES:,} nodes (calico-lint's limit)"),)
    try:
        return json.loads(text, cls=_LastWinsJSONDecoder), ()
    except cfn_json.JSONDecodeError as err:
        return None, _errors_of(err.matches)
    except json.JSONDecodeError as err:
        if err.msg in ("No JSON object could be decoded", "Expecting value"):
            return None, _errors_of([create_match_yaml_parser_error(scanner_error, None)])
        return None, _errors_of([create_match_json_parser_error(err, None)])
    except (ValueError, TypeError, RecursionError, StopIteration, IndexError) as err:
        return None, (DecodeError(1, 1, f"not valid JSON: {err}"),)


def decode_text(text: str) -> tuple[Any, tuple[DecodeError, ...]]:
    """(decoded template or None, errors). Never raises on bad input."""
    try:
        return _load_yaml(text), ()
    except cfn_yaml.CfnParseError as err:
        return None, _errors_of(err.matches)
    except TemplateTooLarge as err:
        return None, (DecodeError(1, 1, str(err)),)
    except yaml.scanner.ScannerError as err:
        problem = err.problem or ""
        if problem == "found character '\\t' that cannot start any token" or problem.startswith(
            "found unknown escape character"
        ):
            return _json_fallback(text, err)
        return None, _errors_of([create_match_yaml_parser_error(err, None)])
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        column = mark.column + 1 if mark is not None else 1
        return None, (DecodeError(line, column, str(err.problem or err.context or err)),)
    except yaml.YAMLError as err:
        return None, (DecodeError(1, 1, str(err)),)
    except (ValueError, TypeError, OverflowError, RecursionError) as err:
        # e.g. a YAML timestamp that is not a date, a malformed !GetAtt
        return None, (DecodeError(1, 1, f"template could not be parsed: {err}"),)

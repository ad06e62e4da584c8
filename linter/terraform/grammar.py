"""python-hcl2's grammar as a ready Lark parser: building its LALR tables takes about a second, so they are
kept as plain data (JSON: no pickle, unlike Lark's own cache, which lives in $TMPDIR). Lark's serialized form
is JSON's but for dicts keyed by numbers (its states): those are written `{"\u0000int-keys": [[k, v], ...]}`.

Where the tables come from, first that fits: the copy shipped in the package (hcl2_parser.json.gz, when it was
built from the installed lark and grammar), the cache directory the CLI passes (`<cache>/grammar/<key>`), else
a fresh build (written to the cache directory when there is one). Each copy is keyed by the lark version, the
grammar's sha256 and our options; a copy that does not load is rebuilt.

    python -m linter.terraform.grammar    # rewrite the shipped copy (after upgrading lark or python-hcl2)
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from linter.cache import ContentCache

SHIPPED = "hcl2_parser.json.gz"
# ours, not python-hcl2's: keep_all_tokens gives every node its closing token; no propagate_positions (it
# costs 2.5x the parse time; tokens carry positions)
OPTIONS: dict[str, Any] = {"parser": "lalr", "keep_all_tokens": True}
_KEYED = "\u0000int-keys"  # no key of Lark's holds a NUL


@dataclass(frozen=True, slots=True)
class _Made:
    parser: Any  # lark.Lark
    source: str  # "shipped", "cache" or "built": where its tables came from


def grammar_key() -> str:
    """What the tables depend on: lark's version (its `__init__.py` states it), the grammar's text, our
    options. Read from the files, without importing lark or python-hcl2 (a run that never needs Lark,
    the fast path's, does not pay for their import)."""
    lark_init = _package_file("lark", "__init__.py")
    grammar = _package_file("hcl2", "hcl2.lark")
    options = json.dumps(OPTIONS, sort_keys=True)
    return hashlib.sha256(f"{options}\0".encode() + lark_init + b"\0" + grammar).hexdigest()


def _package_file(package: str, name: str) -> bytes:
    spec = importlib.util.find_spec(package)  # finds a top-level package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{package} is not installed")
    return Path(list(spec.submodule_search_locations)[0], name).read_bytes()


def make_parser(cache: ContentCache | None) -> _Made:
    """The parser, from the first copy of its tables that fits (see the module's doc)."""
    key = grammar_key()
    shipped = _shipped_tables()
    if shipped is not None and shipped[0] == key:
        parser = _load(shipped[1])
        if parser is not None:
            return _Made(parser, "shipped")
    if cache is not None:
        payload = cache.get("grammar", key)
        parser = _load(payload) if payload is not None else None
        if parser is not None:
            return _Made(parser, "cache")
    parser = build()
    if cache is not None:
        cache.put("grammar", key, tables(parser))
    return _Made(parser, "built")


def build() -> Any:
    from lark import Lark
    import hcl2.parser

    return Lark.open("hcl2.lark", rel_to=hcl2.parser.__file__, cache=False, **OPTIONS)


def tables(parser: Any) -> str:
    """A built parser's tables as JSON text."""
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = parser.memo_serialize([TerminalDef, Rule])
    return json.dumps(_plain({"data": data, "memo": memo}), separators=(",", ":"))


def _plain(value: Any) -> Any:
    """Lark's serialized tables as JSON data (tuples become lists: Lark reads either)."""
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _plain(item) for key, item in value.items()}
        return {_KEYED: [[_plain(key), _plain(item)] for key, item in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"Lark's tables hold a {type(value).__name__}")


def _keyed(mapping: dict[str, Any]) -> Any:
    if _KEYED in mapping:
        return {key: item for key, item in mapping[_KEYED]}
    return mapping


def _load(payload: str) -> Any:
    """A parser from its tables, or None when they do not load (another lark's, damaged)."""
    from lark import Lark
    from lark.exceptions import LarkError

    try:
        return Lark.load(json.loads(payload, object_hook=_keyed))
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, LarkError, RecursionError):
        return None


def _shipped_tables() -> tuple[str, str] | None:
    try:
        raw = Path(__file__).with_name(SHIPPED).read_bytes()  # package data beside this module
        record = json.loads(gzip.decompress(raw))
    except (OSError, ValueError, EOFError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("key"), str) \
            or not isinstance(record.get("tables"), str):
        return None
    return record["key"], record["tables"]


def write_shipped(path: Path | None = None) -> Path:
    """Rebuild the shipped copy from the installed lark and python-hcl2 (gzip without a timestamp: the same
    input gives the same bytes)."""
    target = path or Path(__file__).with_name(SHIPPED)
    record = json.dumps({"key": grammar_key(), "tables": tables(build())}, separators=(",", ":"))
    target.write_bytes(gzip.compress(record.encode("utf-8"), compresslevel=9, mtime=0))
    return target


if __name__ == "__main__":
    write_shipped()

"""Terraform files -> syntax (`hcl.Body` and problems), once per content: from the content cache, by the HCL
fast path here, on every free core for more than a handful of the files that need Lark, or here.

Parsing a file depends on its text and nothing else (variables come later, in modules.py), so its syntax is
cached by the hash of its text, the parser's code and grammar, Python's version and calico-lint's (the
cache's `version`). Workers send back the syntax encoded as JSON text (linter.codec): it pickles as one
string, is exactly what the cache stores, and decodes faster than a pickled tree of frozen dataclasses.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import linter.codec as codec
import linter.model as model
from linter.cache import ContentCache, digest
from linter.model import ParseProblem
from linter.pool import available_cores, parallel_map
from linter.terraform import grammar, hcl, json_syntax

KIND = "terraform-syntax"
POOL_MIN_FILES = 8  # fewer files than this parse here: a pool's start costs about what a few parses do
_TABLE = codec.types_of(hcl, model)
_decode = codec.decoder(_TABLE)


@dataclass(frozen=True, slots=True)
class Syntax:
    body: hcl.Body | None  # None when the file does not parse
    problems: tuple[ParseProblem, ...]


def parse_file(path: str, text: str) -> Syntax:
    """One `.tf`, `.tfvars` or `.tf.json` text, parsed here."""
    if path.endswith(".tf.json"):
        body, problems = json_syntax.parse_tf_json(text, path)
    else:
        body, problems = hcl.parse_hcl(text, path)
    return Syntax(body, tuple(problems))


class FileParser:
    """The syntax of the files of one load, each parsed once: remembered, cached, parsed in a pool or here."""

    def __init__(self, cache: ContentCache | None = None, workers: int | None = None) -> None:
        self._cache = cache
        self._workers = available_cores() if workers is None else workers
        self._known: dict[tuple[str, str], Syntax] = {}  # (path, key) -> syntax
        self._stage: str | None = None

    def parse(self, path: str, text: str) -> Syntax:
        key = self._key(text)
        known = self._known.get((path, key))
        if known is None:
            known = self._cached(path, key)
        if known is None:
            known = parse_file(path, text)
            self._store(key, _payload(known))
        self._known[(path, key)] = known
        return known

    def parse_all(self, files: Sequence[tuple[str, str]]) -> None:
        """Parse (path, text) pairs ahead of `parse`: what the cache lacks, on every core when there are many."""
        missing: list[tuple[str, str, str]] = []
        for path, text in files:
            key = self._key(text)
            if (path, key) in self._known:
                continue
            cached = self._cached(path, key)
            if cached is None and not path.endswith(".tf.json"):
                cached = _quick_syntax(path, text)  # here: faster than sending it to a worker and back
                if cached is not None:
                    self._store(key, _payload(cached))
            if cached is not None:
                self._known[(path, key)] = cached
            else:
                missing.append((path, text, key))
        if len(missing) < POOL_MIN_FILES or self._workers < 2:
            return  # `parse` does them one by one, here
        hcl.prepare_parser(self._cache)  # before the fork: the workers inherit it
        workers = min(self._workers, max(len(missing) // POOL_MIN_FILES, 2))
        payloads = parallel_map(_parse_encoded, [(path, text) for path, text, _key in missing], workers,
                                _prepare_worker, (self._cache,))
        # decoded as they come; what a broken pool leaves out, `parse` does here
        for (path, _text, key), payload in zip(missing, payloads or ()):
            syntax = _syntax_of(payload, path) if payload is not None else None
            if syntax is not None and payload is not None:
                self._known[(path, key)] = syntax
                self._store(key, payload)

    def _key(self, text: str) -> str:
        if self._stage is None:
            self._stage = stage_fingerprint(self._cache.version if self._cache is not None else "")
        return digest(self._stage, text.encode("utf-8", "surrogatepass"))

    def _cached(self, path: str, key: str) -> Syntax | None:
        if self._cache is None:
            return None
        payload = self._cache.get(KIND, key)
        return _syntax_of(payload, path) if payload is not None else None

    def _store(self, key: str, payload: str | None) -> None:
        if self._cache is not None and payload is not None:
            self._cache.put(KIND, key, payload)


def _quick_syntax(path: str, text: str) -> Syntax | None:
    parsed = hcl.parse_hcl_quickly(text, path)
    return Syntax(parsed[0], parsed[1]) if parsed is not None else None


def stage_fingerprint(version: str) -> str:
    """What a file's syntax depends on besides its text: the code that makes and encodes it, the grammar,
    Python's and calico-lint's versions."""
    from linter.terraform import hcl_fast

    modules = (hcl, hcl_fast, json_syntax, codec, model, sys.modules[__name__])
    code = [Path(module.__file__ or "").read_bytes() for module in modules]
    return digest(version, f"python {sys.version_info[0]}.{sys.version_info[1]}", grammar.grammar_key(), *code)


def _payload(syntax: Syntax) -> str | None:
    """The syntax as JSON text (problems without their file: the text's syntax is the same at any path)."""
    problems = tuple(replace(p, where=replace(p.where, file="")) for p in syntax.problems)
    try:
        return json.dumps(codec.encode([syntax.body, problems]), separators=(",", ":"), allow_nan=False)
    except (RecursionError, ValueError):  # nested deeper than the encoder goes, a NaN: not cached
        return None


def _syntax_of(payload: str, path: str) -> Syntax | None:
    """The syntax of a payload, for the file at `path`; None when it is not a payload of ours."""
    try:
        body, problems = _decode(json.loads(payload))
    except (codec.CodecError, ValueError, TypeError, RecursionError):
        return None
    if not (body is None or isinstance(body, hcl.Body)) or not isinstance(problems, tuple) \
            or not all(isinstance(p, ParseProblem) for p in problems):
        return None
    return Syntax(body, tuple(replace(p, where=replace(p.where, file=path)) for p in problems))


def _prepare_worker(cache: ContentCache | None) -> None:
    hcl.prepare_parser(cache)  # forked: already made; from a fork server: the shipped or cached tables


def _parse_encoded(item: tuple[str, str]) -> str | None:
    path, text = item
    return _payload(parse_file(path, text))

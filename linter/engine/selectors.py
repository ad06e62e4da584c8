"""Calico label selectors (`all()`, `has(k)`, `k == 'v'`, `k in {...}`, `!`, `&&`, `||`) against node labels.

Used for BGPPeer `nodeSelector`/`peerSelector` and IP pool `nodeSelector`. A node group's labels are the
ones its configuration declares (EKS node group labels, kubelet `--node-labels`); labels added at run
time (`kubectl label node`) are invisible, so a group that declares none makes any selector but `all()`
UNKNOWN rather than a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping

from linter.model import Unknown

Labels = Mapping[str, "str | Unknown"]
_TOKEN = re.compile(r"""\s*(?:(?P<op>&&|\|\||==|!=|!|\(|\)|\{|\}|,)|(?P<str>"[^"]*"|'[^']*')|(?P<word>[A-Za-z0-9_./\-]+))""")


class _Undeclared(Mapping[str, "str | Unknown"]):
    """Labels of a node group that declares none: every label is unknown."""

    def __getitem__(self, key: str) -> Unknown:
        return Unknown(f"label {key}")

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(())

    def __len__(self) -> int:
        return 0


UNDECLARED_LABELS: Labels = _Undeclared()


class SelectorError(ValueError):
    """Not a selector Calico would accept."""


@dataclass(frozen=True, slots=True)
class Selector:
    """A parsed selector: `matches(labels)` is True/False, or None when a label it reads is unknown."""

    text: str
    test: Callable[[Labels], "bool | None"]

    def matches(self, labels: Labels) -> bool | None:
        return self.test(labels)


def parse_selector(text: str) -> Selector:
    tokens = _tokens(text)
    parser = _Parser(tokens)
    test = parser.expression()
    if parser.position != len(tokens):
        raise SelectorError(f"unexpected {tokens[parser.position]!r} in selector {text!r}")
    return Selector(text, test)


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise SelectorError(f"cannot read selector {text!r} at {text[position:]!r}")
        tokens.append(match.group(match.lastgroup or "word"))
        position = match.end()
    return tokens


def _and(a: Callable[[Labels], bool | None], b: Callable[[Labels], bool | None]) -> Callable[[Labels], bool | None]:
    def test(labels: Labels) -> bool | None:
        x, y = a(labels), b(labels)
        return False if x is False or y is False else None if x is None or y is None else True
    return test


def _or(a: Callable[[Labels], bool | None], b: Callable[[Labels], bool | None]) -> Callable[[Labels], bool | None]:
    def test(labels: Labels) -> bool | None:
        x, y = a(labels), b(labels)
        return True if x is True or y is True else None if x is None or y is None else False
    return test


def _not(a: Callable[[Labels], bool | None]) -> Callable[[Labels], bool | None]:
    def test(labels: Labels) -> bool | None:
        x = a(labels)
        return None if x is None else not x
    return test


def _value(labels: Labels, key: str) -> str | None | Unknown:
    return labels.get(key)


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise SelectorError(f"expected {expected or 'more'}, found {token!r}")
        self.position += 1
        return token

    def expression(self) -> Callable[[Labels], bool | None]:
        test = self.conjunction()
        while self.peek() == "||":
            self.take()
            test = _or(test, self.conjunction())
        return test

    def conjunction(self) -> Callable[[Labels], bool | None]:
        test = self.unary()
        while self.peek() == "&&":
            self.take()
            test = _and(test, self.unary())
        return test

    def unary(self) -> Callable[[Labels], bool | None]:
        if self.peek() == "!":
            self.take()
            return _not(self.unary())
        if self.peek() == "(":
            self.take()
            test = self.expression()
            self.take(")")
            return test
        return self.term()

    def term(self) -> Callable[[Labels], bool | None]:
        word = self.take()
        if word in ("all", "global") and self.peek() == "(":
            self.take("(")
            self.take(")")
            return lambda labels: True
        if word == "has" and self.peek() == "(":
            self.take("(")
            key = self.take()
            self.take(")")
            return lambda labels: None if isinstance(labels.get(key), Unknown) else labels.get(key) is not None
        return self.comparison(word)

    def comparison(self, key: str) -> Callable[[Labels], bool | None]:
        operator = self.take()
        if operator == "not":
            self.take("in")
            return _not(self._membership(key))
        if operator == "in":
            return self._membership(key)
        if operator in ("==", "!=", "contains", "starts", "ends"):
            if operator in ("starts", "ends"):
                self.take("with")
            wanted = self._string()
            checks: dict[str, Callable[[str], bool]] = {
                "==": lambda v: v == wanted, "!=": lambda v: v != wanted, "contains": lambda v: wanted in v,
                "starts": lambda v: v.startswith(wanted), "ends": lambda v: v.endswith(wanted)}
            check = checks[operator]

            def test(labels: Labels) -> bool | None:
                value = _value(labels, key)
                if isinstance(value, Unknown):
                    return None
                if value is None:
                    return operator == "!="  # Calico: a missing label is != anything
                return check(value)
            return test
        raise SelectorError(f"unknown operator {operator!r}")

    def _membership(self, key: str) -> Callable[[Labels], bool | None]:
        self.take("{")
        values: set[str] = set()
        while self.peek() != "}":
            values.add(self._string())
            if self.peek() == ",":
                self.take()
        self.take("}")

        def test(labels: Labels) -> bool | None:
            value = _value(labels, key)
            return None if isinstance(value, Unknown) else value in values
        return test

    def _string(self) -> str:
        token = self.take()
        if len(token) < 2 or token[0] not in "'\"" or token[-1] != token[0]:
            raise SelectorError(f"expected a quoted value, found {token!r}")
        return token[1:-1]

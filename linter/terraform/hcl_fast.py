"""A fast path for the HCL that most configurations are made of: blocks, attributes, literals, strings with
`${...}` references, traversals, function calls, tuples and objects, comments.

It builds the same `hcl.Body` that python-hcl2's grammar and `hcl._Builder` build, four to five times faster
(one regular expression for the tokens, no parse tree), and gives up (None) on anything else: operators,
conditionals, `for`, splats, heredocs, directives, other escapes, an unexpected character, a definition that
does not start on a line of its own, deep nesting. Giving up is always safe: the caller then parses with Lark,
which also gives every error message. tests/test_hcl_fast.py checks both agree on every input this accepts.
"""
from __future__ import annotations

import re
from typing import Any

from linter.terraform.hcl import (
    Attribute, Block, Body, Call, GetAttr, Index, Literal, ObjectExpr, Template, TupleExpr, Variable, _merge_text,
    _unescape,
)

_TOKENS = re.compile(r"""
    (?P<nl>(?:\n[ \t]*|\#[^\n]*\n|//[^\n]*\n|/\*.*?\*/)+)
  | (?P<ws>[ \t]+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<num>[0-9]+(?:\.[0-9]+)?)(?![0-9A-Za-z_.])
  | (?P<str>"(?:[^"\\$%\n]|\\[nrt"\\]|\$\{[^{}"\n\\%$]*\})*")
  | (?P<punct>[{}\[\](),.:=])
  | (?P<bad>.)
""", re.S | re.X)
_STRING_PARTS = re.compile(r'(?P<lit>(?:[^"\\$]|\\[nrt"\\])+)|\$\{(?P<expr>[^}]*)\}')
_KEYWORDS = frozenset({"for", "in", "if"})  # names the grammar reads as keywords in places
_MAX_DEPTH = 40  # deeper nesting goes to Lark (and its builder's own recursion limit), as before
_CLOSERS = frozenset({",", "]", "}", ")"})


class _GiveUp(Exception):
    """Not in the fast path's subset: parse with Lark."""


def fast_body(source: str) -> Body | None:
    """The body of `source` (new lines already `\\n`), or None when the fast path does not read it."""
    try:
        tokens = _tokenize(source + "\n")
        parser = _Parser(source, tokens)
        body = parser.body(top=True)
    except (_GiveUp, RecursionError, IndexError, ValueError):
        return None
    return body


# a token: (kind, text, start, end, line, column)
Token = tuple[str, str, int, int, int, int]


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    line, line_start = 1, 0
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind == "ws":
            continue
        if kind == "bad":
            raise _GiveUp
        start, end = match.span()
        value = match.group()
        tokens.append((kind, value, start, end, line, start - line_start + 1))  # type: ignore[arg-type]
        if kind == "nl":
            newlines = value.count("\n")
            if newlines:
                line += newlines
                line_start = start + value.rindex("\n") + 1
    tokens.append(("end", "", len(text), len(text), line, len(text) - line_start + 1))
    return tokens


class _Parser:
    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    # -- tokens

    def peek(self) -> Token:
        return self.tokens[self.at]

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def punct(self, char: str) -> Token:
        token = self.take()
        if token[0] != "punct" or token[1] != char:
            raise _GiveUp
        return token

    def skip_lines(self) -> None:
        while self.tokens[self.at][0] == "nl":
            self.at += 1

    def is_punct(self, char: str) -> bool:
        token = self.tokens[self.at]
        return token[0] == "punct" and token[1] == char

    # -- bodies

    def body(self, top: bool) -> Body:
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        previous_end = 0
        while True:
            self.skip_lines()
            token = self.peek()
            if token[0] == "end":
                if not top:
                    raise _GiveUp
                break
            if token[0] == "punct" and token[1] == "}" and not top:
                break
            if token[0] != "name" or token[1] in _KEYWORDS or token[4] == previous_end:
                raise _GiveUp
            self.take()
            if self.is_punct("="):
                attributes.append(self.attribute(token))
            else:
                blocks.append(self.block(token))
            previous_end = self.tokens[self.at - 1][4]
            following = self.peek()[0]
            if following not in ("nl", "end"):
                raise _GiveUp  # the next definition (or a `}`) on the same line: Lark decides
        return Body(tuple(attributes), tuple(blocks))

    def attribute(self, name: Token) -> Attribute:
        equals = self.take()
        after = self.source[equals[3]:equals[3] + 1]
        if after in ("=", ">"):
            raise _GiveUp
        return Attribute(name[1], self.expression(), name[4], name[5])

    def block(self, kind: Token) -> Block:
        labels: list[str] = []
        while True:
            token = self.take()
            if token[0] == "name" and token[1] not in _KEYWORDS:
                labels.append(token[1])
            elif token[0] == "str":
                if "${" in token[1]:
                    raise _GiveUp
                labels.append(_unescape(token[1][1:-1]))
            elif token[0] == "punct" and token[1] == "{":
                break
            else:
                raise _GiveUp
        following = self.peek()
        if following[0] == "punct" and following[1] == "}":
            closing = self.take()  # `name {}`
            return Block(kind[1], tuple(labels), Body((), ()), kind[4], kind[5], closing[4])
        if following[0] != "nl":
            raise _GiveUp  # a definition on the `{` line
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _GiveUp
        body = self.body(top=False)
        self.depth -= 1
        closing = self.punct("}")
        return Block(kind[1], tuple(labels), body, kind[4], kind[5], closing[4])

    # -- expressions

    def expression(self) -> Any:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _GiveUp
        token = self.take()
        kind, text = token[0], token[1]
        node: Any
        if kind == "name":
            if text in _KEYWORDS:
                raise _GiveUp
            if self.is_punct("("):
                node = self.call(token)
            elif text in ("true", "false"):
                node = Literal(text == "true", text, token[4])
            elif text == "null":
                node = Literal(None, text, token[4])
            else:
                node = Variable(text, text, token[4])
        elif kind == "num":
            if len(text) > 100:
                raise _GiveUp  # near Python's digit limit for int(): the builder says what it makes of it
            node = Literal(float(text) if "." in text else int(text), text, token[4])
        elif kind == "str":
            node = self.string(token)
        elif kind == "punct" and text == "[":
            node = self.tuple(token)
        elif kind == "punct" and text == "{":
            node = self.object(token)
        else:
            raise _GiveUp
        node = self.traversals(node, token)
        following = self.peek()
        if following[0] not in ("nl", "end") and not (following[0] == "punct" and following[1] in _CLOSERS):
            raise _GiveUp  # an operator, `?`, a splat...: Lark decides
        self.depth -= 1
        return node

    def traversals(self, node: Any, first: Token) -> Any:
        for _step in range(_MAX_DEPTH):  # a longer chain nests as deep as Lark's builder cannot go: it decides
            token = self.peek()
            if token[0] != "punct":
                return node
            if token[1] == ".":
                self.take()
                name = self.take()
                if name[0] != "name" or name[1] in _KEYWORDS or name[2] != token[3]:
                    raise _GiveUp  # `.*`, `.0`, `. name`: Lark decides
                node = GetAttr(node, name[1], self.source[first[2]:name[3]], first[4])
            elif token[1] == "[":
                self.take()
                self.skip_lines()
                if self.is_punct("*") or self.is_punct("]"):
                    raise _GiveUp
                key = self.expression()
                self.skip_lines()
                closing = self.punct("]")
                node = Index(node, key, self.source[first[2]:closing[3]], first[4])
            else:
                return node
        raise _GiveUp

    def call(self, name: Token) -> Call:
        self.punct("(")
        args: list[Any] = []
        self.skip_lines()
        while not self.is_punct(")"):
            args.append(self.expression())
            self.skip_lines()
            if self.is_punct(","):
                self.take()
                self.skip_lines()
            elif not self.is_punct(")"):
                raise _GiveUp
        closing = self.take()
        return Call(name[1], tuple(args), False, self.source[name[2]:closing[3]], name[4])

    def tuple(self, opening: Token) -> TupleExpr:
        items: list[Any] = []
        self.skip_lines()
        if self.peek()[0] == "name" and self.peek()[1] == "for":
            raise _GiveUp
        while not self.is_punct("]"):
            items.append(self.expression())
            self.skip_lines()
            if self.is_punct(","):
                self.take()
                self.skip_lines()
            elif not self.is_punct("]"):
                raise _GiveUp
        closing = self.take()
        return TupleExpr(tuple(items), self.source[opening[2]:closing[3]], opening[4])

    def object(self, opening: Token) -> ObjectExpr:
        items: list[tuple[Any, Any]] = []
        self.skip_lines()
        while not self.is_punct("}"):
            token = self.take()
            if token[0] == "name" and token[1] not in _KEYWORDS and token[1] != "for_each":
                key: Any = Literal(token[1], token[1], token[4])
            elif token[0] == "str":
                key = self.string(token)
            else:
                raise _GiveUp
            separator = self.take()
            if separator[0] != "punct" or separator[1] not in ("=", ":"):
                raise _GiveUp
            if self.source[separator[3]:separator[3] + 1] in ("=", ">", ":"):
                raise _GiveUp
            items.append((key, self.expression()))
            if self.is_punct(","):
                self.take()
            elif not (self.peek()[0] == "nl" or self.is_punct("}")):
                raise _GiveUp
            self.skip_lines()
        closing = self.take()
        return ObjectExpr(tuple(items), self.source[opening[2]:closing[3]], opening[4])

    def string(self, token: Token) -> Template:
        raw, line = token[1], token[4]
        if "${" not in raw:
            inner = _unescape(raw[1:-1])
            return Template((inner,) if inner else (), raw, line)
        parts: list[Any] = []
        offset = token[2] + 1
        for match in _STRING_PARTS.finditer(raw, 1, len(raw) - 1):
            if match.lastgroup == "lit":
                parts.append(_unescape(match.group("lit")))
            else:
                start = offset + match.start("expr") - 1
                parts.append(self.interpolation(match.group("expr"), start, line))
        return Template(_merge_text(parts), raw, line)

    def interpolation(self, text: str, start: int, line: int) -> Any:
        """The expression of a `${...}`, parsed from its own tokens (no new line can be inside)."""
        tokens = [(kind, value, begin + start, end + start, line, column)
                  for kind, value, begin, end, _line, column in _tokenize(text)]
        if any(kind == "nl" for kind, *_rest in tokens):
            raise _GiveUp
        inner = _Parser(self.source, tokens)
        inner.depth = self.depth
        node = inner.expression()
        if inner.peek()[0] != "end":
            raise _GiveUp
        return node

"""HCL2 (Terraform's configuration language) parsed into a small AST that keeps positions.

python-hcl2's own DictTransformer flattens expressions into strings, so we read its Lark tree
(same grammar) and build our own nodes. Known gaps of its grammar are worked around here:

- `binary_op` has no precedence: operator chains are flattened and re-associated with Terraform's.
- heredocs are one token: their `${...}` interpolations are parsed here.
- a function call as an object key, and a newline inside `${ ... }` in a quoted string, are rejected
  by python-hcl2 but accepted by Terraform: on a parse failure we retry with the text rewritten
  (same lines), and report the original error if the retry fails too.
- an attribute defined twice in one body, or both as an attribute and a block, is an error (Terraform
  rejects it).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from linter.model import ParseProblem, Where
from linter.limits import MAX_HCL_PARSER_TOKENS, MAX_HCL_TOKENS

if TYPE_CHECKING:
    from linter.cache import ContentCache

# ------------------------------------------------------------------------------------------ AST


@dataclass(frozen=True, slots=True)
class Literal:
    value: Any  # str, int, float, bool, None
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class TemplateIf:
    """`%{ if condition }then%{ else }otherwise%{ endif }` in a template."""

    condition: Any
    then: tuple[Any, ...]  # template parts
    otherwise: tuple[Any, ...]
    text: str


@dataclass(frozen=True, slots=True)
class TemplateFor:
    """`%{ for key, value in collection }body%{ endfor }` in a template (`key` None: `for value in ...`)."""

    key_var: str | None
    value_var: str
    collection: Any
    body: tuple[Any, ...]  # template parts
    text: str


@dataclass(frozen=True, slots=True)
class Template:
    parts: tuple[Any, ...]  # str | Expr | TemplateIf | TemplateFor
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class GetAttr:
    obj: Any
    name: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Index:
    obj: Any
    key: Any
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Splat:
    """`obj[*].a[0]` (full) or `obj.*.a` (attribute-only): steps apply to every element."""

    obj: Any
    steps: tuple[tuple[str, Any], ...]  # ("attr", name) | ("index", Expr)
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Any, ...]
    expand_final: bool
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str
    operand: Any
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Binary:
    op: str
    left: Any
    right: Any
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Conditional:
    condition: Any
    true: Any
    false: Any
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class TupleExpr:
    items: tuple[Any, ...]
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    items: tuple[tuple[Any, Any], ...]  # (key expression, value expression)
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class ForExpr:
    key_var: str | None
    value_var: str
    collection: Any
    key: Any  # None for a tuple `for`
    value: Any
    condition: Any
    group: bool  # `...` in an object `for`
    text: str
    line: int


Expr = Union[Literal, Template, Variable, GetAttr, Index, Splat, Call, Unary, Binary, Conditional,
             TupleExpr, ObjectExpr, ForExpr]


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Any
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: "Body"
    line: int
    column: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Body:
    attributes: tuple[Attribute, ...]
    blocks: tuple[Block, ...]

    def attribute(self, name: str) -> Attribute | None:
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        return None

    def blocks_of(self, block_type: str) -> tuple[Block, ...]:
        return tuple(block for block in self.blocks if block.type == block_type)


EMPTY_BODY = Body((), ())


class HclError(ValueError):
    """A syntax error at a 1-based line and column."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# ------------------------------------------------------------------------------------------ public


_TOKEN = re.compile(r"[A-Za-z_][\w-]*|[0-9]+|\S")  # a count's measure, not HCL's tokens: strings count inside


def _over_tokens(text: str, limit: int, what: str) -> None:
    """Raise HclError when `text` holds more than `limit` tokens (counted up to the limit only)."""
    if len(text) <= limit:
        return
    for count, _match in enumerate(_TOKEN.finditer(text), 1):
        if count > limit:
            raise HclError(f"more than {limit:,} tokens {what} (calico-lint's limit)", 1, 1)


def parse_hcl(text: str, file: str) -> tuple[Body | None, tuple[ParseProblem, ...]]:
    """Parse a .tf/.tfvars text. On any problem the body is None and the problems say why."""
    try:
        _over_tokens(text, MAX_HCL_TOKENS, "in one file")
        body = _parse_body(text)
        duplicates = _duplicate_attributes(body, file)
    except HclError as error:
        return None, (_problem(file, text, error.line, error.column, error.message),)
    except RecursionError:
        return None, (_problem(file, text, 1, 1, "expression nesting is too deep to read"),)
    if duplicates:
        return None, duplicates
    return body, ()


def parse_hcl_quickly(text: str, file: str) -> tuple[Body | None, tuple[ParseProblem, ...]] | None:
    """`parse_hcl(text, file)` when the fast path reads the text (no Lark), else None."""
    from linter.terraform.hcl_fast import fast_body

    try:
        _over_tokens(text, MAX_HCL_TOKENS, "in one file")
    except HclError as error:
        return None, (_problem(file, text, error.line, error.column, error.message),)
    body = fast_body(text.replace("\r\n", "\n"))
    if body is None:
        return None
    duplicates = _duplicate_attributes(body, file)
    return (None, duplicates) if duplicates else (body, ())


def parse_expression(text: str) -> Expr:
    """Parse one expression (e.g. a `--var` value or a template interpolation). Raises HclError."""
    flat = text.replace("\r\n", " ").replace("\n", " ")
    body = _parse_body("__expr__ = " + flat)
    if len(body.attributes) != 1 or body.blocks:
        raise HclError("not a single expression", 1, 1)
    return body.attributes[0].expr


def parse_template(text: str, line: int = 1) -> Template:
    """A template's text (heredoc content, a `templatefile` file) as a Template. Raises HclError."""
    return _template_from_text(text, text, line)


# ------------------------------------------------------------------------------------------ parsing


_PARSER: dict[str, Any] = {}  # the process's one Lark parser, made on first use (never at import)


def prepare_parser(cache: ContentCache | None = None) -> str:
    """Make the parser now, its tables from the package, `cache` or a build (linter.terraform.grammar);
    where they came from. A later call changes nothing: parsing without one makes it without a cache."""
    if "parser" not in _PARSER:
        from linter.terraform.grammar import make_parser

        made = make_parser(cache)
        _PARSER["parser"], _PARSER["source"] = made.parser, made.source
    return str(_PARSER["source"])


def _lark() -> Any:
    if "parser" not in _PARSER:
        prepare_parser(None)
    return _PARSER["parser"]


def _parse_body(text: str) -> Body:
    from linter.terraform.hcl_fast import fast_body

    source = text.replace("\r\n", "\n")
    fast = fast_body(source)  # most configurations, without Lark; None: the rest, and every error
    if fast is not None:
        return fast
    try:
        return _parse_once(source)
    except HclError as original:
        rewritten = _rewrite_for_python_hcl2(source)
        if rewritten == source:
            raise
        try:
            return _parse_once(rewritten)
        except HclError:
            raise original from None


def _parse_once(source: str) -> Body:
    from lark.exceptions import UnexpectedInput

    _over_tokens(source, MAX_HCL_PARSER_TOKENS, "for the full parser (operators, conditionals, for, heredocs...)")
    try:
        tree = _lark().parse(source + "\n")
    except UnexpectedInput as error:
        raise _syntax_error(error, source) from None
    return _Builder(source).body(tree.children[0])


def _syntax_error(error: Any, source: str) -> HclError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    line = getattr(error, "line", 1) or 1
    column = getattr(error, "column", 1) or 1
    last_line = source.count("\n") + 1
    if isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "$END":
            return HclError("unexpected end of file — " + _expected(error.expected), last_line, 1)
        value = str(token).replace("\n", "\\n")
        if token.type == "STRING_CHARS" and "STRING_CHARS" not in error.expected:
            # the lexer fell back to "any text": name what actually comes next
            raw = str(token)
            if raw.startswith("<<"):
                return HclError(f"heredoc '{raw.split(chr(10))[0]}' has no closing marker", line, column)
            stripped = raw.lstrip(" \t")
            value = stripped[:1] if stripped[:1] not in ("", "\n") else "\\n"
            if value == "\\n":
                return HclError(f"unexpected new line — {_expected(error.expected)}", line, column)
        if token.type == "NL_OR_COMMENT":
            value = "new line" if value.startswith("\\n") else "comment"
            message = f"unexpected {value} — {_expected(error.expected)}"
        else:
            message = f"unexpected token '{value[:40]}' — {_expected(error.expected)}"
        return HclError(message, min(line, last_line), column)
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream
        char = source[position] if position is not None and position < len(source) else "end of file"
        if char in "<":
            return HclError("unexpected '<' — a heredoc needs its closing marker on a line of its own",
                            line, column)
        return HclError(f"unexpected character {char!r}", min(line, last_line), column)
    if isinstance(error, UnexpectedEOF):
        return HclError("unexpected end of file", last_line, 1)
    return HclError("syntax error", min(line, last_line), column)


_EXPRESSION_STARTS = {"DECIMAL", "LPAR", "LSQB", "DBLQUOTE", "NEGATIVE_DECIMAL"}
_FRIENDLY = {"$END": "the end of the file", "NL_OR_COMMENT": "a new line", "NAME": "a name", "EQ": "'='",
             "BINARY_OP": "an operator",
             "DBLQUOTE": "a string", "DECIMAL": "a number", "STRING_CHARS": "text"}


def _expected(names: Any) -> str:
    names = set(names)
    if names & _EXPRESSION_STARTS and len(names) > 3:
        return "expected an expression"
    if "NAME" in names and "NL_OR_COMMENT" in names and "$END" in names:
        return "expected an attribute or a block"
    shown = []
    for name in sorted(names):
        if name in _FRIENDLY:
            shown.append(_FRIENDLY[name])
            continue
        try:
            pattern = _lark().get_terminal(name).pattern
        except KeyError:
            continue
        if type(pattern).__name__ == "PatternStr":
            shown.append(f"'{pattern.value}'")
    shown = sorted(set(shown))
    if not shown:
        return "expected something else"
    return "expected " + (" or ".join(shown[:5]))


def _problem(file: str, text: str, line: int, column: int, message: str) -> ParseProblem:
    return ParseProblem(Where(file, max(1, line), max(1, column), ""), message)


# ------------------------------------------------------------------------------------------ workarounds

_KEY_CALL = re.compile(r"(^|[{,])([ \t]*)([A-Za-z_][A-Za-z0-9_-]*(?:::[A-Za-z_][A-Za-z0-9_-]*)*[ \t]*\()",
                       re.M)


def _rewrite_for_python_hcl2(source: str) -> str:
    """Rewrite what Terraform accepts and python-hcl2 does not, keeping every line in place."""
    return _wrap_call_keys(_move_interpolation_newlines(source))


def _wrap_call_keys(source: str) -> str:
    """`format("a/%v", x) = "owned"` as an object key becomes `(format("a/%v", x)) = "owned"`."""
    out: list[str] = []
    last = 0
    for match in _KEY_CALL.finditer(source):
        start = match.start(3)
        if start < last:
            continue
        close = _matching(source, match.end(3) - 1, "(", ")")
        if close < 0:
            continue
        rest = source[close + 1: close + 40]
        if not re.match(r"[ \t]*(=(?![=>])|:)", rest):
            continue
        out.append(source[last:start])
        out.append("(" + source[start: close + 1] + ")")
        last = close + 1
    out.append(source[last:])
    return "".join(out)


def _move_interpolation_newlines(source: str) -> str:
    """Newlines inside `${ ... }` of a quoted string move after its `}` (Terraform's quoted strings
    hold no raw newline, so the builder drops them there)."""
    if "${" not in source:
        return source
    out: list[str] = []
    i = 0
    n = len(source)
    while i < n:
        char = source[i]
        if char == "#" or source.startswith("//", i):
            end = source.find("\n", i)
            end = n if end < 0 else end
            out.append(source[i:end])
            i = end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(source[i:end])
            i = end
        elif source.startswith("<<", i):
            match = _HEREDOC_START.match(source, i)
            if match is None:
                out.append(char)
                i += 1
                continue
            end = _heredoc_end(source, match)
            out.append(source[i:end])
            i = end
        elif char == '"':
            end = _string_end(source, i)
            segment = source[i:end]
            out.append(_fix_string(segment) if "${" in segment and "\n" in segment else segment)
            i = end
        else:
            out.append(char)
            i += 1
    return "".join(out)


_HEREDOC_START = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\n")


def _heredoc_end(source: str, match: re.Match) -> int:
    closing = re.compile(r"^[ \t]*" + re.escape(match.group(1)) + r"[ \t]*$", re.M)
    found = closing.search(source, match.end())
    return len(source) if found is None else found.end()


def _string_end(source: str, start: int) -> int:
    """Index just past the quoted string starting at `start` (nested interpolations included)."""
    i = start + 1
    n = len(source)
    while i < n:
        char = source[i]
        if char == "\\":
            i += 2
        elif char == '"':
            return i + 1
        elif source.startswith("${", i) or source.startswith("%{", i):
            if i > 0 and source[i - 1] == source[i] and source.startswith("$${", i - 1):
                i += 2
                continue
            close = _matching(source, i + 1, "{", "}")
            if close < 0:
                return n
            i = close + 1
        elif char == "\n" and "${" not in source[start:i]:
            return i  # an unterminated simple string: stop at the end of the line
        else:
            i += 1
    return n


def _fix_string(segment: str) -> str:
    out: list[str] = []
    i = 0
    n = len(segment)
    while i < n:
        if segment.startswith("${", i) and not segment.startswith("$${", i - 1 if i else 0):
            close = _matching(segment, i + 1, "{", "}")
            if close < 0:
                out.append(segment[i:])
                break
            inner = segment[i: close + 1]
            newlines = inner.count("\n")
            out.append(inner.replace("\n", " ") + "\n" * newlines)
            i = close + 1
        else:
            out.append(segment[i])
            i += 1
    return "".join(out)


def _matching(source: str, open_index: int, opener: str, closer: str) -> int:
    """Index of the bracket closing source[open_index], skipping quoted strings; -1 if none."""
    depth = 0
    i = open_index
    n = len(source)
    while i < n:
        char = source[i]
        if char == '"':
            i = _string_end(source, i)
            continue
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


# ------------------------------------------------------------------------------------------ tree -> AST

_PRECEDENCE = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
               "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}
_SKIP = {"NL_OR_COMMENT"}


def _is_token(node: Any) -> bool:
    return not hasattr(node, "data")


def _children(tree: Any) -> list[Any]:
    """Children without new lines and comments."""
    return [child for child in tree.children
            if not (hasattr(child, "data") and child.data == "new_line_or_comment")
            and not (not hasattr(child, "data") and child.type in _SKIP)]


def _subtrees(tree: Any) -> list[Any]:
    return [child for child in _children(tree) if hasattr(child, "data")]


def _first_token(node: Any) -> Any:
    while hasattr(node, "data"):
        node = node.children[0]
    return node


def _last_token(node: Any) -> Any:
    while hasattr(node, "data"):
        node = node.children[-1]
    return node


def _end_line(tree: Any) -> int:
    """The line of a definition's last character that is not a new line or a comment."""
    last = _last_meaningful_token(tree)
    assert last is not None  # a definition has its name at least
    return last.line + str(last).rstrip("\n").count("\n")  # a heredoc token ends with its new line


def _last_meaningful_token(tree: Any) -> Any:
    """The last token that is not a new line or a comment, found from the end (a scan of the whole
    definition, at every level of nesting, made parsing quadratic in the depth)."""
    for child in reversed(tree.children):
        if hasattr(child, "data"):
            found = _last_meaningful_token(child)
            if found is not None:
                return found
        elif child.type not in _SKIP:
            return child
    return None


class _Builder:
    """Turns one Lark tree into AST nodes; `source` is the text the tree was parsed from."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.spans: dict[int, tuple[int, int]] = {}

    # -- bodies

    def body(self, tree: Any) -> Body:
        attributes: list[Attribute] = []
        blocks: list[Block] = []
        previous_end = 0
        for child in _subtrees(tree):
            first = _first_token(child)
            if first.line == previous_end:
                # python-hcl2's grammar accepts `a = 1 b = 2`; Terraform requires a new line after each one
                kind = "an argument" if child.data == "attribute" else "a block"
                raise HclError(f"{kind} must start on a new line: '{first}' follows the previous definition "
                               "on the same line", first.line, first.column)
            previous_end = _end_line(child)
            if child.data == "attribute":
                attributes.append(self.attribute(child))
            elif child.data == "block":
                blocks.append(self.block(child))
        return Body(tuple(attributes), tuple(blocks))

    def attribute(self, tree: Any) -> Attribute:
        parts = _subtrees(tree)
        name_token = _first_token(parts[0])
        return Attribute(str(name_token), self.expr(parts[-1]), name_token.line, name_token.column)

    def block(self, tree: Any) -> Block:
        kids = _children(tree)
        type_token = _first_token(kids[0])
        labels = []
        body = EMPTY_BODY
        for child in kids[1:]:
            if _is_token(child):
                continue
            if child.data == "identifier":
                labels.append(str(_first_token(child)))
            elif child.data == "string":
                labels.append(self.string_literal(child))
            elif child.data == "body":
                body = self.body(child)
        end = _last_token(tree)
        return Block(str(type_token), tuple(labels), body, type_token.line, type_token.column,
                     end.end_line or end.line)

    def string_literal(self, tree: Any) -> str:
        template = self.string(tree)
        return "".join(part for part in template.parts if isinstance(part, str))

    # -- expressions

    def _node(self, cls: type, tree_or_span: Any, *fields: Any) -> Any:
        if isinstance(tree_or_span, tuple):
            start, end, line = tree_or_span
        else:
            first, last = _first_token(tree_or_span), _last_token(tree_or_span)
            start, end, line = first.start_pos, last.end_pos, first.line
        node = cls(*fields, self.source[start:end], line)
        self.spans[id(node)] = (start, end)
        return node

    def _span_of(self, *nodes: Any) -> tuple[int, int, int]:
        start = self.spans[id(nodes[0])][0]
        end = self.spans[id(nodes[-1])][1]
        return start, end, nodes[0].line

    def expr(self, tree: Any) -> Any:
        method = getattr(self, "e_" + tree.data, None)
        if method is None:
            raise HclError(f"unsupported syntax ({tree.data})", _first_token(tree).line,
                           _first_token(tree).column)
        return method(tree)

    def e_expr_term(self, tree: Any) -> Any:
        kids = _children(tree)
        if _is_token(kids[0]) and kids[0].type == "LPAR":
            inner = self.expr(next(k for k in kids[1:] if not _is_token(k)))
            # keep the parentheses in the text; the node is the inner expression
            first, last = _first_token(tree), _last_token(tree)
            self.spans[id(inner)] = (first.start_pos, last.end_pos)
            return inner
        return self.expr(kids[0])

    def e_identifier(self, tree: Any) -> Any:
        name = str(_first_token(tree))
        if name in ("true", "false"):
            return self._node(Literal, tree, name == "true")
        if name == "null":
            return self._node(Literal, tree, None)
        return self._node(Variable, tree, name)

    def e_int_lit(self, tree: Any) -> Any:
        text = "".join(str(token) for token in tree.children)
        limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()  # 0: no limit (Python < 3.10.7)
        if limit and len(text) > limit:
            token = _first_token(tree)
            raise HclError(f"an integer of more than {limit:,} digits (Python's limit)", token.line, token.column)
        return self._node(Literal, tree, int(text))

    def e_float_lit(self, tree: Any) -> Any:
        text = "".join(str(token) for token in tree.children)
        value = float(text)
        return self._node(Literal, tree, int(value) if value.is_integer() and "." not in text and
                          abs(value) < 1e15 else value)

    def e_string(self, tree: Any) -> Any:
        return self.string(tree)

    def string(self, tree: Any) -> Template:
        literals = [str(c.children[0]) for c in _children(tree) if not _is_token(c) and _is_token(c.children[0])]
        if any(_has_directive(text) for text in literals):  # `%{ if }` / `%{ for }`: read from the source
            first, last = _first_token(tree), _last_token(tree)
            raw = self.source[first.start_pos:last.end_pos]
            template = _template_from_text(raw[1:-1].replace("\n", ""), raw, first.line, quoted=True)
            return self._node(Template, tree, template.parts)
        parts: list[Any] = []
        for child in _children(tree):
            if _is_token(child):
                continue  # the quotes
            inner = child.children[0]
            if _is_token(inner):
                if inner.type == "ESCAPED_INTERPOLATION":
                    parts.append(str(inner)[1:])
                else:
                    parts.extend(_literal_parts(str(inner), quoted=True))
            else:
                expression = next(k for k in _children(inner) if not _is_token(k))
                parts.append(self.expr(expression))
        return self._node(Template, tree, _merge_text(parts))

    def e_heredoc_template(self, tree: Any) -> Any:
        return self.heredoc(tree, trim=False)

    def e_heredoc_template_trim(self, tree: Any) -> Any:
        return self.heredoc(tree, trim=True)

    def heredoc(self, tree: Any, trim: bool) -> Any:
        token = _first_token(tree)
        raw = str(token)
        first_newline = raw.find("\n")
        rest = raw[first_newline + 1:].rstrip("\n") if first_newline >= 0 else ""
        body = rest[: rest.rfind("\n") + 1]  # drop the closing marker's line
        if trim:
            body = _dedent(body)
        try:
            template = _template_from_text(body, raw, token.line + 1)
        except HclError as error:
            raise HclError(error.message, token.line + error.line, 1) from None
        node = Template(template.parts, raw.rstrip("\n"), token.line)
        self.spans[id(node)] = (token.start_pos, token.end_pos - 1)
        return node

    def e_tuple(self, tree: Any) -> Any:
        items = tuple(self.expr(child) for child in _subtrees(tree))
        return self._node(TupleExpr, tree, items)

    def e_object(self, tree: Any) -> Any:
        items = []
        for elem in _subtrees(tree):
            key_tree, value_tree = _subtrees(elem)[0], _subtrees(elem)[-1]
            items.append((self.object_key(key_tree), self.expr(value_tree)))
        return self._node(ObjectExpr, tree, tuple(items))

    def object_key(self, tree: Any) -> Any:
        inner = _children(tree)[0]
        if _is_token(inner):
            return self._node(Literal, tree, str(inner))
        if inner.data == "identifier":
            return self._node(Literal, inner, str(_first_token(inner)))
        if inner.data == "object_elem_key_dot_accessor":
            text = "".join(str(token) for token in _tokens(inner))
            return self._node(Literal, inner, text)
        if inner.data == "object_elem_key_expression":
            return self.expr(_subtrees(inner)[0])
        if inner.data in ("int_lit", "float_lit"):
            literal = self.expr(inner)
            return self._node(Literal, inner, _number_text(literal.value))
        return self.expr(inner)

    def e_function_call(self, tree: Any) -> Any:
        kids = _children(tree)
        name = str(_first_token(kids[0]))
        args: tuple[Any, ...] = ()
        expand = False
        for child in kids[1:]:
            if not _is_token(child) and child.data == "arguments":
                args = tuple(self.expr(arg) for arg in _subtrees(child))
                expand = any(_is_token(t) and str(t) == "..." for t in child.children)
        return self._node(Call, tree, name, args, expand)

    def e_provider_function_call(self, tree: Any) -> Any:
        names = [str(_first_token(child)) for child in _subtrees(tree) if child.data == "identifier"]
        args: tuple[Any, ...] = ()
        for child in _subtrees(tree):
            if child.data == "arguments":
                args = tuple(self.expr(arg) for arg in _subtrees(child))
        return self._node(Call, tree, "provider::" + "::".join(names[1:]), args, False)

    def e_get_attr_expr_term(self, tree: Any) -> Any:
        obj_tree, attr_tree = _subtrees(tree)
        name = str(_first_token(_subtrees(attr_tree)[0]))
        return self._node(GetAttr, tree, self.expr(obj_tree), name)

    def e_index_expr_term(self, tree: Any) -> Any:
        obj_tree, index_tree = _subtrees(tree)
        return self._node(Index, tree, self.expr(obj_tree), self.index_key(index_tree))

    def index_key(self, index_tree: Any) -> Any:
        inner = _subtrees(index_tree)
        if inner:
            return self.expr(inner[0])
        digits = "".join(str(t) for t in index_tree.children if _is_token(t) and t.type == "DECIMAL")
        return self._node(Literal, index_tree, int(digits))

    def e_attr_splat_expr_term(self, tree: Any) -> Any:
        return self.splat(tree)

    def e_full_splat_expr_term(self, tree: Any) -> Any:
        return self.splat(tree)

    def splat(self, tree: Any) -> Any:
        obj_tree, splat_tree = _subtrees(tree)
        steps: list[tuple[str, Any]] = []
        for step in _subtrees(splat_tree):
            if step.data == "get_attr":
                steps.append(("attr", str(_first_token(_subtrees(step)[0]))))
            else:
                steps.append(("index", self.index_key(step)))
        return self._node(Splat, tree, self.expr(obj_tree), tuple(steps))

    def e_unary_op(self, tree: Any) -> Any:
        kids = _children(tree)
        return self._node(Unary, tree, str(kids[0]), self.expr(kids[-1]))

    def e_conditional(self, tree: Any) -> Any:
        condition, true, false = (self.expr(child) for child in _subtrees(tree))
        return self._node(Conditional, tree, condition, true, false)

    def e_binary_op(self, tree: Any) -> Any:
        operands: list[Any] = []
        operators: list[str] = []
        self._flatten(tree, operands, operators)
        last = operands[-1]
        if not _is_token(last) and last.data == "conditional":
            # LALR shifted `?` into the last operand: `a == b ? c : d` is `(a == b) ? c : d`
            cond_tree, true_tree, false_tree = _subtrees(last)
            operands[-1] = cond_tree
            chain_operands: list[Any] = []
            chain_operators: list[str] = []
            for index, operand in enumerate(operands):
                if index:
                    chain_operators.append(operators[index - 1])
                self._flatten(operand, chain_operands, chain_operators)
            condition = self._associate([self.expr(o) for o in chain_operands], chain_operators)
            true, false = self.expr(true_tree), self.expr(false_tree)
            return self._node(Conditional, self._span_of(condition, false), condition, true, false)
        return self._associate([self.expr(o) for o in operands], operators)

    def _flatten(self, tree: Any, operands: list[Any], operators: list[str]) -> None:
        if _is_token(tree) or tree.data != "binary_op":
            operands.append(tree)
            return
        subtrees = _subtrees(tree)
        left, term = subtrees[0], subtrees[1]
        self._flatten(left, operands, operators)
        term_parts = _subtrees(term)
        operators.append(str(_first_token(term_parts[0])))
        self._flatten(term_parts[-1], operands, operators)

    def _associate(self, operands: list[Any], operators: list[str]) -> Any:
        """Shunting-yard with Terraform's precedence (all binary operators are left-associative)."""
        values: list[Any] = [operands[0]]
        pending: list[str] = []
        for operator, operand in zip(operators, operands[1:]):
            while pending and _PRECEDENCE[pending[-1]] >= _PRECEDENCE[operator]:
                self._reduce(values, pending)
            pending.append(operator)
            values.append(operand)
        while pending:
            self._reduce(values, pending)
        return values[0]

    def _reduce(self, values: list[Any], pending: list[str]) -> None:
        right = values.pop()
        left = values.pop()
        values.append(self._node(Binary, self._span_of(left, right), pending.pop(), left, right))

    def e_for_tuple_expr(self, tree: Any) -> Any:
        return self.for_expr(tree, is_object=False)

    def e_for_object_expr(self, tree: Any) -> Any:
        return self.for_expr(tree, is_object=True)

    def for_expr(self, tree: Any, is_object: bool) -> Any:
        subtrees = _subtrees(tree)
        intro = subtrees[0]
        names = [str(_first_token(t)) for t in _subtrees(intro) if t.data == "identifier"]
        collection = self.expr(_subtrees(intro)[-1])
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        rest = subtrees[1:]
        condition = None
        if rest and rest[-1].data == "for_cond":
            condition = self.expr(_subtrees(rest[-1])[-1])
            rest = rest[:-1]
        group = any(_is_token(t) and str(t) == "..." for t in tree.children)
        if is_object:
            key, value = self.expr(rest[0]), self.expr(rest[1])
        else:
            key, value = None, self.expr(rest[0])
        return self._node(ForExpr, tree, key_var, value_var, collection, key, value, condition, group)


def _tokens(tree: Any) -> list[Any]:
    found: list[Any] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_token(node):
            found.append(node)
        else:
            stack.extend(reversed(node.children))
    return found


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ------------------------------------------------------------------------------------------ templates

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)


def _literal_parts(raw: str, quoted: bool) -> list[Any]:
    """Literal template text: escapes (quoted strings only) and `%%{` (a string with directives is read
    from its source by `_template_from_text`)."""
    parts: list[Any] = []
    if quoted:
        raw = raw.replace("\n", "")  # raw newlines only come from our own workaround
    for piece in re.split(r"(%%\{)", raw):
        if piece == "%%{":
            parts.append("%{")
        elif piece:
            parts.append(_unescape(piece) if quoted else piece)
    return parts


def _has_directive(raw: str) -> bool:
    return "%{" in raw.replace("%%{", "")


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE.sub(replace, text)


def _merge_text(parts: list[Any]) -> tuple[Any, ...]:
    merged: list[Any] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        elif part != "":
            merged.append(part)
    return tuple(merged)


def _dedent(body: str) -> str:
    """`<<-` heredocs: remove the smallest indentation of the non-blank lines."""
    lines = body.split("\n")
    widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip(" \t")]
    if not widths:
        return body
    cut = min(widths)
    return "\n".join(line[cut:] if line.strip(" \t") else line.lstrip(" \t") for line in lines)


@dataclass(frozen=True, slots=True)
class _DirectiveToken:
    """One `%{ ... }` of a template before nesting: if/else/endif/for/endfor."""

    kind: str
    text: str
    line: int
    condition: Any = None  # if: the condition; for: the collection
    names: tuple[str, ...] = ()  # for: (value,) or (key, value)


_FOR = re.compile(r"for\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)", re.S)


def _directive(inner: str, text: str, line: int) -> _DirectiveToken:
    words = inner.strip()
    keyword = words.split(None, 1)[0] if words else ""
    if keyword in ("else", "endif", "endfor") and words == keyword:
        return _DirectiveToken(keyword, text, line)
    try:
        if keyword == "if":
            return _DirectiveToken("if", text, line, parse_expression(words[2:]))
        match = _FOR.fullmatch(words)
        if match is not None:
            names = (match.group(1), match.group(2)) if match.group(2) else (match.group(1),)
            return _DirectiveToken("for", text, line, parse_expression(match.group(3)), names)
    except HclError as error:
        raise HclError("in template directive: " + error.message, line, 1) from None
    raise HclError(f"unknown template directive {text!r}", line, 1)


def _nest(parts: list[Any]) -> tuple[Any, ...]:
    """Directive tokens -> TemplateIf / TemplateFor holding their parts; unbalanced ones are an error."""
    stack: list[tuple[_DirectiveToken | None, list[Any], list[Any] | None]] = [(None, [], None)]
    for part in parts:
        if not isinstance(part, _DirectiveToken):
            (stack[-1][2] if stack[-1][2] is not None else stack[-1][1]).append(part)
            continue
        opener = stack[-1][0]
        if part.kind in ("if", "for"):
            stack.append((part, [], None))
        elif part.kind == "else" and opener is not None and opener.kind == "if" and stack[-1][2] is None:
            stack[-1] = (opener, stack[-1][1], [])
        elif part.kind == "endif" and opener is not None and opener.kind == "if":
            _, then, otherwise = stack.pop()
            branch = TemplateIf(opener.condition, _merge_text(then), _merge_text(otherwise or []), opener.text)
            (stack[-1][2] if stack[-1][2] is not None else stack[-1][1]).append(branch)
        elif part.kind == "endfor" and opener is not None and opener.kind == "for":
            _, body, _ = stack.pop()
            key, value = (None, opener.names[0]) if len(opener.names) == 1 else opener.names
            loop = TemplateFor(key, value, opener.condition, _merge_text(body), opener.text)
            (stack[-1][2] if stack[-1][2] is not None else stack[-1][1]).append(loop)
        else:
            raise HclError(f"template directive {part.text!r} has no matching opening", part.line, 1)
    if len(stack) > 1:
        unclosed = stack[-1][0]
        assert unclosed is not None
        raise HclError(f"template directive {unclosed.text!r} is never closed", unclosed.line, 1)
    return _merge_text(stack[0][1])


def _template_from_text(body: str, whole: str, line: int, quoted: bool = False) -> Template:
    """Parse `${...}` / `%{...}` in template text (heredocs, template files; quoted strings that hold
    directives, whose literal text is unescaped)."""
    parts: list[Any] = []
    i = 0
    n = len(body)
    literal_start = 0

    def literal(text: str) -> str:
        return _unescape(text) if quoted else text

    while i < n:
        if body.startswith("$${", i) or body.startswith("%%{", i):
            parts.append(literal(body[literal_start:i]) + body[i + 1: i + 3])
            i += 3
            literal_start = i
            continue
        if quoted and body[i] == "\\":
            i += 2  # an escape: `\"` does not end anything
            continue
        if body.startswith("${", i) or body.startswith("%{", i):
            close = _matching(body, i + 1, "{", "}")
            if close < 0:
                raise HclError("unclosed template interpolation '" + body[i:i + 2] + "'",
                               body.count("\n", 0, i) + 1, 1)
            text = literal(body[literal_start:i])
            inner = body[i + 2: close]
            strip_after = inner.endswith("~")
            if inner.startswith("~"):
                text = text.rstrip(" \t\n")
                inner = inner[1:]
            if strip_after:
                inner = inner[:-1]
            parts.append(text)
            if body[i] == "%":
                parts.append(_directive(inner, body[i: close + 1], line + body.count("\n", 0, i)))
            else:
                try:
                    parts.append(parse_expression(inner))
                except HclError as error:
                    raise HclError("in template interpolation: " + error.message,
                                   body.count("\n", 0, i) + 1, 1) from None
            i = close + 1
            if strip_after:
                while i < n and body[i] in " \t\n":
                    i += 1
            literal_start = i
            continue
        i += 1
    parts.append(literal(body[literal_start:]))
    return Template(_nest(parts), whole, line)


# ------------------------------------------------------------------------------------------ checks


def _duplicate_attributes(body: Body, file: str) -> tuple[ParseProblem, ...]:
    problems: list[ParseProblem] = []
    stack = [body]
    while stack:
        current = stack.pop()
        seen: dict[str, Attribute] = {}
        for attribute in current.attributes:
            first = seen.get(attribute.name)
            if first is not None:
                problems.append(ParseProblem(
                    Where(file, attribute.line, attribute.column, ""),
                    f"attribute '{attribute.name}' is defined twice in the same block "
                    f"(first at line {first.line}): Terraform rejects this"))
            else:
                seen[attribute.name] = attribute
        for block in current.blocks:
            clash = seen.get(block.type)
            if clash is not None:
                problems.append(ParseProblem(
                    Where(file, block.line, block.column, ""),
                    f"'{block.type}' is both an attribute (line {attribute.line}) and a block in the same block: "
                    "Terraform rejects this"))
        stack.extend(block.body for block in current.blocks)
    return tuple(sorted(problems, key=lambda p: (p.where.line, p.where.column)))

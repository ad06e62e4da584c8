"""Terraform HCL source (`.tf`, and `.tf.json` through `tfjson`) -> evaluated resources (`TfResource`).

Each root module directory is evaluated with its variables (defaults, `terraform.tfvars`,
`*.auto.tfvars`, `--var-file`, `--var`), locals, `count`/`for_each` and local modules. Whatever
cannot be known statically is `Unknown("the expression")`; a reference to a computed attribute of
a managed resource is a `Ref`. `linter.terraform.to_model` maps the result to the model.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from linter.cache import ContentCache
from linter.confine import OUTSIDE, Confinement, Refused
from linter.model import ParseProblem, Unknown, Where
from linter.terraform import hcl
from linter.limits import MAX_INSTANCES, MAX_TOTAL_INSTANCES, over
from linter.terraform.evaluate import (STEPS_SPENT, TOO_BIG, Budget, EvalError, Lazy, Scope, evaluate, finalize, has_unknown,
                                       to_bool, to_number, to_string, value_size)
from linter.terraform.parsing import FileParser
from linter.terraform.values import (ATTR_LINES, COLUMN, DYNAMIC_UNKNOWN, LINE, META_KEYS, OVERRIDDEN, Ref, TfInstance, TfResource,
                                     UnknownAttribute)


@dataclass(frozen=True, slots=True)
class TfOptions:
    var_files: tuple[str, ...] = ()  # --var-file (absolute paths), applied to every root
    variables: tuple[tuple[str, str], ...] = ()  # --var NAME=VALUE
    # what may be read; None: the module directories given (and their repository root)
    confinement: Confinement | None = None
    cache: ContentCache | None = None  # where the files' syntax is kept between runs (None: nowhere)
    workers: int = 1  # processes that may parse the module directories' files (1: this one)


@dataclass(frozen=True, slots=True)
class TfLoad:
    resources: tuple[TfResource, ...]
    problems: tuple[ParseProblem, ...]  # CAL000: syntax errors at their line/column
    sources: tuple[tuple[str, str], ...]  # (absolute file path, text) of every .tf/.tfvars read
    notes: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()  # the root module directories: one deployment each
    files_read: tuple[tuple[str, str], ...] = ()  # (path, text) of what file() / templatefile() gave


def load_terraform(module_dirs: Sequence[str], options: TfOptions = TfOptions()) -> TfLoad:
    """Evaluate every root module among `module_dirs` (directories called as local modules by
    another directory of the set are evaluated inside their caller)."""
    dirs = list(dict.fromkeys(_norm(d) for d in module_dirs))
    loader = _Loader(options.confinement or Confinement.around([*dirs, *options.var_files]),
                     FileParser(options.cache, options.workers))
    loader.read_ahead(dirs)
    overrides = loader.option_values(options)
    resources: list[TfResource] = []
    roots = _roots(loader, dirs)
    for root in roots:
        loader.budget, loader.instances_left = Budget(), MAX_TOTAL_INSTANCES  # the limits hold per root module
        values = {**loader.auto_tfvars(root), **overrides}
        module = _Module(loader, loader.config(root), "", root, values, None, (root,))
        resources.extend(_collect(module))
        if loader.budget.spent:
            loader.notes.append(f"{root}: evaluation stopped, {STEPS_SPENT}: the values left are UNKNOWN")
    return TfLoad(tuple(resources), tuple(loader.problems), tuple(loader.sources.items()),
                  tuple(dict.fromkeys(loader.notes)), tuple(roots), tuple(loader.files_read.items()))


@dataclass(frozen=True, slots=True)
class TfDeclarations:
    """Where a module's resources are declared, without evaluating anything (for the plan reader)."""

    blocks: dict[str, tuple[Where, hcl.Block]]  # address (module path, no instance key) -> its block
    sources: tuple[tuple[str, str], ...]  # (file, text) of every file read


def declarations(module_dir: str, confinement: Confinement | None = None) -> TfDeclarations:
    """The resource blocks of a module and of the local modules it calls (and those that
    `.terraform/modules/modules.json` maps to a directory); each file is parsed once."""
    root = _norm(module_dir)
    loader = _Loader(confinement or Confinement.around([root]))
    found: dict[str, tuple[Where, hcl.Block]] = {}
    stack: list[tuple[str, str, tuple[str, ...]]] = [(root, "", (root,))]
    while stack:
        directory, prefix, chain = stack.pop()
        config = loader.config(directory)
        for decl in config.resources.values():
            address = prefix + decl.address
            where = Where(decl.file, decl.block.line, decl.block.column, address)
            found.setdefault(address, (where, decl.block))
        for name, (block, _file) in config.modules.items():
            target = loader.module_dir(config, block, root, prefix + "module." + name)
            if target is not None and target not in chain:
                stack.append((target, f"{prefix}module.{name}.", chain + (target,)))
    return TfDeclarations(found, tuple(loader.sources.items()))


def resource_lines(module_dir: str) -> dict[str, Where]:
    """Resource address (module path, no instance key) -> where its block is."""
    return {address: where for address, (where, _block) in declarations(module_dir).blocks.items()}


# ------------------------------------------------------------------------------------------ configs

_RESOURCE_META = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner",
                  "connection"}
_MODULE_META = {"source", "version", "count", "for_each", "providers", "depends_on"}
_MAX_INSTANCES = MAX_INSTANCES  # a larger count is treated as unknown rather than expanded
TOO_MANY_INSTANCES = over("resource and module instances per root module", MAX_TOTAL_INSTANCES)


def _norm(path: str) -> str:
    return os.path.normpath(os.path.abspath(path)).replace(os.sep, "/")


@dataclass(frozen=True, slots=True)
class _ResourceDecl:
    mode: str  # "managed" | "data"
    type: str
    name: str
    block: hcl.Block
    file: str
    overridden: bool = False  # an override file merged into the block

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}" if self.mode == "managed" else f"data.{self.type}.{self.name}"


@dataclass(frozen=True, slots=True)
class _Config:
    """One module directory, parsed once."""

    dir: str
    variables: dict[str, hcl.Block]
    locals: dict[str, hcl.Attribute]
    outputs: dict[str, hcl.Block]
    resources: dict[str, _ResourceDecl]  # keyed by address within the module (data.* for data)
    modules: dict[str, tuple[hcl.Block, str]]


class _Loader:
    """Parses each file once and collects sources, problems and notes for one load."""

    def __init__(self, confinement: Confinement, parser: FileParser | None = None) -> None:
        self.confinement = confinement
        self.parser = parser or FileParser(workers=1)
        self._read_ahead: dict[str, str] = {}  # texts read by `read_ahead`, not yet taken by `read_text`
        self.budget = Budget()
        self.instances_left = MAX_TOTAL_INSTANCES
        self.files_read: dict[str, str] = {}  # what file() and templatefile() gave, by path
        self.sources: dict[str, str] = {}
        self.problems: list[ParseProblem] = []
        self.notes: list[str] = []
        self._configs: dict[str, _Config] = {}
        self._module_maps: dict[str, dict[str, str]] = {}

    def read_text(self, path: str) -> str | None:
        ahead = self._read_ahead.pop(path, None)
        if ahead is not None:
            return ahead
        text = self.confinement.read_text(path)
        if isinstance(text, Refused):
            self.problems.append(ParseProblem(Where(path, text.line, 1, ""), f"cannot read file: {text.reason}"))
            return None
        return text

    def read(self, path: str) -> hcl.Body | None:
        text = self.read_text(path)
        if text is None:
            return None
        self.sources[path] = text
        syntax = self.parser.parse(path, text)
        self.problems.extend(syntax.problems)
        return syntax.body

    def read_ahead(self, directories: Sequence[str]) -> None:
        """Read and parse the configuration files of `directories` now, all at once (on every core when
        there are many); `config` then finds them parsed. A file that cannot be read is left to `config`."""
        files: list[tuple[str, str]] = []
        for directory in directories:
            for path in self._config_files(directory):
                text = self.confinement.read_text(path)
                if isinstance(text, str):
                    self._read_ahead[path] = text
                    files.append((path, text))
        self.parser.parse_all(files)

    def _config_files(self, directory: str) -> list[str]:
        return [f"{directory}/{name}" for name, kind in self.confinement.listing(directory) or ()
                if name.endswith((".tf", ".tf.json")) and kind != "directory"]

    def config(self, directory: str) -> _Config:
        cached = self._configs.get(directory)
        if cached is not None:
            return cached
        config = _Config(directory, {}, {}, {}, {}, {})
        paths = self._config_files(directory)
        # override files are read after all the others, in lexical order, and merged into what they name
        for path in [p for p in paths if not _is_override(p)] + [p for p in paths if _is_override(p)]:
            body = self.read(path)
            if body is None:
                continue
            if _is_override(path):
                self.problems.extend(_apply_override(config, body, path))
            else:
                _add_file(config, body, path)
        self._configs[directory] = config
        return config

    def tfvars(self, path: str) -> dict[str, Any]:
        if path.endswith(".json"):
            text = self.read_text(path)
            if text is None:
                return {}
            try:
                data = json.loads(text)
            except (ValueError, RecursionError) as error:
                message = f"cannot read variables file: {error}"
                self.problems.append(ParseProblem(Where(path, 1, 1, ""), message))
                return {}
            self.sources[path] = text
            return dict(data) if isinstance(data, dict) else {}
        body = self.read(path)
        if body is None:
            return {}
        empty = Scope()
        return {attribute.name: finalize(evaluate(attribute.expr, empty)) for attribute in body.attributes}

    def auto_tfvars(self, root: str) -> dict[str, Any]:
        """terraform.tfvars, terraform.tfvars.json, then *.auto.tfvars(.json) in lexical order."""
        values: dict[str, Any] = {}
        listing = self.confinement.listing(root)
        if listing is None:
            return values
        kinds = dict(listing)
        ordered: list[str] = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in kinds]
        ordered += [n for n in kinds if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
        for name in ordered:
            if kinds[name] != "directory":
                values.update(self.tfvars(f"{root}/{name}"))
        return values

    def admit(self, block: hcl.Block, scope: Scope) -> tuple[list[tuple[Any, dict[str, Any]]], Unknown | None]:
        """The instances of a count/for_each, while the root's total stays within MAX_TOTAL_INSTANCES;
        past it, one instance of unknown count (nested module count x resource count cannot multiply)."""
        try:
            keys, unknown = _expand(block, scope, self.instances_left)
        except _TooMany:
            self.instances_left = 0
            text = block.body.attribute("count") or block.body.attribute("for_each")
            reason = Unknown(f"{text.expr.text if text is not None else block.type} ({TOO_MANY_INSTANCES})")
            self.notes.append(f"{scope.base_dir}: instances not expanded, {TOO_MANY_INSTANCES}: their count is UNKNOWN")
        else:
            self.instances_left = max(self.instances_left - len(keys), 0)
            return keys, unknown
        bindings = {"count": {"index": Unknown("count.index")},
                    "each": {"key": Unknown("each.key"), "value": Unknown("each.value")}}
        return [(None, bindings)], reason

    def option_values(self, options: TfOptions) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for path in options.var_files:
            values.update(self.tfvars(_norm(path)))
        for name, raw in options.variables:
            values[name] = _CliValue(raw, _parse_cli_value(raw))
        return values

    def module_dir(self, config: _Config, block: hcl.Block, root: str, key_path: str) -> str | None:
        """The directory a module call loads, or None (remote, missing): a note says so."""
        source_attr = block.body.attribute("source")
        source = evaluate(source_attr.expr, Scope()) if source_attr is not None else None
        if not isinstance(source, str):
            self.notes.append(f"{key_path}: its source is not a plain string: its resources are UNKNOWN")
            return None
        if source.startswith(("./", "../")) or source in (".", ".."):
            target = _norm(os.path.join(config.dir, source))
        else:
            key = ".".join(part for part in key_path.split(".")[1::2])
            mapped = self._module_map(root).get(key)
            if mapped is None:
                self.notes.append(f"{key_path}: source '{source}' is not local: its resources are UNKNOWN")
                return None
            target = _norm(os.path.join(root, mapped))
        if not self.confinement.holds(target):
            self.notes.append(f"{key_path}: module directory '{source}' is {OUTSIDE}: its resources are UNKNOWN")
            return None
        if self.confinement.kind(target) != "directory":
            self.notes.append(f"{key_path}: module directory '{source}' not found: its resources are UNKNOWN")
            return None
        return target

    def _module_map(self, root: str) -> dict[str, str]:
        cached = self._module_maps.get(root)
        if cached is not None:
            return cached
        mapping: dict[str, str] = {}
        text = self.confinement.read_text(f"{root}/.terraform/modules/modules.json")
        try:
            data = json.loads(text) if isinstance(text, str) else {}
            for entry in data.get("Modules", []) if isinstance(data, dict) else []:
                if isinstance(entry, dict) and entry.get("Key") and isinstance(entry.get("Dir"), str):
                    mapping[str(entry["Key"])] = entry["Dir"]
        except (ValueError, RecursionError, AttributeError):
            pass
        self._module_maps[root] = mapping
        return mapping


def _add_file(config: _Config, body: hcl.Body, path: str) -> None:
    for block in body.blocks:
        labels = block.labels
        if block.type == "variable" and len(labels) == 1:
            config.variables.setdefault(labels[0], block)
        elif block.type == "locals":
            for attribute in block.body.attributes:
                config.locals.setdefault(attribute.name, attribute)
        elif block.type == "output" and len(labels) == 1:
            config.outputs.setdefault(labels[0], block)
        elif block.type in ("resource", "data") and len(labels) == 2:
            decl = _ResourceDecl("managed" if block.type == "resource" else "data", labels[0], labels[1],
                                 block, path)
            config.resources.setdefault(decl.address, decl)
        elif block.type == "module" and len(labels) == 1:
            config.modules.setdefault(labels[0], (block, path))


def _is_override(path: str) -> bool:
    """`override.tf`, `*_override.tf` (and their `.tf.json` forms), as Terraform names override files."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".json").removesuffix(".tf")
    return stem == "override" or stem.endswith("_override")


def _apply_override(config: _Config, body: hcl.Body, path: str) -> list[ParseProblem]:
    """Merge an override file into the module as Terraform does; a block that overrides nothing is an error."""
    problems: list[ParseProblem] = []
    for block in body.blocks:
        labels = block.labels
        if block.type == "locals":
            for attribute in block.body.attributes:
                config.locals[attribute.name] = attribute
            continue
        table: dict[Any, Any] | None = None
        key: Any = None
        if block.type in ("variable", "output", "module") and len(labels) == 1:
            tables: dict[str, dict[Any, Any]] = {"variable": config.variables, "output": config.outputs,
                                                  "module": config.modules}
            table = tables[block.type]
            key = labels[0]
        elif block.type in ("resource", "data") and len(labels) == 2:
            table, key = config.resources, (labels[0] + "." + labels[1] if block.type == "resource"
                                            else f"data.{labels[0]}.{labels[1]}")
        if table is None:
            continue  # terraform, provider, moved, ...: nothing of ours to merge
        original = table.get(key)
        if original is None:
            problems.append(ParseProblem(Where(path, block.line, block.column, ""),
                                         f"{block.type} {' '.join(labels)} overrides nothing: Terraform rejects this"))
        elif isinstance(original, _ResourceDecl):
            table[key] = _ResourceDecl(original.mode, original.type, original.name,
                                       _overridden(original.block, block, True), original.file, True)
        elif isinstance(original, tuple):  # a module call: (block, file)
            table[key] = (_overridden(original[0], block, False), original[1])
        else:
            table[key] = _overridden(original, block, False)
    return problems


def _overridden(original: hcl.Block, override: hcl.Block, resource: bool) -> hcl.Block:
    """Each argument of the override replaces the original's; each nested block type it holds replaces every
    original block of that type (`dynamic "x"` is of type x); a resource's lifecycle merges by argument."""
    def kind(block: hcl.Block) -> str:
        return block.labels[0] if block.type == "dynamic" and block.labels else block.type

    attributes = {a.name: a for a in original.body.attributes}
    attributes.update((a.name, a) for a in override.body.attributes)
    lifecycle = [b for b in override.body.blocks if b.type == "lifecycle"] if resource else []
    replaced = {kind(b) for b in override.body.blocks} - ({"lifecycle"} if lifecycle else set())
    blocks = [b for b in original.body.blocks if kind(b) not in replaced]
    if lifecycle:
        base = next((b for b in blocks if b.type == "lifecycle"), None)
        merged = lifecycle[-1] if base is None else _overridden(base, lifecycle[-1], False)
        blocks = [merged if b is base else b for b in blocks] + ([merged] if base is None else [])
    blocks += [b for b in override.body.blocks if kind(b) in replaced]
    return hcl.Block(original.type, original.labels, hcl.Body(tuple(attributes.values()), tuple(blocks)),
                     original.line, original.column, original.end_line)


def _roots(loader: _Loader, dirs: list[str]) -> list[str]:
    """Dirs not called as local modules by another dir of the set (plus any left unreached)."""
    wanted = set(dirs)
    calls: dict[str, list[str]] = {}
    called: set[str] = set()
    for directory in dirs:
        config = loader.config(directory)
        targets = []
        for block, _file in config.modules.values():
            source_attr = block.body.attribute("source")
            source = evaluate(source_attr.expr, Scope()) if source_attr is not None else None
            if isinstance(source, str) and source.startswith(("./", "../")):
                target = _norm(os.path.join(directory, source))
                if target in wanted and target != directory:
                    targets.append(target)
                    called.add(target)
        calls[directory] = targets
    roots = [d for d in dirs if d not in called]
    reached = set(roots)
    stack = list(roots)
    while stack:
        for target in calls.get(stack.pop(), []):
            if target not in reached:
                reached.add(target)
                stack.append(target)
    return roots + [d for d in dirs if d not in reached]  # caller cycles: evaluate as roots


@dataclass(frozen=True, slots=True)
class _CliValue:
    raw: str
    parsed: Any


def _parse_cli_value(raw: str) -> Any:
    try:
        value = finalize(evaluate(hcl.parse_expression(raw), Scope()))
    except (hcl.HclError, RecursionError):
        return raw
    return raw if has_unknown(value) else value


# ------------------------------------------------------------------------------------------ modules


class _Module:
    """One module instance: its config, its inputs, and memoised values."""

    def __init__(self, loader: _Loader, config: _Config, path: str, root: str,
                 inputs: dict[str, Any], count_unknown: Unknown | None, chain: tuple[str, ...],
                 instance_keys: tuple[Any, ...] = ()) -> None:
        self.loader = loader
        # keys of the counted/for_each module calls above (addresses carry none): they keep the
        # instances of one resource in different module instances apart
        self.instance_keys = instance_keys
        self.config = config
        self.path = path  # "" or "module.a.module.b."
        self.root = root
        self.inputs = inputs  # root: values; child: name -> (expr, caller scope)
        self.is_root = path == ""
        self.count_unknown = count_unknown
        self.chain = chain
        self.memo: dict[Any, Any] = {}
        self.busy: set[Any] = set()
        self.scope = _ModuleScope(self, {})

    def memoised(self, key: Any, compute: Callable[[], Any], text: str) -> Any:
        if key in self.memo:
            return self.memo[key]
        if key in self.busy:
            return Unknown(text)  # a cycle
        self.busy.add(key)
        try:
            value = compute()
        finally:
            self.busy.discard(key)
        self.memo[key] = value
        return value

    # -- variables, locals, outputs

    def variable(self, name: str, text: str) -> Any:
        return self.memoised(("var", name), lambda: self._variable(name, text), text)

    def _variable(self, name: str, text: str) -> Any:
        block = self.config.variables.get(name)
        type_text = _type_text(block)
        kind = _type_of(block)
        if name in self.inputs:
            given = self.inputs[name]
            if isinstance(given, _CliValue):
                value = given.raw if type_text == "string" else given.parsed
            elif self.is_root:
                value = given
            else:
                expr, scope = given
                value = evaluate(expr, scope)
            return _convert(value, kind)
        if block is None:
            return EvalError(text)
        default = block.body.attribute("default")
        if default is None:
            return Unknown(f"var.{name}")
        return _convert(evaluate(default.expr, Scope()), kind)

    def local(self, name: str, text: str) -> Any:
        attribute = self.config.locals.get(name)
        if attribute is None:
            return EvalError(text)
        return self.memoised(("local", name), lambda: evaluate(attribute.expr, self.scope), text)

    def output(self, name: str, text: str) -> Any:
        block = self.config.outputs.get(name)
        value = block.body.attribute("value") if block is not None else None
        if value is None:
            return EvalError(text)
        return self.memoised(("output", name), lambda: evaluate(value.expr, self.scope), text)

    # -- resources

    def instances(self, decl: _ResourceDecl) -> tuple[list[tuple[Any, dict[str, Any]]], Unknown | None]:
        """[(instance key, bindings)] and the count/for_each that could not be evaluated."""
        found = self.memoised(("instances", decl.address),
                              lambda: self.loader.admit(decl.block, self.scope), decl.address)
        return ([], found) if isinstance(found, Unknown) else found  # Unknown: its count/for_each refers to itself

    def instance_key(self, key: Any) -> Any:
        """The resource instance's key, prefixed with the module instance keys (`"workers/0"`)."""
        if not self.instance_keys:
            return key
        return "/".join(str(k) for k in (*self.instance_keys, *(() if key is None else (key,))))

    def instance_address(self, decl: _ResourceDecl, key: Any) -> str:
        base = self.path + decl.address
        key = self.instance_key(key)
        if key is None:
            return base
        if isinstance(key, int) and not isinstance(key, bool):
            return f"{base}[{key}]"
        return f'{base}["{key}"]'

    def resource_value(self, decl: _ResourceDecl, text: str) -> Any:
        """`aws_subnet.public` as an expression: one object, a list (count) or a map (for_each)."""
        keys, unknown = self.instances(decl)
        if unknown is not None:
            return _UnknownCountResource(self, decl, text)
        if decl.block.body.attribute("count") is not None:
            return [_ResourceObject(self, decl, key, bindings) for key, bindings in keys]
        if decl.block.body.attribute("for_each") is not None:
            return {key: _ResourceObject(self, decl, key, bindings) for key, bindings in keys}
        if not keys:
            return EvalError(text)
        return _ResourceObject(self, decl, None, keys[0][1])

    def attribute_value(self, decl: _ResourceDecl, key: Any, bindings: dict[str, Any], name: str,
                        text: str) -> Any:
        body = decl.block.body
        if name not in _RESOURCE_META:
            attribute = body.attribute(name)
            if attribute is not None:
                scope = self.scope.with_bindings(bindings)
                return self.memoised(("attr", decl.address, key, name),
                                     lambda: evaluate(attribute.expr, scope), text)
            if body.blocks_of(name):
                scope = self.scope.with_bindings(bindings)
                return self.memoised(("blocks", decl.address, key, name),
                                     lambda: [_body_values(b.body, scope, b.line, ())
                                              for b in body.blocks_of(name)], text)
        return Ref(self.instance_address(decl, key), name)

    # -- module calls

    def children(self, name: str) -> "_Children":
        return self.memoised(("module", name), lambda: self._children(name), f"module.{name}")

    def _children(self, name: str) -> "_Children":
        block, _file = self.config.modules[name]
        key_path = f"{self.path}module.{name}"
        target = self.loader.module_dir(self.config, block, self.root, key_path)
        if target is not None and target in self.chain:
            self.loader.notes.append(f"{key_path}: module calls itself: its resources are UNKNOWN")
            target = None
        if target is None:
            return _Children(None, [], None, block)
        config = self.loader.config(target)
        keys, unknown = self.loader.admit(block, self.scope)
        inherited = unknown if unknown is not None else self.count_unknown
        instances = []
        for key, bindings in keys:
            caller = self.scope.with_bindings(bindings)
            inputs = {a.name: (a.expr, caller) for a in block.body.attributes if a.name not in _MODULE_META}
            child_keys = self.instance_keys if key is None else (*self.instance_keys, key)
            child = _Module(self.loader, config, key_path + ".", self.root, inputs, inherited,
                            self.chain + (target,), child_keys)
            instances.append((key, child))
        return _Children(config, instances, unknown, block)


def _attribute_of(value: Any, ref: Ref) -> Any:
    """An unknown attribute value remembers whose attribute it is (a VPC's CIDR stays that VPC's)."""
    if type(value) is Unknown:  # not an EvalError (try/can tell those apart) nor a partial template
        return UnknownAttribute(value.expr, ref)
    return value


@dataclass(frozen=True, slots=True)
class _Children:
    config: _Config | None  # None: not evaluated (remote source, missing directory, ...)
    instances: list[tuple[Any, _Module]]
    count_unknown: Unknown | None
    block: hcl.Block


def _type_text(block: hcl.Block | None) -> str:
    if block is None:
        return ""
    attribute = block.body.attribute("type")
    if attribute is None:
        return ""
    text = attribute.expr.text.strip().strip('"')  # old syntax: type = "string"
    return text.replace(" ", "")


@dataclass(frozen=True, slots=True)
class _Type:
    """A variable's type constraint: `kind` is a primitive (string, number, bool), a collection
    (list, set, map: `element`), tuple (`elements`), object (`attributes`), or "any"."""

    kind: str
    element: "_Type | None" = None
    elements: tuple["_Type", ...] = ()
    # object attributes: (name, type, optional, default expression or None)
    attributes: tuple[tuple[str, "_Type", bool, Any], ...] = ()


_ANY = _Type("any")
_PRIMITIVES = ("string", "number", "bool")


def _type_of(block: hcl.Block | None) -> _Type:
    attribute = block.body.attribute("type") if block is not None else None
    return _ANY if attribute is None else _parse_type(attribute.expr)


def _parse_type(expr: Any) -> _Type:
    """An HCL type expression -> _Type; anything not understood is `any` (no conversion)."""
    if isinstance(expr, hcl.Literal) and isinstance(expr.value, str):  # old syntax: type = "string"
        name = expr.value.strip()
        return _Type(name) if name in _PRIMITIVES else _ANY
    if isinstance(expr, hcl.Template) and len(expr.parts) == 1 and isinstance(expr.parts[0], str):
        return _parse_type(hcl.Literal(expr.parts[0], expr.text, expr.line))
    if isinstance(expr, hcl.Variable):
        return _Type(expr.name) if expr.name in _PRIMITIVES else _ANY
    if not isinstance(expr, hcl.Call) or not expr.args:
        return _ANY
    argument = expr.args[0]
    if expr.name in ("list", "set", "map") and len(expr.args) == 1:
        return _Type(expr.name, element=_parse_type(argument))
    if expr.name == "tuple" and isinstance(argument, hcl.TupleExpr):
        return _Type("tuple", elements=tuple(_parse_type(item) for item in argument.items))
    if expr.name == "object" and isinstance(argument, hcl.ObjectExpr):
        attributes = []
        for key, value in argument.items:
            field = key.name if isinstance(key, hcl.Variable) else getattr(key, "value", None)
            if not isinstance(field, str):
                return _ANY
            if isinstance(value, hcl.Call) and value.name == "optional" and value.args:
                default = value.args[1] if len(value.args) > 1 else None
                attributes.append((field, _parse_type(value.args[0]), True, default))
            else:
                attributes.append((field, _parse_type(value), False, None))
        return _Type("object", attributes=tuple(attributes))
    return _ANY


def _convert(value: Any, kind: _Type) -> Any:
    """Terraform's conversion of a variable value to its type constraint: primitives converted,
    collections element by element, object attributes that are `optional(type, default)` and
    absent filled with their default (or null). What cannot be converted is left as it is."""
    if value is None or isinstance(value, (Unknown, Ref, Lazy)) or kind.kind == "any":
        return value
    if kind.kind in _PRIMITIVES:
        if has_unknown(value):
            return value
        convert = {"string": to_string, "number": to_number, "bool": to_bool}[kind.kind]
        converted = convert(value)
        return converted if converted is not None else value
    if kind.kind in ("list", "set") and isinstance(value, list) and kind.element is not None:
        items = [_convert(item, kind.element) for item in value]
        if kind.kind == "set" and not has_unknown(items):
            unique: dict[str, Any] = {}
            for item in items:
                unique.setdefault(json.dumps(item, sort_keys=True, default=str), item)
            items = list(unique.values())
            if all(isinstance(i, str) for i in items) or all(
                    isinstance(i, (int, float)) and not isinstance(i, bool) for i in items):
                items = sorted(items)
        return items
    if kind.kind == "tuple" and isinstance(value, list) and len(value) == len(kind.elements):
        return [_convert(item, element) for item, element in zip(value, kind.elements)]
    if kind.kind == "map" and isinstance(value, dict) and kind.element is not None:
        return {key: (item if key in META_KEYS else _convert(item, kind.element))
                for key, item in value.items()}
    if kind.kind == "object" and isinstance(value, dict):
        converted_object = dict(value)
        for name, attribute_type, optional, default in kind.attributes:
            if name in value and value[name] is not None:
                converted_object[name] = _convert(value[name], attribute_type)
            elif optional:
                fill = evaluate(default, Scope()) if default is not None else None
                converted_object[name] = _convert(fill, attribute_type)
        return converted_object
    return value


class _TooMany(Exception):
    """More instances than the root module has room for (MAX_TOTAL_INSTANCES): found before building them."""


def _expand(block: hcl.Block, scope: Scope,
            room: int = MAX_TOTAL_INSTANCES) -> tuple[list[tuple[Any, dict[str, Any]]], Unknown | None]:
    """Instances of a resource or module call from its count / for_each (raises _TooMany past `room`)."""
    body = block.body
    count_attr = body.attribute("count")
    if count_attr is not None:
        value = evaluate(count_attr.expr, scope)
        number = None if has_unknown(value) else to_number(value)
        if (number is None or number < 0 or number > _MAX_INSTANCES
                or (isinstance(number, float) and not number.is_integer())):
            return [(None, {"count": {"index": Unknown("count.index")}})], Unknown(count_attr.expr.text)
        if number > room:
            raise _TooMany
        return [(index, {"count": {"index": index}}) for index in range(int(number))], None
    each_attr = body.attribute("for_each")
    if each_attr is not None:
        value = evaluate(each_attr.expr, scope)
        pairs = _for_each_pairs(value)
        if pairs is None:
            unknown_each = {"each": {"key": Unknown("each.key"), "value": Unknown("each.value")}}
            return [(None, unknown_each)], Unknown(each_attr.expr.text)
        if len(pairs) > room:
            raise _TooMany
        return [(key, {"each": {"key": key, "value": item}}) for key, item in pairs], None
    return [(None, {})], None


def _for_each_pairs(value: Any) -> list[tuple[str, Any]] | None:
    if isinstance(value, Lazy):
        value = value.as_value("")
    if isinstance(value, dict):
        keys = sorted(k for k in value if k not in META_KEYS)
        return [(key, value[key]) for key in keys]
    if isinstance(value, list):
        keys = []
        for item in value:
            text = to_string(item) if not has_unknown(item) else None
            if text is None:
                return None
            keys.append(text)
        return [(key, key) for key in sorted(set(keys))]
    return None


# ------------------------------------------------------------------------------------------ scope


class _ModuleScope(Scope):
    def __init__(self, module: _Module, bindings: dict[str, Any]) -> None:
        super().__init__(bindings, module.root, module.loader.confinement, module.loader.budget,
                         module.loader.files_read)
        self.module = module

    def with_bindings(self, bindings: dict[str, Any]) -> Scope:
        if not bindings:
            return self
        return _ModuleScope(self.module, {**self.bindings, **bindings})

    def lookup_root(self, root: hcl.Variable, steps: list[Any]) -> tuple[Any, int]:
        name = root.name
        if name in self.bindings:
            return self.bindings[name], 0
        module = self.module
        first = steps[0] if steps else None
        if name in ("count", "each", "self"):
            return Unknown(first.text if first is not None else root.text), 1 if first is not None else 0
        if not isinstance(first, hcl.GetAttr):
            return EvalError(root.text), 0
        attr = first.name
        if name == "var":
            return module.variable(attr, first.text), 1
        if name == "local":
            return module.local(attr, first.text), 1
        if name == "path":
            if attr == "module":
                return module.config.dir, 1
            if attr == "root":
                return module.root, 1
            return Unknown(first.text), 1
        if name == "terraform":
            return ("default" if attr == "workspace" else Unknown(first.text)), 1
        if name == "module":
            return self._module_value(attr, first.text), 1
        if name == "data":
            return self._data_value(steps, first.text)
        decl = module.config.resources.get(f"{name}.{attr}")
        if decl is None:
            return EvalError(first.text), 1
        return module.resource_value(decl, first.text), 1

    def _data_value(self, steps: list[Any], text: str) -> tuple[Any, int]:
        """`data.TYPE.NAME`: its arguments as written, the attributes it reads as `Ref`s (known only
        after Terraform reads the data source)."""
        second = steps[1] if len(steps) > 1 else None
        if not isinstance(second, hcl.GetAttr):
            return Unknown(text), 1
        decl = self.module.config.resources.get(f"data.{steps[0].name}.{second.name}")
        if decl is None:
            return EvalError(second.text), 2
        return self.module.resource_value(decl, second.text), 2

    def _module_value(self, name: str, text: str) -> Any:
        module = self.module
        if name not in module.config.modules:
            return EvalError(text)
        children = module.children(name)
        if children.config is None or children.count_unknown is not None:
            return Unknown(text)
        block = children.block
        objects = [(key, _ModuleObject(child, text)) for key, child in children.instances]
        if block.body.attribute("count") is not None:
            return [obj for _key, obj in objects]
        if block.body.attribute("for_each") is not None:
            return {key: obj for key, obj in objects}
        return objects[0][1] if objects else EvalError(text)


class _ModuleObject(Lazy):
    def __init__(self, module: _Module, text: str) -> None:
        self.module = module
        self.text = text

    def get_attr(self, name: str, node: Any) -> Any:
        return self.module.output(name, node.text)

    def as_value(self, text: str) -> Any:
        return Unknown(self.text)

    def __repr__(self) -> str:
        return self.module.path.rstrip(".")


class _ResourceObject(Lazy):
    """One instance of a managed resource: set attributes evaluate, the rest are Refs."""

    def __init__(self, module: _Module, decl: _ResourceDecl, key: Any, bindings: dict[str, Any]) -> None:
        self.module = module
        self.decl = decl
        self.key = key
        self.bindings = bindings

    def get_attr(self, name: str, node: Any) -> Any:
        value = self.module.attribute_value(self.decl, self.key, self.bindings, name, node.text)
        return _attribute_of(value, Ref(self.module.instance_address(self.decl, self.key), name))

    def as_value(self, text: str) -> Any:
        return self  # kept whole in lists and maps (`length(aws_subnet.public)`)

    def __repr__(self) -> str:
        return self.module.instance_address(self.decl, self.key)


class _UnknownCountResource(Lazy):
    """A resource whose count/for_each is unknown: an index still names one instance."""

    def __init__(self, module: _Module, decl: _ResourceDecl, text: str) -> None:
        self.module = module
        self.decl = decl
        self.text = text

    def index(self, key: Any, node: Any) -> Any:
        text = to_string(key)
        if text is None:
            return EvalError(node.text)
        if self.decl.block.body.attribute("count") is not None:
            number = to_number(key)
            if not isinstance(number, int):
                return EvalError(node.text)
            bindings: dict[str, dict[str, Any]] = {"count": {"index": number}}
            return _ResourceObject(self.module, self.decl, number, bindings)
        bindings = {"each": {"key": text, "value": Unknown("each.value")}}
        return _ResourceObject(self.module, self.decl, text, bindings)

    def get_attr(self, name: str, node: Any) -> Any:
        return Unknown(node.text)

    def as_value(self, text: str) -> Any:
        return Unknown(self.text)


# ------------------------------------------------------------------------------------------ values


def _body_values(body: hcl.Body, scope: Scope, line: int, skip: Any,
                 attribute_value: Callable[[hcl.Attribute], Any] | None = None, column: int = 1) -> dict[str, Any]:
    """Every attribute and nested block of a body, evaluated (dynamic blocks expanded)."""
    values: dict[str, Any] = {LINE: line, COLUMN: column}
    lines: dict[str, int] = {}
    for attribute in body.attributes:
        if attribute.name in skip:
            continue
        try:
            raw = attribute_value(attribute) if attribute_value else evaluate(attribute.expr, scope)
        except RecursionError:  # absurdly deep references: unknown, never a traceback
            raw = Unknown(attribute.expr.text)
        if isinstance(raw, (list, dict)) and value_size(raw, scope.budget) is None:
            # finalize copies it, for each instance: a value past the limits is UNKNOWN before that
            raw = Unknown(f"{attribute.expr.text} ({STEPS_SPENT if scope.budget.spent else TOO_BIG})")
        values[attribute.name] = finalize(raw)
        lines[attribute.name] = attribute.line
    _add_blocks(values, body, scope, skip)
    values[ATTR_LINES] = lines
    return values


def _add_blocks(values: dict[str, Any], body: hcl.Body, scope: Scope, skip: Any) -> None:
    for block in body.blocks:
        if block.type in skip:
            continue
        if block.type == "dynamic" and block.labels:
            _add_dynamic(values, block, scope)
            continue
        values.setdefault(block.type, []).append(_body_values(block.body, scope, block.line, (), column=block.column))


def _add_dynamic(values: dict[str, Any], block: hcl.Block, scope: Scope) -> None:
    block_type = block.labels[0]
    each_attr = block.body.attribute("for_each")
    contents = block.body.blocks_of("content")
    if each_attr is None or not contents:
        return
    iterator_attr = block.body.attribute("iterator")
    iterator = block_type
    if iterator_attr is not None and isinstance(iterator_attr.expr, hcl.Variable):
        iterator = iterator_attr.expr.name
    collection = evaluate(each_attr.expr, scope)
    if isinstance(collection, Lazy):
        collection = collection.as_value(each_attr.expr.text)
    if isinstance(collection, list):
        pairs = list(enumerate(collection))
    elif isinstance(collection, dict):
        pairs = [(k, collection[k]) for k in sorted(k for k in collection if k not in META_KEYS)]
    else:
        pairs = None
    if pairs is None:
        names = values.setdefault(DYNAMIC_UNKNOWN, [])
        if block_type not in names:
            names.append(block_type)
        return
    generated = values.setdefault(block_type, [])
    for key, item in pairs:
        inner = scope.with_bindings({iterator: {"key": key, "value": item}})
        generated.append(_body_values(contents[0].body, inner, block.line, (), column=block.column))


def _collect(module: _Module) -> list[TfResource]:
    """TfResources of a module instance and its children; module instances merge by address."""
    merged: dict[str, TfResource] = {}
    _collect_into(module, merged)
    return list(merged.values())


def _collect_into(module: _Module, merged: dict[str, TfResource]) -> None:
    deployment = module.root
    for decl in module.config.resources.values():
        keys, unknown = module.instances(decl)
        unknown = unknown if unknown is not None else module.count_unknown
        instances = []
        for key, bindings in keys:
            scope = module.scope.with_bindings(bindings)
            def attribute_value(attribute: hcl.Attribute, key: Any = key, bindings: Any = bindings) -> Any:
                # through the memo that references use, so each attribute is evaluated once
                return module.attribute_value(decl, key, bindings, attribute.name, attribute.expr.text)

            values = _body_values(decl.block.body, scope, decl.block.line, _RESOURCE_META, attribute_value)
            module_key = "/".join(str(k) for k in module.instance_keys) or None
            instances.append(TfInstance(module.instance_key(key), values, module_key))
        _merge(merged, module, decl, tuple(instances), unknown, deployment)
    for name in module.config.modules:
        children = module.children(name)
        if children.config is None:
            continue
        if not children.instances:
            _collect_absent(children.config, f"{module.path}module.{name}.", module, merged,
                            module.chain)
        for _key, child in children.instances:
            _collect_into(child, merged)


def _collect_absent(config: _Config, path: str, module: _Module, merged: dict[str, TfResource],
                    chain: tuple[str, ...]) -> None:
    """Resources of a module called with count = 0: they exist in no instance."""
    for decl in config.resources.values():
        _merge(merged, None, decl, (), None, module.root, path)
    for name, (block, _file) in config.modules.items():
        target = module.loader.module_dir(config, block, module.root, f"{path}module.{name}")
        if target is not None and target not in chain:
            _collect_absent(module.loader.config(target), f"{path}module.{name}.", module, merged,
                            chain + (target,))


def _merge(merged: dict[str, TfResource], module: _Module | None, decl: _ResourceDecl,
           instances: tuple[TfInstance, ...], unknown: Unknown | None, deployment: str,
           path: str | None = None) -> None:
    prefix = module.path if module is not None else (path or "")
    address = prefix + decl.address
    previous = merged.get(address)
    if previous is not None:
        instances = previous.instances + instances
        unknown = previous.count_unknown or unknown
    block = decl.block
    merged[address] = TfResource(
        address=address, type=decl.type, name=decl.name, module=prefix.rstrip("."),
        where=Where(decl.file, block.line, block.column, address), instances=instances,
        count_unknown=unknown, mode=decl.mode, deployment=deployment, end_line=block.end_line,
        extras={OVERRIDDEN: True} if decl.overridden else {})

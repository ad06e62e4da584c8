"""Frozen data <-> plain JSON data, for the content cache and the parse workers: nothing runs on load.

Values are JSON's scalars, or arrays whose first item says what they are: `["t", ...]` a tuple, `["l", ...]` a
list, `["d", key, value, ...]` a dict (any keys), `["f", ...]` a frozenset, `["e", "Level", "error"]` an enum
member, `["Where", file, line, ...]` a dataclass (its fields in order). Decoding builds only the classes of the
table it is given, from their fields: no import, no pickle, no code named by the data.
"""
from __future__ import annotations

import dataclasses
import enum
import json
from types import ModuleType
from typing import Any, Callable, Iterable, Mapping

_SCALARS = (str, int, float, bool, type(None))


class CodecError(ValueError):
    """Data that is not an encoding of the table's classes (a corrupt or foreign cache entry)."""


def types_of(*modules: ModuleType) -> dict[str, type]:
    """The dataclasses and enums defined in `modules`, by name (a name defined twice is an error)."""
    table: dict[str, type] = {}
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == module.__name__ and (
                    dataclasses.is_dataclass(value) or issubclass(value, enum.Enum)):
                if name in table and table[name] is not value:
                    raise ValueError(f"two classes named {name} in one codec table")
                table[name] = value
    return table


def encode(value: Any) -> Any:
    """`value` as plain JSON data (TypeError for a value outside the vocabulary above)."""
    kind = type(value)
    if isinstance(value, enum.Enum):  # before the scalars: Level is a str
        return ["e", kind.__name__, value.value]
    if kind in _SCALARS:
        return value
    if kind is tuple:
        return ["t", *[encode(item) for item in value]]
    if kind is list:
        return ["l", *[encode(item) for item in value]]
    if kind is dict:
        flat: list[Any] = ["d"]
        for key, item in value.items():
            flat.append(encode(key))
            flat.append(encode(item))
        return flat
    if kind is frozenset:
        return ["f", *[encode(item) for item in value]]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [kind.__name__, *[encode(getattr(value, f.name)) for f in dataclasses.fields(value)]]
    raise TypeError(f"cannot encode a {kind.__name__}")


def decoder(table: Mapping[str, type]) -> Callable[[Any], Any]:
    """The inverse of `encode` for the classes of `table` (CodecError for anything else)."""
    arity = {name: _init_fields(cls) for name, cls in table.items() if dataclasses.is_dataclass(cls)}
    enums = {name: cls for name, cls in table.items() if issubclass(cls, enum.Enum)}

    def decode(data: Any) -> Any:
        if type(data) is not list:
            if type(data) in _SCALARS:
                return data
            raise CodecError(f"not plain data: {type(data).__name__}")
        if not data or type(data[0]) is not str:
            raise CodecError("an array without its tag")
        tag = data[0]
        if tag == "t":  # (scalars are their own decoding: no call for them, the bulk of the items)
            return tuple([item if type(item) in _SCALARS else decode(item) for item in data[1:]])
        if tag == "l":
            return [item if type(item) in _SCALARS else decode(item) for item in data[1:]]
        if tag == "d":
            if len(data) % 2 == 0:
                raise CodecError("a dict with a key and no value")
            return {decode(data[i]): decode(data[i + 1]) for i in range(1, len(data), 2)}
        if tag == "f":
            return frozenset(decode(item) for item in data[1:])
        if tag == "e":
            if len(data) != 3 or data[1] not in enums:
                raise CodecError(f"no enum {data[1:2]}")
            try:
                return enums[data[1]](data[2])
            except ValueError as error:
                raise CodecError(str(error)) from None
        cls = table.get(tag)
        if cls is None or tag not in arity:
            raise CodecError(f"no class {tag!r} in the table")
        if len(data) - 1 != arity[tag]:
            raise CodecError(f"{tag} takes {arity[tag]} fields, not {len(data) - 1}")
        try:
            return cls(*[item if type(item) in _SCALARS else decode(item) for item in data[1:]])
        except TypeError as error:  # a __post_init__ that refuses the fields
            raise CodecError(f"{tag}: {error}") from None

    return decode


def _init_fields(cls: type) -> int:
    fields: Iterable[dataclasses.Field[Any]] = dataclasses.fields(cls)  # type: ignore[arg-type]
    if any(not f.init for f in fields):
        raise ValueError(f"{cls.__name__} has fields its constructor does not take: it cannot be decoded")
    return len(dataclasses.fields(cls))  # type: ignore[arg-type]


def canonical(value: Any) -> str:
    """One JSON text for equal values, for keys: `encode`'s, with a frozenset's items in a fixed order (its
    iteration order changes with the process's hash seed)."""
    def plain(item: Any) -> Any:
        if type(item) is frozenset:
            return ["f", *sorted((plain(member) for member in item), key=lambda m: json.dumps(m, sort_keys=True))]
        if isinstance(item, enum.Enum) or type(item) in _SCALARS:
            return encode(item)
        if type(item) in (tuple, list):
            return ["t" if type(item) is tuple else "l", *[plain(member) for member in item]]
        if type(item) is dict:
            flat: list[Any] = ["d"]
            for key, member in item.items():
                flat.extend((plain(key), plain(member)))
            return flat
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            return [type(item).__name__, *[plain(getattr(item, f.name)) for f in dataclasses.fields(item)]]
        raise TypeError(f"cannot encode a {type(item).__name__}")

    return json.dumps(plain(value), sort_keys=True, separators=(",", ":"))

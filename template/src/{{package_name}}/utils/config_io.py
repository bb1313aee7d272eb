"""Checked dataclasses from nested dicts and YAML files, and `section.key=value` overrides.

Every value is checked against its field's annotation (converted where that is lossless), and
every problem is a ConfigError naming the key: config.py's sections are built with it.
"""

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, Literal

import yaml

from ..errors import ConfigError, require


def from_dict(cls: type, data: Any, prefix: str = "") -> Any:
    """Build the dataclass `cls` from a mapping, naming any bad key."""
    require(isinstance(data, dict), prefix.rstrip(".") or "config", "expected a mapping")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        require(key in names, f"{prefix}{key}", f"unknown key (valid: {', '.join(names)})")
    kwargs = {}
    for name, value in data.items():
        tp = hints[name]
        if dataclasses.is_dataclass(tp):  # an empty section (every key commented out) is {}
            kwargs[name] = from_dict(tp, {} if value is None else value, f"{prefix}{name}.")
        else:
            kwargs[name] = _convert(value, tp, f"{prefix}{name}")
    return cls(**kwargs)


def read_yaml(path: Path) -> dict[str, Any]:
    """The mapping in the YAML file at `path`."""
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({err.__class__.__name__})") from None
    require(isinstance(data, dict), str(path), "expected a mapping of sections")
    return data


def merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """`base` with `update`'s keys on top: mappings merge key by key, any other value (a list
    too) replaces; neither argument is changed."""
    merged = dict(base)
    for key, value in update.items():
        old = merged.get(key)
        both = isinstance(old, dict) and isinstance(value, dict)
        merged[key] = merge(old, value) if both else value
    return merged


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply `section.key=value` strings to a nested dict; values are parsed as YAML."""
    for item in overrides:
        key, sep, text = item.partition("=")
        parts = key.strip().split(".")
        require(bool(sep) and all(parts), item, "expected --set section.key=value")
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            require(isinstance(node, dict), key, f"'{part}' is not a section")
        try:
            node[parts[-1]] = yaml.safe_load(text)
        except yaml.YAMLError:
            node[parts[-1]] = text
    return data


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) is Literal:
        return " or ".join(repr(a) for a in typing.get_args(tp))
    return getattr(tp, "__name__", str(tp))


def _convert(value: Any, tp: Any, key: str) -> Any:
    """Check `value` against the annotation `tp`, converting where it is lossless."""
    if tp is Any:
        return value
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(value, inner, key)
    if origin is Literal:
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        require(text in args, key, f"expected {_type_name(tp)}, got {value!r}")
        return text
    if origin is list:
        require(isinstance(value, list), key, f"expected a list, got {value!r}")
        return [_convert(v, args[0], f"{key}[{i}]") for i, v in enumerate(value)]
    if tp is float and isinstance(value, str):
        try:
            return float(value)  # YAML 1.1 reads "1e-3" as a string
        except ValueError:
            pass
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    ok = isinstance(value, tp) and not (tp is not bool and isinstance(value, bool))
    require(ok, key, f"expected {_type_name(tp)}, got {value!r}")
    return value

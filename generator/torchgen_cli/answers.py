"""Answers: given with `--data KEY=VALUE` and checked against copier.yml, or rendered into it."""

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from jinja2.sandbox import SandboxedEnvironment

from torchgen_cli.errors import USAGE, CliError


def parse_data(items: Iterable[str]) -> dict[str, str]:
    """Split each KEY=VALUE at its first '='; a later KEY replaces an earlier one."""
    data: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CliError(f"--data expects KEY=VALUE, got {item!r}", USAGE)
        data[key.strip()] = value
    return data


def question_names(config: Path) -> list[str]:
    """Return the question names in a copier.yml: public keys not hidden by `when: false`."""
    try:
        settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CliError(f"cannot read {config}: {error}") from None
    if not isinstance(settings, dict):
        raise CliError(f"{config} is not a Copier configuration (not a mapping)")
    return [
        name
        for name, spec in settings.items()
        if not name.startswith("_") and not (isinstance(spec, dict) and spec.get("when") is False)
    ]


def check_keys(data: dict[str, str], names: list[str]) -> None:
    """Fail with the list of valid keys when `data` answers a question the template lacks."""
    unknown = [key for key in data if key not in names]
    if unknown:
        raise CliError(f"unknown --data key {unknown[0]!r}; valid keys: {', '.join(names)}", USAGE)


def hint_unanswered(reason: str, data: Mapping[str, str]) -> str:
    """Point at --data when copier rejects a question's default rather than a given answer."""
    match = re.search(r"question '(\w+)'", reason)
    if match is None or match[1] in data:
        return reason
    return f"{reason} (this is the default; pass --data {match[1]}=VALUE)"


def render_with(text: str, answers: Mapping[str, Any]) -> str:
    """Render a Jinja string from copier.yml, sandboxed, with the answers as its context."""
    return SandboxedEnvironment().from_string(text).render(**answers)

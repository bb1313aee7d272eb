"""Answer combinations for the render and project tests, read from copier.yml."""

import itertools
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
QUESTIONS: dict[str, Any] = {
    name: spec
    for name, spec in yaml.safe_load((REPO / "copier.yml").read_text()).items()
    if not name.startswith("_") and isinstance(spec, dict) and spec.get("when") is not False
}


def choices(name: str) -> list[Any]:
    """The values a question accepts: its choices, or both booleans."""
    spec = QUESTIONS[name]
    if spec.get("type") == "bool":
        return [True, False]
    values = spec["choices"]
    return list(values.values()) if isinstance(values, dict) else list(values)


def all_combinations() -> list[dict[str, Any]]:
    """Every combination of the multiple-choice questions (the others keep their defaults)."""
    names = [
        name for name, spec in QUESTIONS.items() if "choices" in spec or spec.get("type") == "bool"
    ]
    return [
        dict(zip(names, values, strict=True)) for values in itertools.product(*map(choices, names))
    ]


def combo_id(answers: dict[str, Any]) -> str:
    """A short, readable test id such as `python_version=3.11-task=tabular`."""
    return "-".join(f"{k}={v}" for k, v in answers.items())

"""Answer combinations for the render and project tests, read from copier.yml."""

import itertools
from collections.abc import Iterator
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


def choice_questions() -> list[str]:
    """Questions with a fixed set of answers: choices and booleans."""
    return [n for n, spec in QUESTIONS.items() if "choices" in spec or spec.get("type") == "bool"]


def all_combinations() -> list[dict[str, Any]]:
    """Every combination of the multiple-choice questions (the others keep their defaults)."""
    names = choice_questions()
    return [dict(zip(names, row, strict=True)) for row in itertools.product(*map(choices, names))]


def _pairs(row: tuple) -> Iterator[tuple]:
    return ((i, row[i], j, row[j]) for i, j in itertools.combinations(range(len(row)), 2))


def pairwise_combinations() -> list[dict[str, Any]]:
    """Few combinations holding every pair of answers to any two questions, plus all features on
    and all off (greedy all-pairs: each row added covers the most pairs still missing)."""
    names = choice_questions()
    rows = list(itertools.product(*map(choices, names)))
    missing = {pair for row in rows for pair in _pairs(row)}
    chosen: list[tuple] = []
    while missing:
        best = max(rows, key=lambda row: sum(pair in missing for pair in _pairs(row)))
        chosen.append(best)
        missing -= set(_pairs(best))
    combos = [dict(zip(names, row, strict=True)) for row in chosen]
    for flag in (True, False):
        extreme = {
            n: flag if QUESTIONS[n].get("type") == "bool" else QUESTIONS[n]["default"]
            for n in names
        }
        if extreme not in combos:
            combos.append(extreme)
    return combos


def combo_id(answers: dict[str, Any]) -> str:
    """A short, readable test id such as `python_version=3.11-task=tabular`."""
    return "-".join(f"{k}={v}" for k, v in answers.items())

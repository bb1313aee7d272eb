"""Answer combinations for the render and project tests, read from copier.yml."""

import itertools
import random
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
# Answers that change no Python code (requires-python and ruff's target; the CI workflow file,
# which tests/test_render.py also checks against GitHub's schema): rendered with all features on
# and all off rather than multiplied into the full product.
METADATA_ONLY = {"python_version", "github_ci"}


def choices(name: str) -> list[Any]:
    """The answers a question accepts: both booleans, each choice, or each subset of a
    multiselect (as tuples, so that answers stay hashable)."""
    spec = QUESTIONS[name]
    if spec.get("type") == "bool":
        return [True, False]
    values = spec["choices"]
    values = list(values.values()) if isinstance(values, dict) else list(values)
    if spec.get("multiselect"):
        return [s for n in range(len(values), -1, -1) for s in itertools.combinations(values, n)]
    return values


def choice_questions() -> list[str]:
    """Questions with a fixed set of answers: choices and booleans."""
    return [n for n, spec in QUESTIONS.items() if "choices" in spec or spec.get("type") == "bool"]


def as_answers(names: list[str], row: tuple) -> dict[str, Any]:
    """Copier answers for one row of choices (multiselect tuples become lists)."""
    return {n: list(v) if isinstance(v, tuple) else v for n, v in zip(names, row, strict=True)}


def extremes(**fixed: Any) -> list[dict[str, Any]]:
    """All features on and all features off, for every task unless `fixed` sets one (other
    questions at their defaults)."""
    combos = []
    for task in [fixed["task"]] if "task" in fixed else choices("task"):
        for on in (True, False):
            combo = {}
            for name in choice_questions():
                spec, options = QUESTIONS[name], choices(name)
                if name == "task":
                    combo[name] = task
                elif spec.get("type") == "bool" or spec.get("multiselect"):
                    combo[name] = options[0] if on else options[-1]
                else:
                    combo[name] = spec["default"]
            names = list(combo)
            combos.append({**as_answers(names, tuple(combo.values())), **fixed})
    return combos


def render_combinations() -> list[dict[str, Any]]:
    """The full product of the answers that change code (every task with every feature
    combination), plus every metadata-only answer with all features on and all off."""
    names = [n for n in choice_questions() if n not in METADATA_ONLY]
    combos = [as_answers(names, row) for row in itertools.product(*map(choices, names))]
    default_task = QUESTIONS["task"]["default"]
    for name in sorted(METADATA_ONLY):
        combos += [
            combo
            for value in choices(name)
            for combo in extremes(task=default_task, **{name: value})
        ]
    return [combo for i, combo in enumerate(combos) if combo not in combos[:i]]


def _pairs(row: tuple) -> Iterator[tuple]:
    return ((i, row[i], j, row[j]) for i, j in itertools.combinations(range(len(row)), 2))


def _greedy_cover(rows: list[tuple], start: list[tuple]) -> list[tuple]:
    """`start`, then rows until every pair of values appears: each time the row covering most
    missing pairs."""
    missing = {pair for row in rows for pair in _pairs(row)}
    missing -= {pair for row in start for pair in _pairs(row)}
    chosen = list(start)
    while missing:
        best = max(rows, key=lambda row: sum(pair in missing for pair in _pairs(row)))
        chosen.append(best)
        missing -= set(_pairs(best))
    return chosen


def feature_switches() -> list[tuple[str, str | None]]:
    """The features as on/off switches: (question, None) for a yes/no question, (question,
    option) for each option of a multiselect (export: pt2 and onnx are switched separately,
    as `torchgen add`/`remove` do)."""
    switches: list[tuple[str, str | None]] = []
    for name in choice_questions():
        spec = QUESTIONS[name]
        if name in METADATA_ONLY or name == "task":
            continue
        if spec.get("type") == "bool":
            switches.append((name, None))
        elif spec.get("multiselect"):
            switches += [(name, option) for option in choices(name)[0]]
        else:
            raise ValueError(f"{name}: a single-choice feature question needs a matrix rule")
    return switches


def pairwise_combinations() -> list[dict[str, Any]]:
    """For every task: all features on, all off, then few more combinations until every two
    feature switches have been on/on, on/off, off/on and off/off together (greedy all-pairs:
    each row added covers the most pairs still missing). Metadata-only questions keep their
    defaults."""
    switches = feature_switches()
    rows = list(itertools.product([True, False], repeat=len(switches)))
    ends = [(True,) * len(switches), (False,) * len(switches)]
    # Greedy covering depends on the order of ties: keep the smallest of a few fixed orders.
    chosen = min(
        (_greedy_cover(random.Random(seed).sample(rows, len(rows)), ends) for seed in range(20)),
        key=len,
    )
    combos = []
    for task in choices("task"):
        for row in chosen:
            combo: dict[str, Any] = {"task": task}
            for (name, option), on in zip(switches, row, strict=True):
                if option is None:
                    combo[name] = on
                else:
                    combo.setdefault(name, [])
                    combo[name] += [option] if on else []
            combos.append(combo)
    return combos


def pairwise_all_on(task: str | None = None) -> dict[str, Any]:
    """The all-features-on member of pairwise_combinations() for `task` (default: the default
    task)."""
    on = extremes(task=task or QUESTIONS["task"]["default"])[0]
    return {k: v for k, v in on.items() if k not in METADATA_ONLY}


def combo_id(answers: dict[str, Any]) -> str:
    """A short, readable test id such as `python_version=3.11-task=tabular-amp=True`."""
    return "-".join(f"{k}={'+'.join(v) if isinstance(v, list) else v}" for k, v in answers.items())

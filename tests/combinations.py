"""Answer combinations for the render and project tests, read from copier.yml."""

import functools
import itertools
import operator
import random
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


RENDER_STRENGTH = 4
"""Every RENDER_STRENGTH feature switches take all their on/off combinations together in some
render of every task (the full product, 2 ** 11 per task, would be 6154 renders)."""


def render_combinations() -> list[dict[str, Any]]:
    """For every task: all features on, all off, and a covering of the feature switches in
    which every RENDER_STRENGTH of them take all their on/off combinations together; plus
    every metadata-only answer with all features on and all off."""
    combos = covering_combinations(RENDER_STRENGTH)
    default_task = QUESTIONS["task"]["default"]
    for name in sorted(METADATA_ONLY):
        combos += [
            combo
            for value in choices(name)
            for combo in extremes(task=default_task, **{name: value})
        ]
    return [combo for i, combo in enumerate(combos) if combo not in combos[:i]]


def _cover_masks(rows: list[tuple[bool, ...]], strength: int) -> dict[tuple, int]:
    """Each row's values of every `strength` switches, as the bits of an int: bit
    g * 2**strength + v stands for the g-th group of switches taking the values v (in binary),
    so a set of rows covers the union of their bits (ints: the matrices of 11 switches take a
    second, not a quarter of a minute)."""
    groups = list(enumerate(itertools.combinations(range(len(rows[0])), strength)))
    return {
        row: sum(
            1 << (g << strength | sum(row[i] << j for j, i in enumerate(idx))) for g, idx in groups
        )
        for row in rows
    }


def _greedy_cover(rows: list[tuple], start: list[tuple], covers: dict[tuple, int]) -> list[tuple]:
    """`start`, then rows until every group of switches has taken all its values together:
    each time the row covering most of what is still missing."""
    missing = functools.reduce(operator.or_, covers.values())
    for row in start:
        missing &= ~covers[row]
    chosen = list(start)
    while missing:
        best = max(rows, key=lambda row: (covers[row] & missing).bit_count())
        chosen.append(best)
        missing &= ~covers[best]
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
    return covering_combinations(2)


@functools.cache
def _covering_rows(strength: int) -> tuple[tuple[bool, ...], ...]:
    switches = feature_switches()
    rows = list(itertools.product([True, False], repeat=len(switches)))
    ends = [(True,) * len(switches), (False,) * len(switches)]
    # Greedy covering depends on the order of ties: keep the smallest of a few fixed orders.
    seeds = range(20 if strength == 2 else 3)
    covers = _cover_masks(rows, strength)
    return tuple(
        min(
            (
                _greedy_cover(random.Random(seed).sample(rows, len(rows)), ends, covers)
                for seed in seeds
            ),
            key=len,
        )
    )


def covering_combinations(strength: int) -> list[dict[str, Any]]:
    """For every task: all features on, all off, then few more combinations until every
    `strength` feature switches have taken all their on/off values together. Metadata-only
    questions keep their defaults."""
    switches = feature_switches()
    combos = []
    for task in choices("task"):
        for row in _covering_rows(strength):
            combo: dict[str, Any] = {"task": task}
            for (name, option), on in zip(switches, row, strict=True):
                if option is None:
                    combo[name] = on
                else:
                    combo.setdefault(name, [])
                    combo[name] += [option] if on else []
            combos.append(combo)
    return combos


def is_on(combo: dict[str, Any], switch: tuple[str, str | None]) -> bool:
    """Whether `combo` has the feature switch on."""
    name, option = switch
    return combo[name] if option is None else option in combo[name]


TESTED_TOGETHER: list[tuple[tuple[str, str | None], ...]] = [
    (("amp", None), ("ddp", None)),
    (("ema", None), ("ddp", None)),
]
"""Switches whose generated tests have a variant for both on together (the text task's FSDP
tests: bf16 against float32, and a sharded EMA resumed exactly)."""


def portable_needs() -> list[tuple[tuple[str, str | None], ...]]:
    """What the portable projects must turn on: each feature switch, and TESTED_TOGETHER."""
    return [(switch,) for switch in feature_switches()] + TESTED_TOGETHER


def portable_combinations() -> list[dict[str, Any]]:
    """The members of pairwise_combinations() whose projects run their suites as on another
    CPU (ATen's portable kernels, two intra-op threads: other float32 summation orders): per
    task, few members other than all-on (which keeps this CPU's vector kernels) in which each of
    portable_needs() is on at least once, so that those tests run both ways."""
    combos, chosen = pairwise_combinations(), []
    for task in choices("task"):
        mine = [c for c in combos if c["task"] == task and c != pairwise_all_on(task)]
        missing = {need for need in portable_needs() if any(has(c, need) for c in mine)}
        while missing:
            best = max(mine, key=lambda c: sum(has(c, need) for need in missing))
            chosen.append(best)
            missing = {need for need in missing if not has(best, need)}
    return chosen


def has(combo: dict[str, Any], switches: tuple[tuple[str, str | None], ...]) -> bool:
    """Whether `combo` has every one of `switches` on."""
    return all(is_on(combo, switch) for switch in switches)


def pairwise_all_on(task: str | None = None) -> dict[str, Any]:
    """The all-features-on member of pairwise_combinations() for `task` (default: the default
    task)."""
    on = extremes(task=task or QUESTIONS["task"]["default"])[0]
    return {k: v for k, v in on.items() if k not in METADATA_ONLY}


def combo_id(answers: dict[str, Any]) -> str:
    """A short, readable test id such as `python_version=3.11-task=tabular-amp=True`."""
    return "-".join(f"{k}={'+'.join(v) if isinstance(v, list) else v}" for k, v in answers.items())

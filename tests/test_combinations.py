"""The matrices are what docs/ci.md says: per task, all on, all off, and all pairs of feature
switches (projects) or all quadruples of them (renders)."""

import itertools
from typing import Any

from combinations import (
    METADATA_ONLY,
    RENDER_STRENGTH,
    choices,
    extremes,
    feature_switches,
    pairwise_combinations,
    render_combinations,
)


def is_on(combo: dict[str, Any], switch: tuple[str, str | None]) -> bool:
    name, option = switch
    return combo[name] if option is None else option in combo[name]


def test_every_task_gets_every_pair_of_feature_switches_and_both_extremes() -> None:
    combos = pairwise_combinations()
    both = {(True, True), (True, False), (False, True), (False, False)}
    for task in choices("task"):
        mine = [combo for combo in combos if combo["task"] == task]
        for end in extremes(task=task):
            assert {k: v for k, v in end.items() if k not in METADATA_ONLY} in mine
        for a, b in itertools.combinations(feature_switches(), 2):
            assert {(is_on(combo, a), is_on(combo, b)) for combo in mine} == both, (task, a, b)
    assert len(combos) == len({str(combo) for combo in combos})  # no combination twice


def test_every_task_renders_every_quadruple_of_feature_switches() -> None:
    combos = render_combinations()
    every = set(itertools.product([True, False], repeat=RENDER_STRENGTH))
    for task in choices("task"):
        mine = [combo for combo in combos if combo["task"] == task]
        for end in extremes(task=task):
            assert {k: v for k, v in end.items() if k not in METADATA_ONLY} in mine
        for group in itertools.combinations(feature_switches(), RENDER_STRENGTH):
            seen = {tuple(is_on(combo, s) for s in group) for combo in mine}
            assert seen == every, (task, group)
    assert len(combos) == len({str(combo) for combo in combos})

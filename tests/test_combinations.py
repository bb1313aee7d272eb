"""The matrices are what docs/ci.md says: per task, all on, all off, and all pairs of feature
switches (projects) or all quadruples of them (renders)."""

import itertools

from combinations import (
    METADATA_ONLY,
    RENDER_STRENGTH,
    choices,
    extremes,
    feature_switches,
    has,
    is_on,
    pairwise_all_on,
    pairwise_combinations,
    portable_combinations,
    portable_needs,
    render_combinations,
)


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


def test_every_feature_runs_both_on_this_cpus_kernels_and_the_portable_ones() -> None:
    """Per task, each feature switch (and each pair in TESTED_TOGETHER) is on in some project
    run with the portable kernels and in some other run with this CPU's own; the all-on project
    keeps its own. Three of a task's eight projects run portably."""
    combos, portable = pairwise_combinations(), portable_combinations()
    assert all(combo in combos for combo in portable)
    for task in choices("task"):
        assert pairwise_all_on(task) not in portable
        mine = [combo for combo in combos if combo["task"] == task]
        assert sum(combo in portable for combo in mine) == 3, task
        for need in portable_needs():
            ways = {combo in portable for combo in mine if has(combo, need)}
            assert ways == {True, False}, (task, need)

"""Rendered projects, for real: each combination installs, passes its own tests and trains."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import copier
import pytest

from combinations import REPO, combo_id, pairwise_all_on, pairwise_combinations

pytestmark = pytest.mark.slow


# A project's own suite runs without this environment's pytest plugins: pytest-copie imports
# copier, whose deprecated module attributes warn when torch.compile inspects loaded modules.
PROJECT_PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
ISOLATED = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
# Per task: make-data's size option, the monitored metric, whether higher is better, and the
# bound the short training run below must pass.
TASK_RUNS: dict[str, tuple[list[str], str, bool, float]] = {
    "tabular": (["--rows", "2000"], "acc", True, 0.85),
    "text": (["--sentences", "2000"], "loss", False, 1.2),
}


def run(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a command, failing the test with its output if it fails."""
    proc = subprocess.run(
        args, cwd=cwd, env=ISOLATED, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, (
        f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    )
    return proc


@pytest.fixture(params=pairwise_combinations(), ids=combo_id)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A rendered project installed (editable) into this environment, uninstalled afterwards."""
    combo = request.param
    # A distinct name per combination, so parallel workers never share an installed package.
    name = f"proj_{request.param_index}"
    dst = tmp_path / name
    copier.run_copy(
        str(REPO),
        dst,
        data={"project_name": name, **combo},
        defaults=True,
        quiet=True,
        vcs_ref="HEAD",
    )
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "-e", ".[dev]"]
    run(*install, cwd=dst)
    yield dst, name, combo
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", name], check=False)


def test_project_tests_pass_and_it_trains(project: tuple[Path, str, dict[str, Any]]) -> None:
    """The project's own test suite passes, then make-data and a short training run work.

    With every feature on, the project's slow tests (torch.compile) run too: once per CI run.
    """
    root, package, combo = project
    tests = run(*PROJECT_PYTEST, cwd=root)
    assert " passed" in tests.stdout and "failed" not in tests.stdout, tests.stdout
    if combo == pairwise_all_on():
        slow = run(*PROJECT_PYTEST, "-m", "slow", cwd=root)
        assert " passed" in slow.stdout and "failed" not in slow.stdout, slow.stdout
    size, metric, higher_is_better, bound = TASK_RUNS[combo.get("task", "tabular")]
    run(sys.executable, "-m", package, "make-data", *size, cwd=root)
    out = run(
        sys.executable,
        "-m",
        package,
        "train",
        "--run-dir",
        "runs/ci",
        "--set",
        "trainer.max_epochs=3",
        cwd=root,
    ).stdout
    summary = json.loads(out.strip().splitlines()[-1])
    value = summary[f"val/{metric}"]
    assert value > bound if higher_is_better else value < bound, summary
    records = [json.loads(line) for line in (root / "runs/ci/metrics.jsonl").open()]
    assert records[-1]["epoch"] == 2 and f"val/{metric}" in records[-1]
    evaluated = run(
        sys.executable,
        "-m",
        package,
        "evaluate",
        "--checkpoint",
        "runs/ci/checkpoints/best.pt",
        cwd=root,
    ).stdout
    # best.pt holds the best validation metric (of the EMA weights when the EMA is on).
    scores = [r.get(f"val_ema/{metric}", r[f"val/{metric}"]) for r in records if "val/acc" in r]
    best = max(scores) if higher_is_better else min(scores)
    assert json.loads(evaluated)[metric] == pytest.approx(best)

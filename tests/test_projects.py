"""Rendered projects, for real: each combination installs, passes its own tests and trains."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import copier
import pytest

from combinations import combo_id, pairwise_all_on, pairwise_combinations, portable_combinations

pytestmark = pytest.mark.slow


# A project's own suite runs without this environment's pytest plugins: pytest-copie imports
# copier, whose deprecated module attributes warn when torch.compile inspects loaded modules.
PROJECT_PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
ISOLATED = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
# As on another CPU: ATen's portable kernels instead of this CPU's vector ones, and two intra-op
# threads instead of the suite's one (other float32 summation orders).
PORTABLE_ENV, PORTABLE_ARGS = {"ATEN_CPU_CAPABILITY": "default"}, ["--threads", "2"]

# What trackers keep outside a project by default (trackio's store, W&B's logs and staged
# artifacts) goes into the project's temporary folder instead of the home directory.
TRACKER_DIRS = {
    "TRACKIO_DIR": ".trackio",
    "WANDB_CACHE_DIR": ".wandb-cache",
    "WANDB_DATA_DIR": ".wandb-data",
}


def run(
    *args: str, cwd: Path, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run a command (with `env` added to the environment), failing the test with its output
    if it fails."""
    proc = subprocess.run(
        args,
        cwd=cwd,
        env={**ISOLATED, **{k: str(cwd / v) for k, v in TRACKER_DIRS.items()}, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, (
        f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    )
    return proc


@pytest.fixture(params=pairwise_combinations(), ids=combo_id)
def project(request: pytest.FixtureRequest, tmp_path: Path, template_dir: Path) -> Any:
    """A rendered project installed (editable) into this environment, uninstalled afterwards."""
    combo = request.param
    # A distinct name per combination, so parallel workers never share an installed package.
    name = f"proj_{request.param_index}"
    dst = tmp_path / name
    data = {"project_name": name, **combo}
    copier.run_copy(str(template_dir), dst, data=data, defaults=True, quiet=True)
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "-e", ".[dev]"]
    run(*install, cwd=dst)
    yield dst, name, combo
    subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", name], check=False)


# Per task: make-data options for a small sample, train settings for a short run, and the
# validation metric with the value it must beat (well past chance: 1/3 for tabular, 1/4 for
# vision; for text, uniform bytes are ln 256 = 5.55 nats per byte and the sample's byte
# frequencies alone 2.96: one epoch of the small sample reaches about 1.7).
TASK_RUNS: dict[str, tuple[list[str], list[str], str, float]] = {
    "tabular": (["--rows", "2000"], ["trainer.max_epochs=3"], "acc", 0.85),
    "vision": (["--per-class", "150"], ["trainer.max_epochs=4"], "acc", 0.6),
    "text": (["--sentences", "2000"], ["trainer.max_epochs=1"], "loss", 2.5),
}


def test_project_tests_pass_and_it_trains(project: tuple[Path, str, dict[str, Any]]) -> None:
    """The project's own test suite passes, then make-data, a short training run and evaluate
    of its best.pt work.

    With every feature on, the project's slow tests (torch.compile, a failing torchrun rank) run
    too: once per CI run; the all-on vision project runs its slow timm export tests. The suites
    of portable_combinations() run as on another CPU, so each feature's tests hold both ways.
    """
    root, package, combo = project
    portable = combo in portable_combinations()
    own = PORTABLE_ARGS if portable else []
    tests = run(*PROJECT_PYTEST, *own, cwd=root, env=PORTABLE_ENV if portable else None)
    assert " passed" in tests.stdout and "failed" not in tests.stdout, tests.stdout
    if combo == pairwise_all_on():
        slow = run(*PROJECT_PYTEST, "-m", "slow", cwd=root)
        assert " passed" in slow.stdout and "failed" not in slow.stdout, slow.stdout
    if combo == pairwise_all_on(combo["task"]) and combo["task"] == "vision":
        # The timm backbones' export tests (two architectures), once.
        slow = run(*PROJECT_PYTEST, "-m", "slow", "tests/test_backbones.py", cwd=root)
        assert " passed" in slow.stdout and "failed" not in slow.stdout, slow.stdout
    make_data, settings, metric, bound = TASK_RUNS[combo["task"]]
    run(sys.executable, "-m", package, "make-data", *make_data, cwd=root)
    if combo["ema"]:  # an EMA horizon of ~10 steps, so that a run this short can move it
        settings = [*settings, "trainer.ema_decay=0.9", "trainer.ema_every_n_steps=1"]
    overrides = [arg for setting in settings for arg in ("--set", setting)]
    train = [sys.executable, "-m", package, "train", "--run-dir", "runs/ci", *overrides]
    summary = json.loads(run(*train, cwd=root).stdout.strip().splitlines()[-1])
    # best.pt holds the better of the raw and (when on) EMA weights at their best validation.
    monitored = [f"val/{metric}", *([f"val_ema/{metric}"] if combo["ema"] else [])]
    better = max if metric == "acc" else min
    final = better(summary[key] for key in monitored)
    assert better(final, bound) == final, summary
    records = [json.loads(line) for line in (root / "runs/ci/metrics.jsonl").open()]
    evaluate = [sys.executable, "-m", package, "evaluate", "--checkpoint"]
    evaluated = run(*evaluate, "runs/ci/checkpoints/best.pt", cwd=root).stdout
    best = better(r[key] for r in records for key in monitored if key in r)
    assert json.loads(evaluated)[metric] == pytest.approx(best)

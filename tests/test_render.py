"""Rendering the template: every combination renders cleanly, lint-free, with the right files."""

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from combinations import REPO, combo_id, render_combinations

PACKAGE_FILES = [
    "__init__.py",
    "__main__.py",
    "cli.py",
    "config.py",
    "errors.py",
    "data/__init__.py",
    "data/loader.py",
    "data/sampler.py",
    "data/splits.py",
    "models/__init__.py",
    "task.py",
    "training/__init__.py",
    "training/checkpoint.py",
    "training/classification.py",
    "training/distributed.py",
    "training/evaluate.py",
    "training/objective.py",
    "training/optim.py",
    "training/precision.py",
    "training/preemption.py",
    "training/profiling.py",
    "training/run_dir.py",
    "training/selection.py",
    "training/setup.py",
    "training/trainer.py",
    "utils/__init__.py",
    "utils/config_io.py",
    "utils/device.py",
    "utils/flops.py",
    "utils/io.py",
    "utils/log.py",
    "utils/plot.py",
    "utils/progress.py",
    "utils/seed.py",
]
PROJECT_FILES = [
    ".copier-answers.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "README.md",
    "pyproject.toml",
    "configs/default.yaml",
    "configs/experiment/bigger.yaml",
    "configs/experiment/smoke.yaml",
    "tests/conftest.py",
    "tests/test_checkpoint.py",
    "tests/test_cli.py",
    "tests/test_config.py",
    "tests/test_data.py",
    "tests/test_faults.py",
    "tests/test_flops.py",
    "tests/test_gpu.py",
    "tests/test_model.py",
    "tests/test_resume.py",
    "tests/test_trainer.py",
    "tests/task_cases.py",
]
# Files of one task only: its data and model modules.
TASK_FILES = {
    "tabular": [
        "src/{package}/data/tabular.py",
        "src/{package}/data/table.py",
        "src/{package}/data/sample_table.py",
        "src/{package}/data/schema.py",
        "src/{package}/models/mlp.py",
        "src/{package}/training/regression.py",
        "tests/test_objective.py",
    ],
    "vision": [
        "src/{package}/data/vision.py",
        "src/{package}/data/patterns.py",
        "src/{package}/data/transforms.py",
        "src/{package}/models/cnn.py",
        "src/{package}/models/backbone.py",
        "src/{package}/training/freeze.py",
        "tests/test_backbones.py",
    ],
    "text": [
        "configs/gpt2-small.yaml",
        "src/{package}/data/text.py",
        "src/{package}/data/tokenizer.py",
        "src/{package}/data/corpus.py",
        "src/{package}/data/sample_text.py",
        "src/{package}/models/gpt.py",
        "src/{package}/generate.py",
        "tests/test_generate.py",
        "tests/test_tokenizer.py",
    ],
}
# Files that exist only when their feature is on: a bool question answered yes, or an option of
# a multiselect question chosen; a tuple of features means any of them.
FEATURE_FILES: dict[str | tuple[str, ...], list[str]] = {
    "amp": ["tests/test_precision.py"],
    "ema": ["src/{package}/training/ema.py", "tests/test_ema.py"],
    "tensorboard": ["src/{package}/utils/tensorboard.py", "tests/test_tensorboard.py"],
    "mlflow": ["src/{package}/utils/mlflow_tracking.py", "tests/test_mlflow.py"],
    "wandb": ["src/{package}/utils/wandb_tracking.py", "tests/test_wandb.py"],
    "trackio": ["src/{package}/utils/trackio_tracking.py", "tests/test_trackio.py"],
    "tune": [
        "src/{package}/tune.py",
        "configs/tune.yaml",
        "scripts/slurm_tune.sbatch",
        "tests/test_tune.py",
    ],
    "github_ci": [".github/workflows/ci.yml"],
    "ddp": [
        "configs/ddp.yaml",
        "scripts/slurm_ddp.sbatch",
        "tests/test_distributed.py",
    ],
    "export": [
        "src/{package}/export.py",
        "src/{package}/manifest.py",
        "src/{package}/utils/quiet.py",
        "tests/test_export.py",
    ],
    "onnx": ["src/{package}/quantize.py", "tests/test_quantize.py"],
    "serving": [
        "src/{package}/predict.py",
        "src/{package}/serve.py",
        "tests/test_predict.py",
        "tests/test_serve.py",
    ],
    ("export", "serving"): ["src/{package}/inference.py"],
    "fsdp": ["src/{package}/training/fsdp.py", "tests/test_fsdp.py"],
}
# Features that follow from other answers (copier.yml's computed `when: false` values).
DERIVED = {"fsdp": lambda answers: answers.get("task") == "text" and bool(answers.get("ddp"))}
# Text that only a project with the feature may contain.
FEATURE_WORDS = {
    "pt2": re.compile(r"\.pt2\b|torch\.export\.(save|load)\b"),
    "onnx": re.compile(r"onnx", re.IGNORECASE),
    "serving": re.compile(r"fastapi|uvicorn|httpx", re.IGNORECASE),
    "mlflow": re.compile(r"mlflow", re.IGNORECASE),
    "wandb": re.compile(r"wandb|W&B|Weights & Biases", re.IGNORECASE),
    "trackio": re.compile(r"trackio", re.IGNORECASE),
    "tune": re.compile(r"optuna", re.IGNORECASE),
    "fsdp": re.compile(r"fsdp|fully_shard|torch\.distributed\.checkpoint", re.IGNORECASE),
}


def is_on(feature: str | tuple[str, ...], answers: dict[str, Any]) -> bool:
    """Whether the answers switch `feature` (or, for a tuple, any of them) on."""
    if isinstance(feature, tuple):
        return any(is_on(f, answers) for f in feature)
    if feature in DERIVED:
        return DERIVED[feature](answers)
    if feature in answers:
        return bool(answers[feature])
    return any(isinstance(value, list) and feature in value for value in answers.values())


def expected_files(answers: dict[str, Any]) -> set[str]:
    """The files a project with these answers must contain, and no others."""
    package = f"src/{answers['package_name']}"
    files = {*PROJECT_FILES, *(f"{package}/{name}" for name in PACKAGE_FILES)}
    task_files = TASK_FILES[answers.get("task", "tabular")]
    files.update(path.format(package=answers["package_name"]) for path in task_files)
    for feature, paths in FEATURE_FILES.items():
        if is_on(feature, answers):
            files.update(path.format(package=answers["package_name"]) for path in paths)
    return files


def rendered_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", "."],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("combo", render_combinations(), ids=combo_id)
def test_combination_renders_clean(copie, template_dir: Path, combo: dict[str, Any]) -> None:
    """It renders the expected files with no template residue, and ruff finds nothing."""
    answers = {"project_name": "demo-proj", **combo}
    result = copie.copy(extra_answers=answers, template_dir=template_dir)
    assert result.exit_code == 0, result.exception
    root = result.project_dir
    answers = yaml.safe_load((root / ".copier-answers.yml").read_text())
    assert {k: answers[k] for k in combo} == combo
    assert answers["package_name"] == "demo_proj"
    assert rendered_files(root) == expected_files(answers)
    for path in root.rglob("*"):
        if path.is_file():
            text = path.read_text()
            # `${{ ... }}` is GitHub Actions syntax, not template residue.
            assert not re.search(r"(?<!\$)\{\{|\{%|\{#|%\}|#\}", text), f"residue in {path}"
            assert "\n\n\n\n" not in text, f"run of blank lines in {path}"
            for feature, words in FEATURE_WORDS.items():
                if not is_on(feature, answers):
                    assert not words.search(text), f"{path} mentions {feature}, which is off"
            if path.suffix in (".sh", ".sbatch"):
                syntax = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
                assert syntax.returncode == 0, f"{path}: {syntax.stderr}"
    check = ruff("check", cwd=root)
    assert check.returncode == 0, check.stdout
    fmt = ruff("format", "--check", cwd=root)
    assert fmt.returncode == 0, fmt.stdout
    toml = (root / "pyproject.toml").read_text()
    assert f'requires-python = ">={answers["python_version"]}"' in toml


def test_longest_package_name_keeps_formatting(copie) -> None:
    """A package name at the length limit still renders ruff-format clean."""
    name = "p" * 32
    result = copie.copy(extra_answers={"project_name": name})
    assert result.exit_code == 0, result.exception
    fmt = ruff("format", "--check", cwd=result.project_dir)
    assert fmt.returncode == 0, fmt.stdout
    check = ruff("check", cwd=result.project_dir)
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_name": "9lives"}, "must start with a letter"),
        ({"project_name": "ok", "package_name": "class"}, "would shadow"),
        ({"project_name": "ok", "package_name": "json"}, "would shadow"),
        ({"project_name": "ok", "package_name": "torch"}, "would shadow"),
        ({"project_name": "ok", "package_name": "Bad-Name"}, "not a valid package name"),
        ({"project_name": "ok", "package_name": "p" * 33}, "at most 32 characters"),
    ],
)
def test_invalid_answers_are_rejected(copie, answers: dict[str, str], message: str) -> None:
    """Copier's validators refuse bad names with a message that says why."""
    result = copie.copy(extra_answers=answers)
    assert result.exit_code != 0
    assert message in str(result.exception)


def test_free_text_answers_are_escaped(copie) -> None:
    """Quotes, backslashes and non-ASCII text in answers keep pyproject.toml valid."""
    import tomllib

    description = 'Says "hi" to C:\\data — naïvely'
    result = copie.copy(
        extra_answers={"project_name": "esc", "description": description, "author": 'O\'Neil "Al"'}
    )
    assert result.exit_code == 0, result.exception
    meta = tomllib.loads((result.project_dir / "pyproject.toml").read_text())["project"]
    assert meta["description"] == description
    assert meta["authors"] == [{"name": 'O\'Neil "Al"'}]


@pytest.mark.parametrize(
    "answers",
    [{}, {"amp": False, "ddp": False}, {"gpu_runner_labels": "self-hosted,gpu-a100"}],
    ids=["defaults", "no-amp-no-ddp", "custom-labels"],
)
def test_generated_workflow_is_valid(copie, answers: dict[str, Any]) -> None:
    """The generated GitHub Actions workflow passes the official workflow schema."""
    result = copie.copy(extra_answers={"project_name": "wf", **answers})
    assert result.exit_code == 0, result.exception
    workflow = result.project_dir / ".github" / "workflows" / "ci.yml"
    check = validate_workflows(workflow)
    assert check.returncode == 0, check.stdout + check.stderr
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    labels = answers.get("gpu_runner_labels", "self-hosted, linux, gpu")
    assert jobs["gpu"]["runs-on"] == [label.strip() for label in labels.split(",")]


def test_bad_runner_labels_are_rejected(copie) -> None:
    """Runner labels must be a comma-separated list of plain words."""
    result = copie.copy(extra_answers={"project_name": "wf", "gpu_runner_labels": "a b; rm"})
    assert result.exit_code != 0
    assert "runner labels" in str(result.exception)


def test_repository_workflows_are_valid() -> None:
    """The generator's own workflows pass the official workflow schema."""
    workflows = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert workflows, "no workflows"
    check = validate_workflows(*workflows)
    assert check.returncode == 0, check.stdout + check.stderr


def validate_workflows(*paths: Path) -> subprocess.CompletedProcess:
    """check-jsonschema against its bundled copy of GitHub's workflow schema (offline)."""
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema"]
    return subprocess.run(
        [*command, "vendor.github-workflows", *map(str, paths)], capture_output=True, text=True
    )

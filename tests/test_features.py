"""`torchgen add` and `remove`: switch features at the project's template version, safely."""

from pathlib import Path

import pytest
import yaml

from template_repo import (
    assert_failed,
    commit_all,
    git,
    invoke,
    make_template,
    new_project,
    real_template,
    snapshot,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project of the tiny template with every feature at its default (feat off, pt2 only)."""
    return new_project(make_template(tmp_path / "template"), tmp_path / "proj")


def answers(project: Path) -> dict:
    """The answers file of a project."""
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def test_add_then_remove_round_trip(project: Path) -> None:
    """Adding a bool feature and a multiselect option, then removing both, restores every file."""
    original = snapshot(project)
    result = invoke("add", "feat", "onnx", "--path", project)
    assert result.exit_code == 0, result.output
    assert (project / "feat.py").is_file() and (project / "onnx.py").is_file()
    assert (project / "deps.txt").read_text() == "torch\nfeatlib\n", "dependency did not follow"
    assert answers(project)["feat"] is True
    assert answers(project)["export"] == ["pt2", "onnx"]
    commit_all(project, "add")

    result = invoke("remove", "feat", "onnx", "--path", project)
    assert result.exit_code == 0, result.output
    assert "deleted   feat.py" in result.stdout
    assert snapshot(project) == original


def test_remove_refuses_edited_file(project: Path) -> None:
    """It names a feature file the owner edited and deletes nothing without --force."""
    assert invoke("add", "feat", "--path", project).exit_code == 0
    (project / "feat.py").write_text("FEAT = True\n# tuned by hand\n")
    commit_all(project, "add and edit")
    before = snapshot(project)
    assert_failed(invoke("remove", "feat", "--path", project), 2, "feat.py", "--force")
    assert snapshot(project) == before
    assert git("status", "--porcelain", cwd=project) == ""

    result = invoke("remove", "feat", "--path", project, "--force")
    assert result.exit_code == 0, result.output
    assert not (project / "feat.py").exists()


def test_edits_elsewhere_survive_a_switch(project: Path) -> None:
    """The owner's edit of a file the feature does not touch stays when a feature is added."""
    (project / "notes.txt").write_text("one\ntwo\nmine\n")
    commit_all(project)
    assert invoke("add", "feat", "--path", project).exit_code == 0
    assert (project / "notes.txt").read_text() == "one\ntwo\nmine\n"


def test_remove_keeps_template_revision(project: Path) -> None:
    """Switching a feature re-renders at the recorded revision; it does not update the template."""
    assert invoke("add", "feat", "--path", project).exit_code == 0
    assert answers(project)["_commit"] == "1.0.0"


@pytest.mark.parametrize(
    ("command", "feature", "words"),
    [
        ("add", "colour", ["unknown feature 'colour'", "feat, pt2, onnx"]),
        ("remove", "name", ["unknown feature 'name'"]),
        ("add", "serving", ["'serving' is not available", "feat, pt2, onnx"]),
    ],
)
def test_bad_feature_refused(project: Path, command: str, feature: str, words: list[str]) -> None:
    """An unknown feature, or one the answers rule out, gets one line listing the valid ones."""
    before = snapshot(project)
    assert_failed(invoke(command, feature, "--path", project), 2, *words)
    assert snapshot(project) == before


def test_feature_the_answers_allow(tmp_path: Path) -> None:
    """A feature whose question applies only to some answers can be added where it applies."""
    template = make_template(tmp_path / "template")
    project = new_project(template, tmp_path / "vision", "--data", "task=vision")
    result = invoke("add", "serving", "--path", project)
    assert result.exit_code == 0, result.output
    assert (project / "serve.py").is_file()


def test_already_on_is_a_no_op(project: Path) -> None:
    """Adding a feature that is on already changes nothing and succeeds."""
    result = invoke("add", "pt2", "--path", project)
    assert result.exit_code == 0, result.output
    assert "Nothing to do: pt2 already on." in result.stdout
    assert git("status", "--porcelain", cwd=project) == ""


def test_dirty_tree_refused(project: Path) -> None:
    """Uncommitted changes stop add before anything is written."""
    (project / "scratch.txt").write_text("wip\n")
    assert_failed(invoke("add", "feat", "--path", project), 2, "uncommitted changes")
    assert not (project / "feat.py").exists()


def test_not_a_project_refused(tmp_path: Path) -> None:
    """A folder that is no generated project is refused."""
    assert_failed(invoke("remove", "feat", "--path", tmp_path), 2, "not a torchgen project")


def test_trackers_of_the_real_template(tmp_path: Path) -> None:
    """Each tracker of the real template is a feature: `add wandb trackio` brings their modules,
    tests, config sections and dependencies; `remove wandb` takes W&B's away and keeps trackio's."""
    template = real_template(tmp_path / "template")
    project = new_project(template, tmp_path / "trk", "--data", "trackers=[]")
    package = project / "src" / "trk"
    tracker_files = {
        name: [package / "utils" / f"{name}_tracking.py", project / "tests" / f"test_{name}.py"]
        for name in ("wandb", "trackio")
    }

    result = invoke("add", "wandb", "trackio", "--path", project)
    assert result.exit_code == 0, result.output
    assert answers(project)["trackers"] == ["wandb", "trackio"]
    assert all(path.is_file() for paths in tracker_files.values() for path in paths)
    pyproject = (project / "pyproject.toml").read_text()
    assert '"wandb>=' in pyproject and '"trackio>=' in pyproject and "mlflow" not in pyproject
    config = (package / "config.py").read_text()
    assert "wandb: WandbConfig" in config and "trackio: TrackioConfig" in config
    commit_all(project, "add")

    result = invoke("remove", "wandb", "--path", project)
    assert result.exit_code == 0, result.output
    assert answers(project)["trackers"] == ["trackio"]
    assert not any(path.exists() for path in tracker_files["wandb"])
    assert all(path.is_file() for path in tracker_files["trackio"])
    assert "wandb" not in (project / "pyproject.toml").read_text()
    assert "WandbConfig" not in (package / "config.py").read_text()

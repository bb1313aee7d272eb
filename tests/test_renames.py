"""Rename migrations: the owner's edits of a file the template moved follow it to its new path."""

from pathlib import Path

import copier
import pytest

from template_repo import (
    COPIER_YML,
    MAIN,
    commit_all,
    git,
    invoke,
    make_template,
    new_project,
    release,
    write,
)

OLD, NEW = "src/demo/loop.py", "src/demo/training/trainer.py"
RENAMES = """\
_torchgen_renames:
  - from: "src/{{ name }}/loop.py"
    to: "src/{{ name }}/training/trainer.py"
"""


def move_in_template(template: Path, declare: bool) -> None:
    """Release 2.0.0: loop.py moves to training/trainer.py and its line H changes."""
    git("rm", "--quiet", "template/src/{{name}}/loop.py", cwd=template)
    files = {"template/src/{{name}}/training/trainer.py": MAIN.replace("H = 8", "H = 80")}
    if declare:
        files["copier.yml"] = COPIER_YML + RENAMES
    release(template, files, "2.0.0")


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """The tiny template with src/{{name}}/loop.py at 1.0.0."""
    template = make_template(tmp_path / "template")
    release(template, {"template/src/{{name}}/loop.py": MAIN}, "1.1.0")
    return template


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    """A project whose owner edited line A of loop.py."""
    root = new_project(template, tmp_path / "proj")
    write(root, {OLD: MAIN.replace("A = 1", "A = 100")})
    commit_all(root)
    return root


def test_edits_follow_a_renamed_file(template: Path, project: Path) -> None:
    """After the update the new path holds the owner's edit and the template's change."""
    move_in_template(template, declare=True)
    result = invoke("update", project)
    assert result.exit_code == 0, result.output
    assert not (project / OLD).exists()
    moved = (project / NEW).read_text()
    assert "A = 100\n" in moved, "the owner's edit was lost"
    assert "H = 80\n" in moved, "the template's change was lost"
    assert "<<<<<<<" not in moved


def test_conflicting_edit_of_a_renamed_file(template: Path, project: Path) -> None:
    """An edit of a line the new version also changed is marked and reported as a conflict."""
    write(project, {OLD: MAIN.replace("A = 1", "A = 100").replace("H = 8", "H = 9")})
    commit_all(project)
    move_in_template(template, declare=True)
    result = invoke("update", project)
    assert result.exit_code == 3, result.output
    assert f"  {NEW}" in result.stdout
    moved = (project / NEW).read_text()
    assert "A = 100\n" in moved
    assert "<<<<<<< before updating\nH = 9\n=======\nH = 80\n>>>>>>> after updating" in moved


def test_unedited_renamed_file_is_the_template_s(template: Path, tmp_path: Path) -> None:
    """A moved file the owner never edited is simply the new version's."""
    root = new_project(template, tmp_path / "clean")
    move_in_template(template, declare=True)
    assert invoke("update", root).exit_code == 0
    assert (root / NEW).read_text() == MAIN.replace("H = 8", "H = 80")


def test_copier_alone_drops_the_edit(template: Path, project: Path) -> None:
    """Why the migration exists: without it the update loses the owner's edit of a moved file."""
    move_in_template(template, declare=False)
    copier.run_update(project, defaults=True, overwrite=True, quiet=True)
    assert "A = 100\n" not in (project / NEW).read_text()

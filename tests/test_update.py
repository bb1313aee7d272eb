"""`torchgen update`: a three-way merge to the newest template that keeps the owner's edits."""

from pathlib import Path

import copier
import pytest
import yaml

from template_repo import (
    MAIN,
    assert_failed,
    commit_all,
    git,
    invoke,
    make_template,
    new_project,
    release,
    snapshot,
)

# Version 2.0.0 changes line A (which the owner also edits) and line H, and adds a file.
V2 = {
    "template/main.py.jinja": 'NAME = "{{ name }}"\n'
    + MAIN.replace("A = 1", "A = 10").replace("H = 8", "H = 80"),
    "template/added.txt": "new in 2.0.0\n",
}


@pytest.fixture
def template(tmp_path: Path) -> Path:
    """The tiny template's repository at version 1.0.0."""
    return make_template(tmp_path / "template")


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    """A project made from 1.0.0 whose owner edited notes.txt and committed."""
    root = new_project(template, tmp_path / "proj")
    (root / "notes.txt").write_text("one\ntwo\nmy own line\n")
    commit_all(root)
    return root


def recorded(project: Path) -> dict:
    """The answers file of a project."""
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def test_update_keeps_edits_and_adds_new_files(template: Path, project: Path) -> None:
    """It merges 2.0.0 in, keeps an edit the template did not touch, and exits 0."""
    release(template, V2, "2.0.0")
    result = invoke("update", project)
    assert result.exit_code == 0, result.output
    assert "to template version 2.0.0 (was 1.0.0)" in result.stdout
    assert (project / "notes.txt").read_text() == "one\ntwo\nmy own line\n", "edit lost"
    assert (project / "added.txt").read_text() == "new in 2.0.0\n", "new file missing"
    assert "A = 10\n" in (project / "main.py").read_text()
    assert recorded(project)["_commit"] == "2.0.0"
    assert "new       added.txt" in result.stdout
    assert git("log", "--format=%s", cwd=project).splitlines()[0] == "edit", "update committed"


def test_conflict_is_marked_and_reported(template: Path, project: Path) -> None:
    """An edit of a line 2.0.0 also changes is marked inline, listed, and the exit code is 3."""
    (project / "main.py").write_text((project / "main.py").read_text().replace("A = 1", "A = 7"))
    commit_all(project)
    release(template, V2, "2.0.0")
    result = invoke("update", project)
    assert result.exit_code == 3, result.output
    assert "Conflicts in 1 file" in result.stdout and "  main.py" in result.stdout
    merged = (project / "main.py").read_text()
    assert "<<<<<<< before updating\nA = 7\n=======\nA = 10\n>>>>>>> after updating" in merged
    assert "H = 80\n" in merged, "the non-conflicting hunk of the same file was not applied"
    assert (project / "notes.txt").read_text().endswith("my own line\n")
    assert "main.py" in git("diff", "--name-only", "--diff-filter=U", cwd=project)


def test_conflict_as_rej_file(template: Path, project: Path) -> None:
    """With --conflict rej main.py takes 2.0.0's line, the owner's edit goes to main.py.rej."""
    (project / "main.py").write_text((project / "main.py").read_text().replace("A = 1", "A = 7"))
    commit_all(project)
    release(template, V2, "2.0.0")
    result = invoke("update", project, "--conflict", "rej")
    assert result.exit_code == 3, result.output
    assert "+A = 7\n" in (project / "main.py.rej").read_text()
    assert "A = 10\n" in (project / "main.py").read_text()
    assert "  main.py\n" in result.stdout and "main.py.rej" not in result.stdout


def test_pretend_changes_nothing(template: Path, project: Path) -> None:
    """--pretend lists what would change and leaves files, index and answers as they were."""
    release(template, V2, "2.0.0")
    before = snapshot(project)
    result = invoke("update", project, "--pretend")
    assert result.exit_code == 0, result.output
    assert "Would update" in result.stdout and "added.txt" in result.stdout
    assert snapshot(project) == before
    assert git("status", "--porcelain", cwd=project) == ""


def test_deleted_file_stays_deleted(template: Path, project: Path) -> None:
    """A template file the owner deleted is not brought back by an update."""
    git("rm", "--quiet", "notes.txt", cwd=project)
    commit_all(project, "owner: no notes")
    release(template, V2, "2.0.0")
    assert invoke("update", project).exit_code == 0
    assert not (project / "notes.txt").exists()
    assert (project / "added.txt").is_file()


def test_data_changes_an_answer(template: Path, project: Path) -> None:
    """--data switches an answer during the update; the files follow."""
    result = invoke("update", project, "--data", "feat=true")
    assert result.exit_code == 0, result.output
    assert (project / "feat.py").is_file()
    assert "featlib" in (project / "deps.txt").read_text()
    assert recorded(project)["feat"] is True


def test_up_to_date(project: Path) -> None:
    """With no newer template it says so and changes nothing."""
    result = invoke("update", project)
    assert result.exit_code == 0, result.output
    assert "already at template version 1.0.0" in result.stdout
    assert git("status", "--porcelain", cwd=project) == ""


def test_dirty_tree_refused(template: Path, project: Path) -> None:
    """Uncommitted changes stop it with one error line, and nothing changes."""
    release(template, V2, "2.0.0")
    (project / "notes.txt").write_text("uncommitted\n")
    before = snapshot(project)
    assert_failed(invoke("update", project), 2, "uncommitted changes")
    assert snapshot(project) == before


def test_not_a_project_refused(tmp_path: Path) -> None:
    """A folder without a copier answers file is refused."""
    assert_failed(invoke("update", tmp_path), 2, "not a torchgen project")


def test_project_without_git_refused(template: Path, tmp_path: Path) -> None:
    """A project made with --no-git cannot be merged into, and says how to fix it."""
    root = new_project(template, tmp_path / "nogit", "--no-git")
    before = snapshot(root)
    assert_failed(invoke("update", root), 2, "not in a git repository", "git init")
    assert snapshot(root) == before


def test_newer_project_refused(template: Path, tmp_path: Path) -> None:
    """A project made after the template's newest release is refused: no downgrades."""
    release(template, {"template/notes.txt": "one\ntwo\nthree\n"}, tag=None)
    root = new_project(template, tmp_path / "newer", "--vcs-ref", "HEAD")
    before = snapshot(root)
    assert_failed(invoke("update", root), 1, "newer template")
    assert snapshot(root) == before


def test_unknown_revision_refused(project: Path) -> None:
    """A project whose recorded revision the template lacks is refused."""
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("_commit: 1.0.0", "_commit: 9.9.9"))
    commit_all(project)
    assert_failed(invoke("update", project), 1, "lacks the template revision 9.9.9")


def test_plain_copier_update_works(template: Path, project: Path) -> None:
    """`copier update` alone updates a torchgen project too: the answers file is standard."""
    release(template, V2, "2.0.0")
    copier.run_update(project, defaults=True, overwrite=True, quiet=True)
    assert (project / "added.txt").is_file()
    assert recorded(project)["_commit"] == "2.0.0"

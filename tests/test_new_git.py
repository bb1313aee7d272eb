"""`torchgen new` makes the project a git repository, so that it can be updated from day one."""

from pathlib import Path

import pytest
import yaml

from template_repo import git, invoke, make_template, write
from torchgen_cli import builtin


def log(project: Path) -> list[str]:
    """The project's commits as 'author <email>|subject'."""
    return git("log", "--format=%an <%ae>|%s", cwd=project).splitlines()


def test_new_commits_every_file(tmp_path: Path) -> None:
    """The first commit holds all generated files: the tree is clean and has one commit."""
    result = invoke("new", tmp_path / "x", "--defaults")
    assert result.exit_code == 0, result.output
    assert len(log(tmp_path / "x")) == 1
    assert "Generate x with torchgen" in log(tmp_path / "x")[0]
    assert git("status", "--porcelain", "--untracked-files=all", cwd=tmp_path / "x") == ""


def test_no_git(tmp_path: Path) -> None:
    """--no-git leaves git alone."""
    result = invoke("new", tmp_path / "x", "--defaults", "--no-git")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "x" / ".git").exists()


def test_inside_a_repository_no_nested_one(tmp_path: Path) -> None:
    """Inside an existing work tree it makes no nested repository, and says so."""
    git("init", "--quiet", cwd=tmp_path)
    result = invoke("new", tmp_path / "x", "--defaults")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "x" / ".git").exists()
    assert "inside the git repository" in result.stdout


def test_fallback_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without any configured identity it commits as torchgen instead of failing."""
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{name}_NAME", raising=False)
        monkeypatch.delenv(f"GIT_{name}_EMAIL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-such-config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # No guessing from the host name either: git finds no identity at all.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "user.useConfigOnly")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    result = invoke("new", tmp_path / "x", "--defaults")
    assert result.exit_code == 0, result.output
    assert log(tmp_path / "x")[0].startswith("torchgen <torchgen@localhost>|")


def test_configured_identity_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A configured identity is used, not the fallback."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Ada")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "ada@example.com")
    result = invoke("new", tmp_path / "x", "--defaults")
    assert result.exit_code == 0, result.output
    assert log(tmp_path / "x")[0].startswith("Ada <ada@example.com>|")


def test_without_git_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a git executable it fails before writing, and points at --no-git."""
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = invoke("new", tmp_path / "x", "--defaults")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: git is not installed") and "--no-git" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_dirty_checkout_records_its_last_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dirty development checkout renders its changes but records its last commit: updatable."""
    checkout = make_template(tmp_path / "checkout")
    write(checkout, {"template/notes.txt": "one\ntwo\nuncommitted\n"})
    monkeypatch.setattr(builtin, "builtin_template", lambda: checkout)
    result = invoke("new", tmp_path / "x", "--defaults")
    assert result.exit_code == 0, result.output
    project = tmp_path / "x"
    assert (project / "notes.txt").read_text().endswith("uncommitted\n")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "1.0.0", answers
    result = invoke("update", project)
    assert result.exit_code == 0, result.output
    assert (project / "notes.txt").read_text().endswith("uncommitted\n")

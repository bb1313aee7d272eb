"""`torchgen new`: answers, one-line failures that leave nothing behind, and what it writes."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

from torchgen_cli import __version__
from torchgen_cli.cli import app

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()


def invoke(*args: object) -> Result:
    """Run `torchgen ARGS...` in-process."""
    return runner.invoke(app, [str(arg) for arg in args])


def assert_failed(result: Result, exit_code: int, *words: str) -> str:
    """Check a clean failure: the exit code and one `error:` line naming `words`, no traceback."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for word in words:
        assert word in lines[0]
    return lines[0]


def read_answers(project: Path) -> dict[str, str]:
    """Return the answers copier recorded in a rendered project."""
    return yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))


@pytest.fixture
def plain_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the template in a plain folder (not a git repository)."""
    folder = tmp_path_factory.mktemp("plain") / "template_src"
    folder.mkdir()
    shutil.copy(REPO / "copier.yml", folder)
    shutil.copytree(REPO / "template", folder / "template")
    return folder


@pytest.fixture
def git_template(plain_template: Path) -> Path:
    """The same copy committed to a fresh git repository."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(plain_template)]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "template"]):
        subprocess.run([*git, *args], check=True)
    return plain_template


@pytest.mark.parametrize(
    ("args", "exit_code", "words"),
    [
        (["--data", "package_name=My-Pkg"], 2, ["package_name", "My-Pkg"]),
        (["--data", "package_name=class"], 2, ["package_name", "shadow"]),
        (["--data", "package_name=json"], 2, ["package_name", "shadow"]),
        (["--data", "project_name=1abc"], 2, ["project_name"]),
        (["--data", "colour=red"], 2, ["'colour'", "package_name", "python_version"]),
        (["--data", "reserved_names=[]"], 2, ["'reserved_names'"]),
        (["--data", "no-equals-sign"], 2, ["KEY=VALUE", "no-equals-sign"]),
        (["--data", "=value"], 2, ["KEY=VALUE"]),
        (["--data", "python_version=3.9"], 2, ["python_version", "3.9"]),
        (["--data", "task=audio"], 2, ["task", "audio"]),
        ([], 2, ["--defaults", "--data"]),
        (["--defaults", "--template", "no/such/folder"], 2, ["no/such/folder", "does not exist"]),
        (["--defaults", "--template", "file:///no/such/repo.git"], 1, ["/no/such/repo.git"]),
    ],
)
def test_bad_input_fails_cleanly(
    tmp_path: Path, args: list[str], exit_code: int, words: list[str]
) -> None:
    """It exits non-zero with one `error:` line that names the problem, and writes nothing."""
    result = invoke("new", tmp_path / "proj", *args)
    assert_failed(result, exit_code, *words)
    assert list(tmp_path.iterdir()) == []


def test_default_from_folder_name_fails_with_hint(tmp_path: Path) -> None:
    """It rejects a folder name that is no valid project name and says how to give one."""
    result = invoke("new", tmp_path / "1abc", "--defaults")
    assert_failed(result, 2, "project_name", "--data project_name=")
    assert list(tmp_path.iterdir()) == []


def test_template_without_copier_yml(tmp_path: Path) -> None:
    """It exits 2 when --template names a folder that is not a Copier template."""
    (tmp_path / "not_a_template").mkdir()
    result = invoke(
        "new", tmp_path / "proj", "--defaults", "--template", tmp_path / "not_a_template"
    )
    assert_failed(result, 2, "no copier.yml")
    assert [path.name for path in tmp_path.iterdir()] == ["not_a_template"]


def test_unknown_vcs_ref(tmp_path: Path, git_template: Path) -> None:
    """It exits 2 and names the ref when a git template has no such tag, branch or commit."""
    result = invoke(
        "new",
        tmp_path / "proj",
        "--defaults",
        "--template",
        git_template,
        "--vcs-ref",
        "no-such-ref",
    )
    assert_failed(result, 2, "no-such-ref")
    assert list(tmp_path.iterdir()) == []


def test_vcs_ref_needs_git(tmp_path: Path, plain_template: Path) -> None:
    """It exits 2 instead of ignoring --vcs-ref for a template that is not a git repository."""
    result = invoke(
        "new", tmp_path / "proj", "--defaults", "--template", plain_template, "--vcs-ref", "v1"
    )
    assert_failed(result, 2, "--vcs-ref", "git")
    assert list(tmp_path.iterdir()) == []


def test_git_template_at_ref(tmp_path: Path, git_template: Path) -> None:
    """It renders a git template at the given ref and records that commit."""
    result = invoke(
        "new", tmp_path / "proj", "--defaults", "--template", git_template, "--vcs-ref", "HEAD"
    )
    assert result.exit_code == 0, result.output
    assert read_answers(tmp_path / "proj")["_commit"]


def test_non_empty_target_needs_force(tmp_path: Path) -> None:
    """It exits 2, suggests --force and leaves an existing non-empty folder untouched."""
    target = tmp_path / "proj"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    result = invoke("new", target, "--defaults")
    assert_failed(result, 2, "--force")
    assert [path.name for path in tmp_path.iterdir()] == ["proj"]
    assert [path.name for path in target.iterdir()] == ["notes.txt"]


def test_target_is_a_file(tmp_path: Path) -> None:
    """It exits 2 when PATH is an existing file."""
    (tmp_path / "proj").write_text("")
    result = invoke("new", tmp_path / "proj", "--defaults")
    assert_failed(result, 2, "not a folder")
    assert [path.name for path in tmp_path.iterdir()] == ["proj"]


def test_unwritable_target(tmp_path: Path) -> None:
    """It exits 1 when PATH cannot be created because a parent is a regular file."""
    (tmp_path / "file").write_text("")
    result = invoke("new", tmp_path / "file" / "proj", "--defaults")
    assert_failed(result, 1, "file")
    assert [path.name for path in tmp_path.iterdir()] == ["file"]


def test_failure_removes_created_parents(tmp_path: Path) -> None:
    """It removes the parent folders it created when rendering fails."""
    result = invoke("new", tmp_path / "a" / "b" / "proj", "--data", "package_name=torch")
    assert_failed(result, 2, "package_name")
    assert list(tmp_path.iterdir()) == []


def test_force_target_conflict(tmp_path: Path) -> None:
    """It exits 1 and writes nothing when --force meets a folder where a file must go."""
    target = tmp_path / "proj"
    (target / "pyproject.toml").mkdir(parents=True)
    result = invoke("new", target, "--defaults", "--force")
    assert_failed(result, 1, "pyproject.toml")
    assert [path.name for path in target.iterdir()] == ["pyproject.toml"]
    assert [path.name for path in tmp_path.iterdir()] == ["proj"]


def test_reserved_names_cover_stdlib() -> None:
    """The reserved names in copier.yml include every public standard-library module."""
    config = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
    reserved = set(yaml.safe_load(config["reserved_names"]["default"]))
    public = {name for name in sys.stdlib_module_names if not name.startswith("_")}
    assert sorted(public - reserved) == []


@pytest.mark.parametrize(
    "name", ["torch", "typing", "copy", "test", "class", "torchgen", "1abc", "My-Pkg"]
)
def test_package_name_rejected(tmp_path: Path, name: str) -> None:
    """It rejects a package name that is invalid, a keyword or shadows a module it needs."""
    result = invoke("new", tmp_path / "proj", "--data", f"package_name={name}")
    assert_failed(result, 2, "package_name", name)
    assert list(tmp_path.iterdir()) == []


def test_package_name_accepted(tmp_path: Path) -> None:
    """It accepts a plain snake_case package name and names the command after it."""
    result = invoke("new", tmp_path / "proj", "--data", "package_name=my_proj")
    assert result.exit_code == 0, result.output
    assert read_answers(tmp_path / "proj")["package_name"] == "my_proj"
    assert "my_proj train" in result.stdout


def test_version() -> None:
    """It prints the installed version."""
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"torchgen {__version__}\n"


def test_no_arguments_shows_help() -> None:
    """Without arguments it prints the help, which lists `new`, to stderr and exits 2."""
    result = invoke()
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Usage: ")
    assert "new" in result.stderr


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_fast_start_imports_neither_copier_nor_torch(flag: str) -> None:
    """`python -m torchgen_cli --help/--version` imports neither copier nor torch."""
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "torchgen_cli", flag],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in completed.stderr.splitlines()}
    assert {name.split(".")[0] for name in imported} & {"copier", "torch"} == set()


def test_defaults_create_project(tmp_path: Path) -> None:
    """`new x --defaults` writes x, names project and package after it, and says what to do next."""
    result = invoke("new", tmp_path / "x", "--defaults")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    project = tmp_path / "x"
    assert (project / "pyproject.toml").is_file()
    assert (project / "README.md").is_file()
    answers = read_answers(project)
    assert answers["project_name"] == "x"
    assert answers["package_name"] == "x"
    assert "x make-data && x train" in result.stdout
    assert [path.name for path in tmp_path.iterdir()] == ["x"]


def test_data_sets_package_name(tmp_path: Path) -> None:
    """`--data package_name=foo_bar` is recorded and the rest take defaults, without prompts."""
    result = invoke("new", tmp_path / "my-proj", "--data", "package_name=foo_bar")
    assert result.exit_code == 0, result.output
    answers = read_answers(tmp_path / "my-proj")
    assert answers["project_name"] == "my-proj"
    assert answers["package_name"] == "foo_bar"
    assert answers["python_version"] == "3.11"


def test_data_value_stays_a_string(tmp_path: Path) -> None:
    """A --data value is passed as text: python_version=3.10 stays '3.10', not the number 3.1."""
    result = invoke("new", tmp_path / "proj", "--data", "python_version=3.10")
    assert result.exit_code == 0, result.output
    assert read_answers(tmp_path / "proj")["python_version"] == "3.10"


def test_pretend_writes_nothing(tmp_path: Path) -> None:
    """`--pretend` lists what it would create and writes nothing."""
    result = invoke("new", tmp_path / "proj", "--defaults", "--pretend")
    assert result.exit_code == 0, result.output
    assert "pyproject.toml" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_force_keeps_unrelated_files(tmp_path: Path) -> None:
    """`--force` writes into a non-empty folder and keeps the files the template lacks."""
    target = tmp_path / "proj"
    target.mkdir()
    (target / "notes.txt").write_text("mine\n")
    result = invoke("new", target, "--defaults", "--force")
    assert result.exit_code == 0, result.output
    assert (target / "notes.txt").read_text() == "mine\n"
    assert (target / "pyproject.toml").is_file()
    assert read_answers(target)["project_name"] == "proj"
    assert [path.name for path in tmp_path.iterdir()] == ["proj"]


def test_current_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`new .` fills the empty current folder in place and names the project after it."""
    here = tmp_path / "here-proj"
    here.mkdir()
    monkeypatch.chdir(here)
    result = invoke("new", ".", "--defaults")
    assert result.exit_code == 0, result.output
    assert read_answers(here)["package_name"] == "here_proj"
    assert "cd " not in result.stdout
    assert [path.name for path in tmp_path.iterdir()] == ["here-proj"]

"""A tiny Copier template in a temporary git repository, and helpers to drive torchgen on it."""

import shutil
import subprocess
from pathlib import Path

from typer.testing import CliRunner, Result

from combinations import REPO
from torchgen_cli.cli import app

COPIER_YML = """\
_subdirectory: template
_templates_suffix: .jinja
name:
  type: str
  default: demo
task:
  type: str
  choices: [tabular, vision]
  default: tabular
feat:
  type: bool
  default: false
serving:
  type: bool
  default: false
  when: "{{ task == 'vision' }}"
export:
  type: str
  multiselect: true
  choices: [pt2, onnx]
  default: [pt2]
"""
MAIN = "".join(f"{letter} = {value}\n" for value, letter in enumerate("ABCDEFGH", 1))
V1 = {
    "copier.yml": COPIER_YML,
    "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "template/main.py.jinja": 'NAME = "{{ name }}"\n' + MAIN,
    "template/notes.txt": "one\ntwo\n",
    "template/deps.txt.jinja": "torch\n{% if feat %}featlib\n{% endif %}",
    "template/{% if feat %}feat.py{% endif %}.jinja": "FEAT = True\n",
    "template/{% if serving %}serve.py{% endif %}.jinja": "SERVE = True\n",
    "template/{% if 'onnx' in export %}onnx.py{% endif %}.jinja": "ONNX = True\n",
}
runner = CliRunner()


def git(*args: str, cwd: Path) -> str:
    """Run git with a fixed identity; fail with its output."""
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def write(root: Path, files: dict[str, str]) -> None:
    """Write `files` (path: text) under `root`."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def release(repo: Path, files: dict[str, str], tag: str | None) -> str:
    """Write `files` into the template, commit them and tag the commit; return its hash."""
    write(repo, files)
    git("add", "--all", cwd=repo)
    git("commit", "--quiet", "--message", f"template {tag}", cwd=repo)
    if tag:
        git("tag", tag, cwd=repo)
    return git("rev-parse", "HEAD", cwd=repo).strip()


def make_template(folder: Path) -> Path:
    """Create the template's repository with version 1.0.0."""
    folder.mkdir(parents=True)
    git("init", "--quiet", cwd=folder)
    release(folder, V1, "1.0.0")
    return folder


def real_template(folder: Path) -> Path:
    """This repository's template (copier.yml and template/) in a new git repository at
    `folder`, released as 1.0.0."""
    folder.mkdir(parents=True)
    shutil.copy(REPO / "copier.yml", folder)
    shutil.copytree(REPO / "template", folder / "template")
    git("init", "--quiet", cwd=folder)
    release(folder, {}, "1.0.0")
    return folder


def commit_all(project: Path, message: str = "edit") -> None:
    """Commit everything in the project, as its owner would."""
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "--message", message, cwd=project)


def invoke(*args: object) -> Result:
    """Run `torchgen ARGS...` in-process."""
    return runner.invoke(app, [str(arg) for arg in args])


def new_project(template: Path, target: Path, *args: str) -> Path:
    """Render the template with torchgen new (which also makes the first commit)."""
    result = invoke("new", target, "--defaults", "--template", template, *args)
    assert result.exit_code == 0, result.output
    return target


def assert_failed(result: Result, exit_code: int, *words: str) -> str:
    """Check a clean failure: the exit code and one `error:` line naming `words`, no traceback."""
    assert result.exit_code == exit_code, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of a project but its .git folder, with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }

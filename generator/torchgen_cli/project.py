"""A generated project as update, add and remove see it: its recorded answers and its git state."""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from torchgen_cli.errors import USAGE, CliError
from torchgen_cli.gitrepo import is_dirty, require_git, work_tree_root

ANSWERS_FILE = ".copier-answers.yml"


@dataclass(frozen=True)
class Project:
    """A project folder with the answers, template source and revision it was rendered with."""

    root: Path
    recorded: dict[str, Any]

    @property
    def source(self) -> str:
        """The template source copier recorded (`_src_path`)."""
        return str(self.recorded["_src_path"])

    @property
    def commit(self) -> str:
        """The template revision copier recorded (`_commit`)."""
        return str(self.recorded["_commit"])

    @property
    def answers(self) -> dict[str, Any]:
        """The answers to the template's questions, without copier's private keys."""
        return {k: v for k, v in self.recorded.items() if not k.startswith("_")}


def read_answers(root: Path) -> dict[str, Any]:
    """Return the answers recorded in `root`'s answers file, or an empty mapping."""
    try:
        data = yaml.safe_load((root / ANSWERS_FILE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def record(root: Path, key: str, value: str) -> None:
    """Replace one top-level `key: value` line of the answers file, keeping the rest as it is."""
    path = root / ANSWERS_FILE
    line = yaml.safe_dump({key: value}, default_flow_style=False).strip()
    text, count = re.subn(rf"(?m)^{re.escape(key)}:.*$", lambda _: line, path.read_text("utf-8"))
    if count != 1:
        raise CliError(f"cannot record {key} in {path}: expected one '{key}:' line")
    path.write_text(text, encoding="utf-8")


def load_project(path: Path) -> Project:
    """Read a generated project; refuse a folder that is not one or cannot be updated."""
    root = path.expanduser().resolve()
    if not root.is_dir():
        raise CliError(f"{path} is not a folder", USAGE)
    recorded = read_answers(root)
    if not recorded.get("_src_path"):
        reason = f"{path} is not a torchgen project: it has no {ANSWERS_FILE} naming its template"
        raise CliError(reason, USAGE)
    if not recorded.get("_commit"):
        reason = (
            f"{path} records no template revision (_commit in {ANSWERS_FILE}): it was rendered "
            "from a plain folder, not from git history, so it cannot be updated"
        )
        raise CliError(reason)
    return Project(root, recorded)


def require_clean_repo(project: Project) -> Path:
    """Return the top of the project's work tree; refuse no git repository or a dirty one."""
    require_git("update, add and remove need it to merge")
    top = work_tree_root(project.root)
    if top is None:
        reason = (
            f"{project.root} is not in a git repository; run `git init && git add -A && "
            "git commit -m init` there first"
        )
        raise CliError(reason, USAGE)
    if is_dirty(project.root):
        reason = f"{project.root} has uncommitted changes; commit or stash them first (git status)"
        raise CliError(reason, USAGE)
    return top

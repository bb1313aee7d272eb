"""Copier's three-way update of a project, run in place or on a throw-away clone (--pretend)."""

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import copier
from copier import VcsRef
from copier.errors import UserMessageError

from torchgen_cli.errors import USAGE, CliError, copier_errors, one_line
from torchgen_cli.gitrepo import git, status
from torchgen_cli.project import Project, read_answers
from torchgen_cli.renames import carry_renames
from torchgen_cli.template_clone import TemplateClone, missing_revision

UNMERGED = {"DD", "AU", "UD", "UA", "DU", "AA", "UU"}
Conflict = Literal["inline", "rej"]


@dataclass(frozen=True)
class Outcome:
    """What a merge did: template revisions before and after, changed files, conflicted files."""

    before: str
    after: str
    changes: list[tuple[str, str]]
    conflicts: list[str]


def three_way(
    project: Project,
    top: Path,
    *,
    data: Mapping[str, Any],
    vcs_ref: str | VcsRef | None,
    conflict: Conflict = "inline",
    pretend: bool = False,
) -> Outcome:
    """Re-render the project at `vcs_ref` with `data`, keeping its owner's edits.

    With `pretend` it works on a clone of the project's repository and changes nothing.
    """
    _check_source(project)
    if not pretend:
        return _merge(project, project.root, top, data, vcs_ref, conflict)
    with tempfile.TemporaryDirectory(prefix="torchgen-pretend-") as tmp:
        copy = Path(tmp) / "repo"
        git("clone", "--quiet", "--", str(top), str(copy), cwd=Path(tmp))
        root = copy / project.root.relative_to(top)
        return _merge(project, root, copy, data, vcs_ref, conflict)


def _merge(
    project: Project,
    root: Path,
    top: Path,
    data: Mapping[str, Any],
    vcs_ref: str | VcsRef | None,
    conflict: Conflict,
) -> Outcome:
    """Run copier's update in `root`, carry renamed files' edits, and collect what changed."""
    _run_update(project, root, data, vcs_ref, conflict)
    recorded = read_answers(root)
    after = str(recorded.get("_commit", project.commit))
    conflicts = set()
    if after != project.commit:
        answers = {k: v for k, v in recorded.items() if not k.startswith("_")}
        with TemplateClone(project.source) as clone:
            moved = carry_renames(root, clone, (project.commit, after), (project.answers, answers))
        conflicts.update(moved)
    changes = []
    for code, path in status(top, root):
        if code in UNMERGED:
            conflicts.add(path)
        elif conflict == "rej" and path.endswith(".rej"):
            conflicts.add(path.removesuffix(".rej"))
            continue
        kind = {"??": "new", "A ": "new", " D": "deleted", "D ": "deleted"}.get(code, "modified")
        changes.append((kind, path))
    return Outcome(project.commit, after, sorted(changes, key=lambda c: c[1]), sorted(conflicts))


def _check_source(project: Project) -> None:
    """Refuse early when the project's recorded template folder or bundle is not on this machine."""
    source = project.source
    if "://" in source or ":" in source.split("/")[0]:
        return  # a URL (https://, gh:, git@host:): copier fetches it
    if not Path(source).expanduser().exists():
        reason = f"the project's template {source} does not exist on this machine"
        if source.startswith("~"):
            reason += "; run any torchgen command of a wheel-installed torchgen to install it"
        raise CliError(reason)


def _run_update(
    project: Project,
    root: Path,
    data: Mapping[str, Any],
    vcs_ref: str | VcsRef | None,
    conflict: Conflict,
) -> None:
    """Run copier's update; turn its failures into one-line errors before anything is written."""
    with copier_errors(f"update {project.root}"):
        try:
            copier.run_update(
                root,
                data=dict(data),
                vcs_ref=vcs_ref,
                defaults=True,
                overwrite=True,
                quiet=True,
                conflict=conflict,
            )
        except UserMessageError as error:
            if "downgrading" not in str(error):
                raise
            reason = (
                f"the project was made with a newer template ({project.commit}) than the one "
                f"at {project.source}; install a newer torchgen"
            )
            raise CliError(reason) from None
        except ValueError as error:  # before CopierError, as copier's config errors are both
            if "Unknown revision" in str(error):
                raise CliError(missing_revision(project.source, project.commit)) from None
            raise CliError(one_line(error), USAGE) from None  # copier's verdict on an answer

"""`torchgen update`, `add` and `remove`: check the project, pick the revision, then merge."""

from collections.abc import Iterable
from pathlib import Path

from copier import VcsRef

from torchgen_cli import builtin
from torchgen_cli.answers import check_keys, parse_data, question_names
from torchgen_cli.errors import USAGE, CliError
from torchgen_cli.features import Feature, select, switched
from torchgen_cli.merge import Conflict, Outcome, three_way
from torchgen_cli.project import load_project, require_clean_repo
from torchgen_cli.removal import edited_files
from torchgen_cli.template_clone import TemplateClone


def update_project(path: Path, data: Iterable[str], conflict: Conflict, pretend: bool) -> Outcome:
    """Bring a project to its template's newest revision; for torchgen's own, the installed one."""
    project = load_project(path)
    top = require_clean_repo(project)
    answers = parse_data(data)
    mine = builtin.builtin()
    ref = mine.vcs_ref if builtin.same_source(project.source, mine.location) else None
    if answers and ref is not None and mine.config is not None:
        check_keys(answers, question_names(mine.config))
    return three_way(project, top, data=answers, vcs_ref=ref, conflict=conflict, pretend=pretend)


def switch_features(
    path: Path, names: Iterable[str], on: bool, force: bool = False
) -> tuple[list[Feature], Outcome | None]:
    """Switch features on or off at the project's recorded template revision.

    It refuses to delete files the owner edited unless `force`; None means nothing to switch.
    """
    project = load_project(path)
    top = require_clean_repo(project)
    builtin.installed_bundle()  # projects made by a wheel name its bundle: (re)install it
    with TemplateClone(project.source) as clone:
        config = clone.config(project.commit)
        chosen = select(names, config, project.answers)
        data = switched(chosen, on, config, project.answers)
        if not data:
            return chosen, None
        edited = [] if on or force else edited_files(clone, project, data)
    if edited:
        reason = (
            f"removing {', '.join(f.name for f in chosen)} deletes files you edited: "
            f"{', '.join(edited)}; pass --force to delete them anyway (git history keeps them)"
        )
        raise CliError(reason, USAGE)
    return chosen, three_way(project, top, data=data, vcs_ref=VcsRef.CURRENT)

"""Render the Copier template beside the target, then move the result into place."""

import shutil
import tempfile
import warnings
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

import copier
from copier.errors import DirtyLocalWarning

from torchgen_cli import __version__, builtin
from torchgen_cli.errors import FAILURE, USAGE, CliError, copier_errors, one_line
from torchgen_cli.gitrepo import first_commit
from torchgen_cli.project import read_answers, record
from torchgen_cli.source import CONFIG_NAMES, Source

REMOTE_PREFIXES = ("gh:", "gl:", "git@", "git+")


def resolve_source(template: str | None, vcs_ref: str | None) -> Source:
    """Check the template source and whether --vcs-ref can apply, before anything is written."""
    if template is not None and ("://" in template or template.startswith(REMOTE_PREFIXES)):
        return Source(template, vcs_ref, config=None, builtin=False)
    installed = builtin.installed_bundle() if template is None else None
    if installed is not None:  # a wheel: render its history bundle, so updates can find it
        location, head = installed
        shipped_config = builtin.builtin_template() / "copier.yml"
        return Source(location, vcs_ref or head, shipped_config, builtin=True)
    folder = (
        builtin.builtin_template() if template is None else Path(template).expanduser().absolute()
    )
    shown = repr(template) if template else f"torchgen's template {folder}"
    code = USAGE if template else FAILURE
    if folder.is_file():  # a git bundle; copier checks it
        return Source(str(folder), vcs_ref, config=None, builtin=False)
    if not folder.is_dir():
        raise CliError(f"template folder {shown} does not exist", code)
    config = next((folder / name for name in CONFIG_NAMES if (folder / name).is_file()), None)
    if config is None:
        raise CliError(f"{shown} is not a Copier template: it has no copier.yml", code)
    is_git = (folder / ".git").exists()
    if vcs_ref is not None and not is_git:
        reason = f"--vcs-ref needs a git template, but {shown} is not a git repository"
        raise CliError(reason, USAGE)
    if template is None and is_git and vcs_ref is None:
        vcs_ref = "HEAD"  # a development checkout: render the working tree, not the newest tag
    return Source(str(folder), vcs_ref, config, builtin=template is None)


def render(
    source: Source,
    target: Path,
    data: Mapping[str, str],
    user_defaults: Mapping[str, str],
    *,
    defaults: bool,
    force: bool,
    pretend: bool,
    init_git: bool = False,
) -> Mapping[str, Any]:
    """Render `source` to `target` and return the answers; on failure leave nothing behind.

    With `init_git` the target becomes a git repository whose first commit holds the new files.
    """
    _check_target(target, force)
    if pretend:
        return _run_copier(source, target, data, user_defaults, defaults=defaults, pretend=True)
    created = _make_folders(target.parent)
    try:
        prefix = f".{target.name}.torchgen-"
        with tempfile.TemporaryDirectory(prefix=prefix, dir=target.parent) as tmp:
            rendered = Path(tmp) / target.name
            answers = _run_copier(
                source, rendered, data, user_defaults, defaults=defaults, pretend=False
            )
            if source.builtin and source.vcs_ref == "HEAD":
                _record_last_commit(rendered, Path(source.location))
            if init_git:
                first_commit(rendered, f"Generate {target.name} with torchgen {__version__}")
            _move_into_place(rendered, target)
    except OSError as error:
        raise CliError(f"cannot write {target}: {one_line(error)}") from None
    finally:
        if not target.exists():
            for folder in created:
                with suppress(OSError):
                    folder.rmdir()
    return answers


def _record_last_commit(project: Path, repo: Path) -> None:
    """Record the checkout's last commit when copier recorded a revision the checkout lacks.

    That happens when the development checkout has uncommitted changes: they are rendered, and
    a later `torchgen update` treats them as the project's own edits (see docs/lifecycle.md).
    """
    recorded = read_answers(project).get("_commit")
    if recorded:
        committed = builtin.committed_revision(repo, str(recorded))
        if committed != recorded:
            record(project, "_commit", committed)


def _check_target(target: Path, force: bool) -> None:
    """Refuse a target that is a file, or a non-empty folder without --force."""
    if target.exists() and not target.is_dir():
        raise CliError(f"{target} exists and is not a folder", USAGE)
    if target.is_dir() and any(target.iterdir()) and not force:
        raise CliError(f"{target} is not empty; pass --force to write into it", USAGE)
    blocker = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise CliError(f"cannot create {target}: {blocker} is a file, not a folder")


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; return the ones created, deepest first."""
    missing = [path for path in (folder, *folder.parents) if not path.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CliError(f"cannot create {folder}: {one_line(error)}") from None
    return missing


def _run_copier(
    source: Source,
    dst: Path,
    data: Mapping[str, str],
    user_defaults: Mapping[str, str],
    *,
    defaults: bool,
    pretend: bool,
) -> Mapping[str, Any]:
    """Run copier's copy and turn its failures into one-line errors."""
    with copier_errors("render the template"), warnings.catch_warnings():
        if source.builtin:  # a development checkout is always dirty; the warning is noise
            warnings.simplefilter("ignore", DirtyLocalWarning)
        worker = copier.run_copy(
            source.location,
            dst,
            data=dict(data),
            user_defaults=dict(user_defaults),
            vcs_ref=source.vcs_ref,
            defaults=defaults,
            overwrite=True,
            pretend=pretend,
            quiet=not pretend,
        )
    return worker.answers.combined


def _move_into_place(rendered: Path, target: Path) -> None:
    """Rename the rendered folder to the target, or copy its files into an existing folder."""
    if not target.exists():
        rendered.rename(target)
        return
    # An existing folder keeps its identity (a shell may sit in it): copy rather than replace.
    for path in rendered.rglob("*"):
        existing = target / path.relative_to(rendered)
        if existing.exists() and existing.is_dir() != path.is_dir():
            kind = "folder" if existing.is_dir() else "file"
            raise CliError(f"cannot write {existing}: a {kind} of that name is in the way")
    was_empty = not any(target.iterdir())
    try:
        shutil.copytree(rendered, target, dirs_exist_ok=True)
    except OSError:
        if was_empty:
            for child in target.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        raise

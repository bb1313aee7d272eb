"""torchgen's own template: where it lives and which revision a project made from it records.

A wheel carries the template twice: as files (`template_src/`) and as the git history they came
from (`template_src/template.bundle`, written by hatch_build.py). Copier can only update a
project from a git source that still holds the project's recorded revision, so torchgen copies
the bundle to a fixed per-user path and renders from there; projects record that path with `~`.
Every torchgen writes its own bundle there before use, and a newer bundle holds all older
revisions. A development checkout is used as it is: the repository itself is the source.
"""

import filecmp
import os
import shutil
from pathlib import Path

from platformdirs import user_data_path

from torchgen_cli.errors import CliError
from torchgen_cli.gitrepo import git, run_git
from torchgen_cli.source import Source

BUNDLE_NAME = "template.bundle"


def builtin_template() -> Path:
    """Return the template shipped in the wheel, or the repository root in a development install."""
    shipped = Path(__file__).parent / "template_src"
    return shipped if shipped.is_dir() else Path(__file__).parents[2]


def builtin() -> Source:
    """Locate torchgen's template and its newest commit; a wheel's bundle is installed first."""
    folder = builtin_template()
    config = folder / "copier.yml"
    installed = installed_bundle()
    if installed is not None:
        return Source(*installed, config, builtin=True)
    if (folder / ".git").exists() and shutil.which("git"):
        head = git("rev-parse", "HEAD", cwd=folder).strip()
        return Source(str(folder), head, config, builtin=True)
    return Source(str(folder), None, config, builtin=True)


def installed_bundle() -> tuple[str, str] | None:
    """Install the wheel's history bundle; return its location (with `~`) and HEAD commit.

    None in a development install, for a wheel built without git history, or without git.
    """
    shipped = builtin_template() / BUNDLE_NAME
    if not shipped.is_file() or shutil.which("git") is None:
        return None
    installed = install_bundle(shipped)
    return with_tilde(installed), bundle_head(installed)


def user_bundle() -> Path:
    """The per-user path of the history bundle, e.g. ~/.local/share/torchgen/template.bundle."""
    return user_data_path("torchgen", appauthor=False) / BUNDLE_NAME


def install_bundle(shipped: Path) -> Path:
    """Copy the wheel's bundle to the per-user path unless an identical copy is already there."""
    target = user_bundle()
    if target.is_file() and filecmp.cmp(shipped, target, shallow=False):
        return target
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shipped, partial)
        partial.replace(target)  # atomic: a concurrent torchgen never reads half a bundle
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise CliError(f"cannot install the template history at {target}: {error}") from None
    return target


def bundle_head(bundle: Path) -> str:
    """Return the commit a bundle's HEAD names."""
    out = git("bundle", "list-heads", str(bundle), "HEAD", cwd=bundle.parent)
    return out.split()[0]


def with_tilde(path: Path) -> str:
    """Write `path` with `~` for the home folder, so the answers file works for every user."""
    try:
        return f"~/{path.relative_to(Path.home()).as_posix()}"
    except ValueError:
        return str(path)


def same_source(recorded: str, location: str) -> bool:
    """Tell whether a project's recorded `_src_path` names the same template as `location`."""
    if recorded == location:
        return True
    if "://" in recorded or "://" in location:
        return False
    return Path(recorded).expanduser().resolve() == Path(location).expanduser().resolve()


def committed_revision(repo: Path, recorded: str) -> str:
    """Return `recorded` if `repo` has it, else a description of the last commit (`HEAD`).

    Copier renders a dirty checkout at HEAD by committing the changes in a throw-away clone and
    records that invented revision, which no later update can find. torchgen records the last
    real commit instead: the uncommitted template changes then look like the owner's own edits.
    """
    if run_git("rev-parse", "--verify", "--quiet", f"{recorded}^{{commit}}", cwd=repo).returncode:
        return git("describe", "--tags", "--always", "HEAD", cwd=repo).strip()
    return recorded

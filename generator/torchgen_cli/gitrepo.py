"""Git plumbing: run git, inspect a work tree, and make a new project's first commit."""

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from torchgen_cli.errors import CliError

FALLBACK_NAME, FALLBACK_EMAIL = "torchgen", "torchgen@localhost"
"""Who commits when git knows no identity (no user.name/user.email anywhere)."""


def require_git(hint: str) -> None:
    """Fail with `hint` when no git executable is on PATH."""
    if shutil.which("git") is None:
        raise CliError(f"git is not installed; {hint}")


def run_git(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run git in `cwd` and return the completed process, whatever its exit status."""
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env={**os.environ, **env} if env else None,
    )


def git(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """Run git in `cwd` and return its stdout; fail with git's own one-line reason."""
    completed = run_git(*args, cwd=cwd, env=env)
    if completed.returncode != 0:
        raise CliError(f"git {args[0]} failed in {cwd}: {_reason(completed.stderr)}")
    return completed.stdout.decode()


def work_tree_root(folder: Path) -> Path | None:
    """Return the top of the git work tree that holds `folder`, or None outside any."""
    completed = run_git("rev-parse", "--show-toplevel", cwd=folder)
    if completed.returncode != 0:
        return None
    return Path(completed.stdout.decode().strip()).resolve()


def is_dirty(folder: Path) -> bool:
    """Tell whether `folder` has uncommitted changes or untracked files, as copier sees it."""
    return bool(git("status", "--porcelain", "--", ".", cwd=folder).strip())


def status(top: Path, folder: Path) -> list[tuple[str, str]]:
    """Return (two-letter code, path relative to `folder`) for each change under `folder`."""
    out = git("status", "--porcelain", "-z", "--untracked-files=all", "--", str(folder), cwd=top)
    prefix = folder.relative_to(top).as_posix()
    entries = []
    for entry in filter(None, out.split("\0")):
        code, path = entry[:2], entry[3:]
        if prefix != ".":
            path = path.removeprefix(f"{prefix}/")
        entries.append((code, path))
    return entries


def first_commit(folder: Path, message: str) -> None:
    """Make `folder` a git repository whose first commit holds all its files."""
    git("init", "--quiet", cwd=folder)
    git("add", "--all", cwd=folder)
    git(
        "commit",
        "--quiet",
        "--no-verify",
        "--no-gpg-sign",
        "--message",
        message,
        cwd=folder,
        env=_identity(folder),
    )


def _identity(folder: Path) -> dict[str, str]:
    """Use torchgen's fixed identity for the author or committer git cannot name."""
    env: dict[str, str] = {}
    for role in ("AUTHOR", "COMMITTER"):
        if run_git("var", f"GIT_{role}_IDENT", cwd=folder).returncode != 0:
            env |= {f"GIT_{role}_NAME": FALLBACK_NAME, f"GIT_{role}_EMAIL": FALLBACK_EMAIL}
    return env


def _reason(stderr: bytes) -> str:
    """Pick git's `fatal:`/`error:` line, else its first line."""
    lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
    return next((line for line in lines if line.startswith(("fatal:", "error:"))), "") or (
        lines[0] if lines else "no message"
    )


def enclosing_repo(target: Path) -> Path | None:
    """Return the git work tree that already holds `target`, if any; fail without git."""
    require_git("install it, or pass --no-git")
    folder = next(path for path in (target, *target.parents) if path.is_dir())
    return work_tree_root(folder)

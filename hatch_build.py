"""Hatch build hook: put the template's git history in the wheel, as a git bundle.

`torchgen update` needs the template revision a project was made from, and copier finds old
revisions only in a git source. The wheel therefore carries `template_src/template.bundle`:
this repository's history up to the commit being built, plus its tags. When copier.yml or
template/ has uncommitted changes, the bundle ends in one extra commit that holds them, so the
bundle always matches the template files the wheel ships. Without git history (an sdist, no
git) the wheel has no bundle and projects made from it cannot be updated; the build says so.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TEMPLATE_PATHS = ("copier.yml", "template")
BUNDLE_IN_WHEEL = "torchgen_cli/template_src/template.bundle"
SNAPSHOT_IDENTITY = {
    "GIT_AUTHOR_NAME": "torchgen build",
    "GIT_AUTHOR_EMAIL": "build@torchgen.invalid",
    "GIT_COMMITTER_NAME": "torchgen build",
    "GIT_COMMITTER_EMAIL": "build@torchgen.invalid",
}


class TemplateHistoryHook(BuildHookInterface):
    """Bundle the template's git history into standard (not editable) wheels."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Write the bundle to a temporary folder and add it to the wheel."""
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root).resolve()
        if shutil.which("git") is None or not (root / ".git").exists():
            self.app.display_warning("torchgen: no git history here; `torchgen update` will fail")
            return
        if git("rev-parse", "--is-shallow-repository", cwd=root) == "true":
            self.app.display_warning(
                "torchgen: a shallow clone; projects made from older commits cannot be updated "
                "with this wheel (build from a full clone)"
            )
        self._tmp = tempfile.TemporaryDirectory(prefix="torchgen-bundle-")
        bundle = make_bundle(root, Path(self._tmp.name))
        build_data["force_include"][str(bundle)] = BUNDLE_IN_WHEEL

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the temporary bundle."""
        if getattr(self, "_tmp", None) is not None:
            self._tmp.cleanup()


def make_bundle(root: Path, tmp: Path) -> Path:
    """Bundle `root`'s history (HEAD, or a commit of the dirty template on top) and tags."""
    history = tmp / "history.git"
    # A shared bare clone borrows root's objects and leaves root's own repository untouched.
    git("clone", "--quiet", "--bare", "--shared", str(root), str(history), cwd=tmp)
    head = git("rev-parse", "HEAD", cwd=root)
    if git("status", "--porcelain", "--", *TEMPLATE_PATHS, cwd=root):
        head = snapshot(root, history, head, tmp / "index")
    git("update-ref", "--no-deref", "HEAD", head, cwd=history)
    bundle = tmp / "template.bundle"
    git("bundle", "create", "--quiet", str(bundle), "HEAD", "--tags", cwd=history)
    return bundle


def snapshot(root: Path, history: Path, head: str, index: Path) -> str:
    """Commit the working tree's template files on top of `head`, in `history` only."""
    env = {"GIT_DIR": str(history), "GIT_WORK_TREE": str(root), "GIT_INDEX_FILE": str(index)}
    git("read-tree", head, cwd=root, env=env)
    git("add", "--all", "--", *TEMPLATE_PATHS, cwd=root, env=env)
    tree = git("write-tree", cwd=root, env=env)
    message = "Uncommitted template changes in this build"
    env.update(SNAPSHOT_IDENTITY)
    return git("commit-tree", tree, "-p", head, "-m", message, cwd=root, env=env)


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run git and return its stripped stdout; raise with git's message if it fails."""
    completed = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **env} if env else None,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {completed.stderr.strip()}")
    return completed.stdout.strip()

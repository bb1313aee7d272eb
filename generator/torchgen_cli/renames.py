"""Rename migrations: carry the owner's edits of a file the template moved to its new path.

A template version that moves a file declares it in copier.yml, paths rendered with the answers:

    _torchgen_renames:
      - from: "src/{{ package_name }}/training/loop.py"
        to: "src/{{ package_name }}/training/trainer.py"

Copier's update deletes the old path and writes the new one fresh, dropping the owner's edits.
After the update, torchgen merges those edits into the new path: a three-way merge of the
owner's version (from git HEAD), the old template's version and the new template's version.
"""

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from torchgen_cli.answers import render_with
from torchgen_cli.errors import CliError
from torchgen_cli.gitrepo import run_git
from torchgen_cli.template_clone import TemplateClone

RENAMES_KEY = "_torchgen_renames"
LABELS = ("before updating", "last update", "after updating")  # copier's conflict labels


def declared_renames(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return the (from, to) path templates a copier.yml declares."""
    entries = config.get(RENAMES_KEY) or []
    renames = []
    for entry in entries if isinstance(entries, list) else [entries]:
        if not (isinstance(entry, dict) and isinstance(entry.get("from"), str)):
            raise CliError(f"{RENAMES_KEY} in copier.yml: each entry needs 'from' and 'to' paths")
        if not isinstance(entry.get("to"), str):
            raise CliError(f"{RENAMES_KEY} in copier.yml: each entry needs 'from' and 'to' paths")
        renames.append((entry["from"], entry["to"]))
    return renames


def carry_renames(
    root: Path,
    clone: TemplateClone,
    revisions: tuple[str, str],
    answers: tuple[Mapping[str, Any], Mapping[str, Any]],
) -> list[str]:
    """Merge the owner's edits of moved files into their new paths; return paths with conflicts.

    `revisions` and `answers` are the template revision and answers before and after the update.
    """
    old_revision, new_revision = revisions
    moves = [
        (_render(old, answers[0]), _render(new, answers[1]))
        for old, new in declared_renames(clone.config(new_revision))
    ]
    moves = [(old, new) for old, new in moves if _was_moved(root, old, new)]
    if not moves:
        return []
    conflicts = []
    with tempfile.TemporaryDirectory(prefix="torchgen-renames-") as tmp:
        base = clone.render(old_revision, dict(answers[0]), Path(tmp) / "base")
        for old, new in moves:
            ours = run_git("show", f"HEAD:./{old}", cwd=root).stdout
            if not (base / old).is_file() or (base / old).read_bytes() == ours:
                continue  # not from the template, or not edited: the fresh file is right
            if _merge_into(root / new, ours, (base / old).read_bytes(), Path(tmp)):
                conflicts.append(new)
    return conflicts


def _was_moved(root: Path, old: str, new: str) -> bool:
    """Tell whether the update just replaced committed `old` with a new file at `new`."""
    in_head = [
        run_git("cat-file", "-e", f"HEAD:./{p}", cwd=root).returncode == 0 for p in (old, new)
    ]
    return in_head == [True, False] and not (root / old).exists() and (root / new).is_file()


def _merge_into(target: Path, ours: bytes, base: bytes, tmp: Path) -> bool:
    """Three-way merge the owner's text into `target` (the new template's); True on conflicts."""
    files = [tmp / "merge-ours", tmp / "merge-base", tmp / "merge-theirs"]
    for path, content in zip(files, (ours, base, target.read_bytes()), strict=True):
        path.write_bytes(content)
    labels = [arg for label in LABELS for arg in ("-L", label)]
    merged = run_git("merge-file", "--stdout", *labels, *map(str, files), cwd=tmp)
    if merged.returncode > 127:  # git's negative status: an error, not a count of conflicts
        raise CliError(f"cannot merge your edits into {target}: {merged.stderr.decode().strip()}")
    target.write_bytes(merged.stdout)
    return merged.returncode > 0


def _render(path: str, answers: Mapping[str, Any]) -> str:
    """Render a path template from copier.yml with the project's answers."""
    try:
        return render_with(path, answers)
    except jinja2.TemplateError as error:
        raise CliError(f"{RENAMES_KEY}: cannot render {path!r}: {error}") from None

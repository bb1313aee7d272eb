"""The safety check before `torchgen remove`: which of the files it deletes did the owner edit?"""

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from torchgen_cli.project import ANSWERS_FILE, Project
from torchgen_cli.template_clone import TemplateClone


def edited_files(clone: TemplateClone, project: Project, data: Mapping[str, Any]) -> list[str]:
    """List the files that answering `data` deletes and that differ from their rendered version.

    Both renderings use the project's recorded template revision, so only the owner's edits
    count, not template changes since.
    """
    with tempfile.TemporaryDirectory(prefix="torchgen-remove-") as tmp:
        before = clone.render(project.commit, project.answers, Path(tmp) / "before")
        after = clone.render(project.commit, {**project.answers, **data}, Path(tmp) / "after")
        gone = _files(before) - _files(after) - {ANSWERS_FILE}
        return sorted(
            path
            for path in gone
            if (project.root / path).is_file()
            and (project.root / path).read_bytes() != (before / path).read_bytes()
        )


def _files(root: Path) -> set[str]:
    """The files under `root`, as POSIX paths relative to it."""
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}

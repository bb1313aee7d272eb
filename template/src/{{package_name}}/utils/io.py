"""Atomic file writes: a crash mid-write leaves the previous file intact."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_write(path: Path, mode: str = "wb", newline: str | None = None) -> Iterator[IO]:
    """Write to a temporary file in the same folder, fsync it, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    # mkstemp makes the file private (0600); give it the permissions open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        with os.fdopen(fd, mode, newline=newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


RUN_FILES = ("config.yaml", "metrics.jsonl", "curves.png")
"""The files of a run directory that experiment trackers keep when a run ends."""


def run_files(run_dir: Path, checkpoint: bool = False) -> list[Path]:
    """RUN_FILES that `run_dir` holds and, with `checkpoint`, checkpoints/best.pt as a copy needs
    it: the file and, for a sharded checkpoint, the folder of shards beside it that it names
    (best-*.dcp; a save leaves only that one)."""
    files = [run_dir / name for name in RUN_FILES if (run_dir / name).is_file()]
    best = run_dir / "checkpoints" / "best.pt"
    if checkpoint and best.is_file():
        files += [best, *sorted(best.parent.glob(f"{best.stem}-*.dcp"))]
    return files

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


def checkpoint_paths(path: Path) -> list[Path]:
    """What a copy of the checkpoint at `path` needs: the file and, for a sharded checkpoint,
    the folder of shards beside it that it names (<stem>-*.dcp; a save leaves only that one)."""
    return [path, *sorted(path.parent.glob(f"{path.stem}-*.dcp"))] if path.is_file() else []

"""Where a run writes its outputs, which checkpoint `--resume` means, and the lock that keeps
two trainings out of one run directory."""

import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import CheckpointError, ConfigError

try:
    import fcntl
except ImportError:  # Windows: no flock, no lock
    fcntl = None

log = logging.getLogger(__name__)
RUNS_ROOT = Path("runs")
LOCK = "run.lock"


def resolve_run(run_dir: Path | None, resume: str | None) -> tuple[Path, Path | None]:
    """Pick the run directory and the checkpoint to resume from (None: start fresh).

    `--resume auto` continues `run_dir` (default: the newest run under runs/) when it holds a
    last.pt and starts fresh otherwise; `--resume PATH` continues from that checkpoint file.
    """
    if resume is None:
        run_dir = run_dir or RUNS_ROOT / time.strftime("%Y%m%d-%H%M%S")
        if (run_dir / "checkpoints" / "last.pt").exists():
            raise ConfigError(
                f"{run_dir} already holds a run: pass --resume auto to continue it, "
                "or choose another --run-dir"
            )
        return run_dir, None
    if resume == "auto":
        run_dir = run_dir or _latest_run() or RUNS_ROOT / time.strftime("%Y%m%d-%H%M%S")
        last = run_dir / "checkpoints" / "last.pt"
        return run_dir, last if last.exists() else None
    checkpoint = Path(resume)
    if not checkpoint.is_file():
        raise CheckpointError(f"checkpoint not found: {checkpoint}")
    return run_dir or checkpoint.resolve().parent.parent, checkpoint


def _latest_run() -> Path | None:
    runs = sorted(RUNS_ROOT.glob("*/checkpoints/last.pt"), key=lambda p: p.stat().st_mtime)
    return runs[-1].parent.parent if runs else None


@contextmanager
def run_lock(run_dir: Path, enabled: bool = True) -> Iterator[None]:
    """Hold run_dir/run.lock while training: a second training into the same run directory
    stops with a ConfigError naming the process that holds it.

    The lock is an flock on the file, which the operating system releases when its process
    ends, however it ends: a lock file left behind by a killed run is simply taken over. The
    file records which process holds it (pid and host), for the message.
    """
    if not enabled or fcntl is None:  # under torchrun, the processes other than rank 0
        yield
        return
    run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(run_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode(errors="replace").strip() or "another process"
            raise ConfigError(
                f"{run_dir} is in use by a training run ({holder}): wait for it to finish, "
                "or choose another --run-dir"
            ) from None
        except OSError as err:  # a file system without flock (some Lustre, NFS or FUSE mounts)
            log.warning("%s: not locked (%s): nothing keeps a second run out", run_dir, err)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode())
        yield
    finally:
        os.close(fd)  # releases the flock; the file stays, unlocked, for the next run

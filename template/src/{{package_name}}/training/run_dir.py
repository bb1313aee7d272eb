"""Where a run writes its outputs, and which checkpoint `--resume` means."""

import time
from pathlib import Path

from ..errors import CheckpointError, ConfigError

RUNS_ROOT = Path("runs")


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

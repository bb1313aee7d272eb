"""Optional torch.profiler over a few training steps, written as a Chrome/Perfetto trace."""

from pathlib import Path
from types import TracebackType

import torch
from torch.profiler import ProfilerActivity, profile, schedule


class _NoProfiler:
    """Stands in when profiling is off: entering, leaving and stepping do nothing."""

    def __enter__(self) -> "_NoProfiler":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

    def step(self) -> None:
        """Nothing to record."""


def build_profiler(enabled: bool, run_dir: Path, device: torch.device) -> profile | _NoProfiler:
    """A profiler that skips 1 step, warms up 1, records 3, then writes run_dir/trace.json and,
    in trace_summary.txt, the operators that took the most time (on the GPU when there is one)."""
    if not enabled:
        return _NoProfiler()
    activities = [ProfilerActivity.CPU]
    if device.type == "cuda":
        activities.append(ProfilerActivity.CUDA)
    sort_by = "self_device_time_total" if device.type == "cuda" else "self_cpu_time_total"

    def write_trace(prof: profile) -> None:
        prof.export_chrome_trace(str(run_dir / "trace.json"))
        table = prof.key_averages().table(sort_by=sort_by, row_limit=30, max_name_column_width=60)
        (run_dir / "trace_summary.txt").write_text(table + "\n")

    return profile(
        activities=activities,
        schedule=schedule(wait=1, warmup=1, active=3, repeat=1),
        on_trace_ready=write_trace,
        record_shapes=True,
    )

"""The run's metrics: metrics.jsonl, the sinks it feeds, and the loss and throughput window."""

import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import torch
import torch.distributed as dist
from torch import Tensor

from ..errors import Preempted

log = logging.getLogger(__name__)


class Sink(Protocol):
    """Somewhere else the logged records go: TensorBoard, an experiment tracker."""

    name: str

    def log(self, record: dict[str, Any]) -> None:
        """Take one record (it holds `step` and `epoch`)."""

    def close(self, status: str) -> None:
        """The run ended: FINISHED, FAILED or KILLED (stopped by a signal; it may resume)."""

    def state_dict(self) -> dict[str, Any]:
        """What a resumed run needs to continue this sink's record (saved in checkpoints)."""


class MetricsLog:
    """Appends each logged point to run_dir/metrics.jsonl, the run's record, and hands it to
    the sinks; all of it is a no-op when not `enabled` (under torchrun, off rank 0).

    The one place records fan out. A sink that fails (not installed, its store locked, a full
    disk) is dropped with one warning and training goes on: metrics.jsonl keeps every record.
    """

    def __init__(
        self,
        run_dir: Path,
        *,
        resume_step: int | None = None,
        enabled: bool = True,
        sinks: Mapping[str, Callable[[], Sink]] | None = None,
    ) -> None:
        self.path, self.enabled = run_dir / "metrics.jsonl", enabled
        self.sinks: list[Sink] = []
        if not enabled:
            return
        if resume_step is None:
            self.path.write_text("")
        elif self.path.exists():
            # Points logged after the checkpoint are replayed by the resumed run: drop them.
            kept = [r for r in read_metrics(self.path) if r["step"] <= resume_step]
            self.path.write_text("".join(json.dumps(r) + "\n" for r in kept))
        for name, open_sink in (sinks or {}).items():
            try:
                self.sinks.append(open_sink())
            except Exception as err:  # a sink must never stop training
                _warn(name, err)

    def log(self, record: dict[str, Any]) -> None:
        """Write one record; it must hold `step` and `epoch`."""
        if not self.enabled:
            return
        with self.path.open("a") as f:
            f.write(json.dumps(record) + "\n")
        self._each("log", record)

    def close(self, error: BaseException | None = None) -> None:
        """End the sinks' runs: finished, or ended by `error` (killed by a signal, or failed)."""
        killed = isinstance(error, (Preempted, KeyboardInterrupt))
        self._each("close", "FINISHED" if error is None else "KILLED" if killed else "FAILED")
        self.sinks = []

    def state_dict(self) -> dict[str, dict[str, Any]]:
        """Each working sink's state_dict, by name."""
        return {sink.name: sink.state_dict() for sink in self.sinks}

    def _each(self, method: str, *args: Any) -> None:
        for sink in list(self.sinks):
            try:
                getattr(sink, method)(*args)
            except Exception as err:  # a sink must never stop training
                _warn(sink.name, err)
                self.sinks.remove(sink)
                if method != "close":
                    with contextlib.suppress(Exception):  # best effort: mark its run failed
                        sink.close("FAILED")


def _warn(name: str, err: Exception) -> None:
    reason = str(err).strip().splitlines()[0][:200] if str(err).strip() else ""
    log.warning(
        "%s failed (%s%s): it gets no more records; the run goes on and metrics.jsonl keeps them",
        name,
        type(err).__name__,
        f": {reason}" if reason else "",
    )


class StepWindow:
    """Mean loss and throughput over the micro-batches since the last logged point.

    Losses are summed on the device, so logging costs one synchronisation per window. When the
    task counts tokens, it also reports tokens/s and, with `peak_flops` known, the model FLOPs
    utilisation (`mfu`): the share of the devices' peak that the model's training FLOPs per
    token times tokens/s amount to.
    """

    def __init__(
        self,
        device: torch.device,
        samples_per_batch: int,
        *,
        tokens_per_sample: int | None = None,
        flops_per_token: float | None = None,
        peak_flops: float | None = None,
    ) -> None:
        self.device, self.samples_per_batch = device, samples_per_batch
        self.tokens_per_sample, self.flops_per_token = tokens_per_sample, flops_per_token
        self.peak_flops = peak_flops
        self.reset()

    def reset(self) -> None:
        """Start a new window."""
        self.loss = torch.zeros((), device=self.device)
        self.batches, self.start = 0, time.perf_counter()

    def add(self, loss: Tensor) -> None:
        """Count one micro-batch's loss."""
        self.loss += loss.detach()
        self.batches += 1

    def summary(self) -> dict[str, float]:
        """`train/loss` (the mean over every process's micro-batches) and `samples_per_s` of the
        window; `tokens_per_s` and `mfu` when known; on CUDA, the peak of allocated memory so far
        (`cuda_max_mem_gib`). Under torchrun every process calls it at the same step."""
        mean = self.loss / self.batches
        if dist.is_available() and dist.is_initialized():
            dist.all_reduce(mean)
            mean /= dist.get_world_size()
        loss = mean.item()  # waits for the device: the timing is honest
        elapsed = time.perf_counter() - self.start
        samples_per_s = self.batches * self.samples_per_batch / elapsed
        record = {"train/loss": loss, "samples_per_s": samples_per_s}
        if self.tokens_per_sample:
            record["tokens_per_s"] = tokens_per_s = samples_per_s * self.tokens_per_sample
            if self.flops_per_token and self.peak_flops:
                record["mfu"] = tokens_per_s * self.flops_per_token / self.peak_flops
        if self.device.type == "cuda":  # the peak since the start, as nvidia-smi cannot tell
            record["cuda_max_mem_gib"] = torch.cuda.max_memory_allocated(self.device) / 2**30
        return record


def read_metrics(path: Path) -> list[dict[str, Any]]:
    """All records of a metrics.jsonl file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line]

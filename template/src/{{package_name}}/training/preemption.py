"""Preemption: SIGTERM (a spot instance's notice, SLURM at the time limit, torchrun passing one
on), SIGUSR1 (SLURM's --signal warning) and SIGINT (Ctrl-C) stop training at the end of the
current optimizer step, after which the trainer saves last.pt and raises Preempted."""

import signal
from types import FrameType, TracebackType

import torch

from ..errors import Preempted
from .distributed import DistEnv, all_reduce_sum

SIGNALS = (signal.SIGTERM, signal.SIGUSR1, signal.SIGINT)


class StopSignals:
    """While entered, records the stop signals instead of dying of them (a second Ctrl-C
    still interrupts at once); `requested` tells whether to stop after this step."""

    def __init__(self, env: DistEnv, device: torch.device) -> None:
        self.env, self.device = env, device
        self.received: signal.Signals | None = None
        self.previous: dict[int, object] = {}

    def __enter__(self) -> "StopSignals":
        self.previous = {s: signal.signal(s, self._record) for s in SIGNALS}
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _record(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGINT and self.received == signal.SIGINT:
            raise KeyboardInterrupt  # Ctrl-C twice: stop now, without a checkpoint
        self.received = signal.Signals(signum)

    def requested(self) -> bool:
        """Whether to stop after the current step. Under torchrun every process gets the same
        answer (a process that received the signal tells the others), so all stop at one step."""
        if self.env.world_size == 1:
            return self.received is not None
        flag = torch.tensor(float(self.received is not None), device=self.device)
        return all_reduce_sum(flag).item() > 0

    def preempted(self, step: int, last: object) -> Preempted:
        """The error that ends a stopped run, naming the signal (another process's, under
        torchrun, when this one received none) and the checkpoint that continues it."""
        name = self.received.name if self.received else "a stop signal to another process"
        message = f"stopped by {name} after step {step}; {last} continues it (--resume auto)"
        return Preempted(message)

"""Preemption: SIGTERM (a spot instance's notice, a scheduler, torchrun passing one on), SIGUSR1
(SLURM's --signal warning) and SIGINT (Ctrl-C) stop training at the end of the current
optimizer step, after which the trainer saves last.pt and raises Preempted."""

import signal
import threading
from types import FrameType

import torch

from ..errors import Preempted
from .distributed import DistEnv, all_reduce_sum

# SIGUSR1 does not exist on Windows.
SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGUSR1", "SIGINT") if hasattr(signal, n))


class StopSignals:
    """While entered, records the stop signals instead of dying of them (a second Ctrl-C
    still interrupts at once); `requested` tells whether to stop after this step. Handlers
    can only be set in the main thread: a training run in another thread (a tuner's) keeps
    the default behaviour."""

    def __init__(self, env: DistEnv, device: torch.device) -> None:
        self.env, self.device = env, device
        self.received: signal.Signals | None = None
        self.stopping = False
        self.previous: dict[int, object] = {}

    def __enter__(self) -> "StopSignals":
        self.received, self.stopping = None, False
        if threading.current_thread() is threading.main_thread():
            self.previous = {s: signal.signal(s, self._record) for s in SIGNALS}
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous = {}

    def _record(self, signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGINT and self.received == signal.SIGINT:
            raise KeyboardInterrupt  # Ctrl-C twice: stop now, without a checkpoint
        self.received = signal.Signals(signum)

    def requested(self) -> bool:
        """Whether to stop after the current step (also kept in `stopping`). Under torchrun
        every process gets the same answer (a process that received the signal tells the
        others), so all stop after the same step."""
        if self.env.world_size == 1:
            self.stopping = self.received is not None
        else:
            flag = torch.tensor(float(self.received is not None), device=self.device)
            self.stopping = all_reduce_sum(flag).item() > 0
        return self.stopping

    def preempted(self, step: int, last: object) -> Preempted:
        """The error that ends a stopped run, naming the signal (another process's, under
        torchrun, when this one received none) and the checkpoint that continues it."""
        name = self.received.name if self.received else "a stop signal to another process"
        message = f"stopped by {name} after step {step}; {last} continues it (--resume auto)"
        return Preempted(message)

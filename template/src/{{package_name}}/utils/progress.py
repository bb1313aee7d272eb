"""Progress lines for runs without a terminal, where tqdm's bar stays silent."""

import logging
import sys
import time
from typing import Any

from tqdm import tqdm

log = logging.getLogger(__name__)


class ProgressLines:
    """Logs a compact line (step, epoch progress, loss, lr, samples/s, ETA) at a logging step,
    at most every `every_s` seconds, when stderr is not a terminal (nohup, SLURM, CI).

    On a terminal tqdm's bar shows the same, so nothing is logged there.
    """

    def __init__(
        self,
        *,
        total_steps: int,
        steps_per_epoch: int,
        start_step: int,
        every_s: float,
        enabled: bool = True,
    ) -> None:
        self.total_steps, self.steps_per_epoch = total_steps, steps_per_epoch
        self.start_step, self.every_s = start_step, every_s
        self.enabled = enabled and not sys.stderr.isatty()
        self.start = self.last = time.monotonic()

    def update(self, record: dict[str, Any], steps_in_epoch: int) -> None:
        """Consider logging the training `record` (step, epoch, train/loss, lr, samples_per_s),
        made `steps_in_epoch` optimizer steps into its epoch."""
        now = time.monotonic()
        if not self.enabled or now - self.last < self.every_s:
            return
        self.last = now
        step = record["step"]
        per_step = (now - self.start) / max(1, step - self.start_step)
        log.info(
            "step %d/%d | epoch %d %d%% | loss %.4f | lr %.3g | %.0f samples/s | ETA %s",
            step,
            self.total_steps,
            record["epoch"],
            100 * steps_in_epoch // self.steps_per_epoch,
            record["train/loss"],
            record["lr"],
            record["samples_per_s"],
            tqdm.format_interval(per_step * (self.total_steps - step)),
        )

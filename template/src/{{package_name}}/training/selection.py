"""Model selection: which validation picks best.pt, of which weights, and when to stop early.

The score is the task's monitored validation metric (task.MONITOR), better when higher if
task.HIGHER_IS_BETTER; with an EMA, the better of the raw and the averaged weights counts.
"""

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from .. import task


@dataclass
class Selection:
    """The best score so far, the weights (raw or ema) of the latest validation's better score,
    and how many validations in a row found nothing better."""

    best_score: float = -math.inf if task.HIGHER_IS_BETTER else math.inf
    weights: str = "raw"
    stale_validations: int = 0

    def update(self, scores: dict[str, float]) -> bool:
        """Count one validation's `scores` (weights -> score); True when it is the best yet."""
        better = max if task.HIGHER_IS_BETTER else min
        self.weights = better(scores, key=scores.__getitem__)  # a tie keeps the raw weights
        score = scores[self.weights]
        if score > self.best_score if task.HIGHER_IS_BETTER else score < self.best_score:
            self.best_score, self.stale_validations = score, 0
            return True
        self.stale_validations += 1
        return False

    def state_dict(self) -> dict[str, Any]:
        """The selection as checkpoint entries."""
        return dataclasses.asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any], has_ema: bool) -> "Selection":
        """The selection a checkpoint saved; older checkpoints did not record the weights, and
        with the average switched off only the raw weights are left to deliver."""
        weights = state.get("weights", "raw") if has_ema else "raw"
        return cls(state["best_score"], weights, state["stale_validations"])

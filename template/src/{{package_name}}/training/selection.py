"""Model selection: which validation picks best.pt, of which weights, and when to stop early.

The score is the objective's monitored validation metric (its `monitor`), better when higher
if `higher_is_better`; with an EMA, the better of the raw and the averaged weights counts.
"""

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Selection:
    """The best score so far, the weights (raw or ema) of the latest validation's better score,
    and how many validations in a row found nothing better."""

    higher_is_better: bool
    best_score: float = field(default=math.nan)
    weights: str = "raw"
    stale_validations: int = 0

    def __post_init__(self) -> None:
        if math.isnan(self.best_score):  # nothing validated yet: any score is better
            self.best_score = -math.inf if self.higher_is_better else math.inf

    def update(self, scores: dict[str, float]) -> bool:
        """Count one validation's `scores` (weights -> score); True when it is the best yet."""
        better = max if self.higher_is_better else min
        self.weights = better(scores, key=scores.__getitem__)  # a tie keeps the raw weights
        score = scores[self.weights]
        if score > self.best_score if self.higher_is_better else score < self.best_score:
            self.best_score, self.stale_validations = score, 0
            return True
        self.stale_validations += 1
        return False

    def state_dict(self) -> dict[str, Any]:
        """The selection as checkpoint entries."""
        state = dataclasses.asdict(self)
        del state["higher_is_better"]  # the objective's, not the run's
        return state

    def load_state_dict(self, state: dict[str, Any], has_ema: bool) -> None:
        """Continue from the selection a checkpoint saved; older checkpoints did not record the
        weights, and with the average switched off only the raw weights are left to deliver."""
        self.best_score, self.stale_validations = state["best_score"], state["stale_validations"]
        self.weights = state.get("weights", "raw") if has_ema else "raw"

"""What a task's training minimises and its validation reports: the objective's interface."""

from typing import Any, Protocol

from torch import Tensor


class Objective(Protocol):
    """The loss, the validation metrics and the metric that picks best.pt, for one task's data
    (task.objective builds it from the data's spec)."""

    monitor: str
    """The validation metric that picks best.pt and drives early stopping."""
    higher_is_better: bool
    """The monitored metric's direction."""

    def loss(self, output: Tensor, target: Tensor) -> Tensor:
        """What training minimises, averaged over the batch's targets."""
        ...

    def metric_sums(self, output: Tensor, target: Tensor) -> dict[str, Tensor]:
        """Sums over a batch that add up across batches and processes (scalars or vectors)."""
        ...

    def metrics(self, sums: dict[str, Tensor], details: bool = False) -> dict[str, Any]:
        """The validation metrics (floats) from the summed `metric_sums`; with `details`, also
        what a report shows beside them (such as a per-class table)."""
        ...

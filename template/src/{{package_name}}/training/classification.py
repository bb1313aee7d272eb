"""Cross-entropy and accuracy for the tasks that predict a class, per sample or per token."""

import torch
import torch.nn.functional as F
from torch import Tensor


def flat_targets(logits: Tensor, targets: Tensor) -> tuple[Tensor, Tensor]:
    """Logits (..., C) and targets (...) as (N, C) and (N,): one row per predicted target,
    whether a batch holds one target per sample (B,) or one per position (B, T)."""
    return logits.flatten(0, -2), targets.flatten()


def loss(logits: Tensor, targets: Tensor) -> Tensor:
    """Mean cross-entropy over every target of the batch: what training minimises."""
    return F.cross_entropy(*flat_targets(logits, targets))


def metric_sums(logits: Tensor, targets: Tensor) -> dict[str, Tensor]:
    """Sums over the batch that add up across batches and processes; `metrics` divides them."""
    logits, targets = flat_targets(logits, targets)
    return {
        "loss": F.cross_entropy(logits.float(), targets, reduction="sum"),
        "correct": (logits.argmax(dim=1) == targets).sum(),
        "count": torch.tensor(targets.numel(), device=logits.device),
    }


def metrics(sums: dict[str, float]) -> dict[str, float]:
    """Mean cross-entropy (`loss`) and accuracy (`acc`) from the summed `metric_sums`."""
    return {"loss": sums["loss"] / sums["count"], "acc": sums["correct"] / sums["count"]}

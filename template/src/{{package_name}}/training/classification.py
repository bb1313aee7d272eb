"""Cross-entropy, accuracy and per-class scores for the tasks that predict a class, per sample or
per token."""

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor


def flat_targets(logits: Tensor, targets: Tensor) -> tuple[Tensor, Tensor]:
    """Logits (..., C) and targets (...) as (N, C) and (N,): one row per predicted target,
    whether a batch holds one target per sample (B,) or one per position (B, T). Soft targets
    (class probabilities (..., C), from MixUp) become (N, C)."""
    if targets.is_floating_point() and targets.shape == logits.shape:
        return logits.flatten(0, -2), targets.flatten(0, -2)
    return logits.flatten(0, -2), targets.flatten()


class Classification:
    """Cross-entropy (optionally class-weighted) to train; loss and accuracy to validate, and
    with class names also macro-F1 and a per-class table."""

    def __init__(
        self,
        classes: list[str] | None = None,
        class_weights: list[float] | None = None,
        monitor: str = "acc",
        label_smoothing: float = 0.0,
    ) -> None:
        self.monitor, self.higher_is_better = monitor, monitor != "loss"
        """The metric that picks best.pt: accuracy (higher is better) or loss (lower)."""
        self.classes = classes
        """Class names: per-class counts and macro-F1 are kept only when given."""
        self.class_weights = None if class_weights is None else torch.tensor(class_weights)
        """Weights of the training loss per class (validation loss stays unweighted)."""
        self.label_smoothing = label_smoothing
        """Of the training loss's targets (validation loss is against the true class)."""

    def loss(self, output: Tensor, target: Tensor) -> Tensor:
        """Mean cross-entropy over every target of the batch (weighted per class if set): class
        indices or class probabilities (MixUp's soft targets)."""
        logits, target = flat_targets(output, target)
        weight = self.class_weights
        if weight is not None:
            weight = weight.to(logits.device, logits.dtype)
        return F.cross_entropy(logits, target, weight=weight, label_smoothing=self.label_smoothing)

    def metric_sums(self, output: Tensor, target: Tensor) -> dict[str, Tensor]:
        """Summed loss, correct and target counts; per class the true positives, predictions
        and targets (C,) when the classes are named."""
        logits, target = flat_targets(output, target)
        predicted = logits.argmax(dim=1)
        sums = {
            "loss": F.cross_entropy(logits.float(), target, reduction="sum"),
            "correct": (predicted == target).sum(),
            "count": torch.tensor(target.numel(), device=logits.device),
        }
        if self.classes is not None:
            size = len(self.classes)
            sums["true_positives"] = torch.bincount(target[predicted == target], minlength=size)
            sums["predicted"] = torch.bincount(predicted, minlength=size)
            sums["actual"] = torch.bincount(target, minlength=size)
        return sums

    def metrics(self, sums: dict[str, Tensor], details: bool = False) -> dict[str, Any]:
        """Mean cross-entropy (`loss`), accuracy (`acc`) and, with class names, the mean F1 over
        the classes (`macro_f1`); `details` adds `per_class`: precision, recall, F1, support."""
        count = sums["count"].item()
        result: dict[str, Any] = {
            "loss": sums["loss"].item() / count,
            "acc": sums["correct"].item() / count,
        }
        if self.classes is None:
            return result
        tp, predicted, actual = sums["true_positives"], sums["predicted"], sums["actual"]
        precision = tp / predicted.clamp_min(1)  # a class never predicted has precision 0
        recall = tp / actual.clamp_min(1)
        f1 = 2 * tp / (predicted + actual).clamp_min(1)
        present = actual > 0  # macro-F1 over the classes that occur in this split
        result["macro_f1"] = f1[present].mean().item() if present.any() else 0.0
        if details:
            result["per_class"] = {
                name: {"precision": p, "recall": r, "f1": f, "support": int(n)}
                for name, p, r, f, n in zip(
                    self.classes,
                    precision.tolist(),
                    recall.tolist(),
                    f1.tolist(),
                    actual.tolist(),
                    strict=True,
                )
            }
        return result

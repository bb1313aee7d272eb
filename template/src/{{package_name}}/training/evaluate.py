"""Loss and accuracy of a classifier over a loader."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from ..data import build_dataloader, load_splits
from ..utils.device import select_device
from .checkpoint import load_checkpoint, restore_model


@torch.inference_mode()
def evaluate(
    model: nn.Module,
    loader: DataLoader,
    device: torch.device,
    autocast: Callable[[], AbstractContextManager] = nullcontext,
) -> dict[str, float]:
    """Mean cross-entropy and accuracy over every sample of `loader`."""
    was_training = model.training
    model.eval()
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    count = 0
    for x, y in loader:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        with autocast():
            logits = model(x)
        loss_sum += F.cross_entropy(logits.float(), y, reduction="sum")
        correct += (logits.argmax(dim=1) == y).sum()
        count += len(y)
    model.train(was_training)
    return {"loss": loss_sum.item() / count, "acc": correct.item() / count}


def evaluate_checkpoint(
    path: Path, config: Path | None = None, overrides: list[str] | None = None
) -> dict[str, float]:
    """Validation loss and accuracy of a saved model (its EMA weights when it has them).

    The config is the one saved in the checkpoint unless `config` is given; `overrides`
    apply on top (e.g. `data.path=other.csv`).
    """
    model, cfg, spec = restore_model(load_checkpoint(path), config, overrides)
    device = select_device(cfg.trainer.device)
    splits = load_splits(cfg.data, cfg.trainer.seed, classes=spec.classes)
    loader = build_dataloader(
        splits.val,
        batch_size=cfg.data.batch_size,
        shuffle=False,
        num_workers=cfg.data.num_workers,
        seed=cfg.trainer.seed,
        pin_memory=device.type == "cuda",
    )
    return evaluate(model.to(device), loader, device)

"""The task's validation metrics of a model over a loader, a checkpoint or a config's split."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader

from .. import task
from ..config import Config
from ..data import build_dataloader
from ..utils.device import select_device
from .checkpoint import load_checkpoint, restore_model
from .distributed import all_reduce_sum


@torch.inference_mode()
def evaluate(
    model: nn.Module,
    loader: DataLoader,
    device: torch.device,
    autocast: Callable[[], AbstractContextManager] = nullcontext,
) -> dict[str, float]:
    """The task's metrics (task.metrics) over every target of `loader`."""
    was_training = model.training
    model.eval()
    sums: dict[str, torch.Tensor] = {}
    for x, y in loader:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        with autocast():
            output = model(x)
        for key, value in task.metric_sums(output, y).items():
            sums[key] = sums[key] + value if key in sums else value
    model.train(was_training)
    # Exact under torchrun: each process saw a disjoint part of the data; add the parts up.
    totals = all_reduce_sum(torch.stack([value.double() for value in sums.values()]))
    return task.metrics(dict(zip(sums, totals.tolist(), strict=True)))


def evaluate_checkpoint(
    path: Path,
    config: Path | None = None,
    overrides: list[str] | None = None,
    weights: str | None = None,
) -> dict[str, float]:
    """Validation metrics of a saved model, with the weights (raw or ema) recorded in it unless
    `weights` is given.

    The config is the one saved in the checkpoint unless `config` is given; `overrides`
    apply on top (e.g. `data.path=other.csv`).
    """
    model, cfg, spec = restore_model(load_checkpoint(path), config, overrides, weights)
    return evaluate_split(model, cfg, spec, select_device(cfg.trainer.device))


def evaluate_split(
    model: nn.Module, cfg: Config, spec: task.Spec, device: torch.device
) -> dict[str, float]:
    """Validation metrics of `model` on `device` over the validation split that `cfg` defines."""
    return evaluate(model.to(device), validation_loader(cfg, spec, device), device)


def validation_loader(cfg: Config, spec: task.Spec, device: torch.device) -> DataLoader:
    """The validation split that `cfg` defines, in order, batched for `device`."""
    splits = task.load_splits(cfg.data, cfg.trainer.seed, spec)
    return build_dataloader(
        splits.val,
        batch_size=cfg.data.batch_size,
        shuffle=False,
        num_workers=cfg.data.num_workers,
        seed=cfg.trainer.seed,
        pin_memory=device.type == "cuda",
    )

"""The task's validation metrics of a model over a loader, a checkpoint or a config's split."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from .. import task
from ..config import Config, ConfigPaths
from ..data import build_dataloader
from ..data.splits import as_inputs
from ..utils.device import select_device, to_device
from .checkpoint import load_checkpoint, restore_model
from .distributed import all_reduce_sum, max_over_processes
from .objective import Objective


@torch.no_grad()  # not inference_mode: sharded parameters gathered in it could not train after
def evaluate(
    model: nn.Module,
    loader: DataLoader,
    device: torch.device,
    objective: Objective,
    autocast: Callable[[], AbstractContextManager] = nullcontext,
    details: bool = False,
    inputs: Callable[..., tuple[torch.Tensor, ...]] = as_inputs,
    lockstep: bool = False,
) -> dict[str, Any]:
    """The objective's metrics over every target of `loader` (with `details`, also what a
    report shows beside them); `inputs`: the splits' device_inputs. With `lockstep` (sharded
    parameters: each forward gathers them from every process) a process with fewer batches
    than another runs its last batch again, uncounted, so that all run as many forwards."""
    was_training = model.training
    model.eval()
    sums: dict[str, torch.Tensor] = {}
    args: tuple[torch.Tensor, ...] = ()
    for x, y in loader:
        args, y = inputs(*to_device(x, device)), y.to(device, non_blocking=True)
        with autocast():
            output = model(*args)
        for key, value in objective.metric_sums(output, y).items():
            sums[key] = sums[key] + value if key in sums else value
    for _ in range(max_over_processes(len(loader), device) - len(loader) if lockstep else 0):
        with autocast():
            model(*args)
    model.train(was_training)
    # Exact under torchrun: each process saw a disjoint part of the data; add the parts up.
    flat = all_reduce_sum(torch.cat([value.double().reshape(-1) for value in sums.values()]))
    parts = flat.cpu().split([value.numel() for value in sums.values()])
    shapes = [value.shape for value in sums.values()]
    totals = {
        key: part.reshape(shape) for key, part, shape in zip(sums, parts, shapes, strict=True)
    }
    return objective.metrics(totals, details)


def evaluate_checkpoint(
    path: Path,
    config: ConfigPaths = None,
    overrides: list[str] | None = None,
    weights: str | None = None,
) -> dict[str, Any]:
    """Validation metrics of a saved model, with the weights (raw or ema) recorded in it unless
    `weights` is given, and the objective's details (e.g. per class).

    The config is the one saved in the checkpoint unless `config` is given; `overrides`
    apply on top (e.g. `data.path=other.csv`).
    """
    model, cfg, spec = restore_model(load_checkpoint(path), config, overrides, weights)
    return evaluate_split(model, cfg, spec, select_device(cfg.trainer.device), details=True)


def evaluate_split(
    model: nn.Module, cfg: Config, spec: task.Spec, device: torch.device, details: bool = False
) -> dict[str, Any]:
    """Validation metrics of `model` on `device` over the validation split that `cfg` defines."""
    objective = task.objective(cfg.data, spec)
    loader, inputs = validation_loader(cfg, spec, device)
    return evaluate(model.to(device), loader, device, objective, details=details, inputs=inputs)


def validation_loader(
    cfg: Config, spec: task.Spec, device: torch.device
) -> tuple[DataLoader, Callable[..., tuple[torch.Tensor, ...]]]:
    """The validation split that `cfg` defines, in order, batched for `device`, and the splits'
    device_inputs (what makes a batch's items the model's inputs)."""
    splits = task.load_splits(cfg.data, cfg.trainer.seed, spec)
    loader = build_dataloader(
        splits.val,
        batch_size=cfg.data.batch_size,
        shuffle=False,
        num_workers=cfg.data.num_workers,
        seed=cfg.trainer.seed,
        pin_memory=device.type == "cuda",
    )
    return loader, splits.device_inputs

"""AdamW with weight decay on weight matrices, and the learning-rate schedules."""

import logging
import math
from functools import partial

import torch
from torch import nn
from torch.optim.lr_scheduler import LambdaLR, LRScheduler, ReduceLROnPlateau

from ..config import OptimConfig

log = logging.getLogger(__name__)

WARMUP_FRACTION = 0.15
"""The warmup takes at most this fraction of the run's steps: a short run on small data still
reaches its peak learning rate, and keeps enough warmup for a transformer to train stably."""


def build_optimizer(
    model: nn.Module,
    cfg: OptimConfig,
    head: nn.Module | None = None,
    backbone_lr_ratio: float = 1.0,
) -> torch.optim.AdamW:
    """AdamW; biases and normalisation parameters (1-D) are not decayed. With a `head` (a
    fine-tuned model's new classifier), every other parameter learns at optim.lr *
    `backbone_lr_ratio` and the head at optim.lr.

    The fused implementation (one kernel for all parameters) where the device has one: on CPU
    it is also much faster than the default per-parameter loop for many small tensors.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    in_head = {id(p) for p in head.parameters()} if head is not None else set()
    groups = []
    for lr, members in (
        (cfg.lr * backbone_lr_ratio, [p for p in params if id(p) not in in_head]),
        (cfg.lr, [p for p in params if id(p) in in_head]),
    ):
        decayed = [p for p in members if p.ndim >= 2]
        groups += [
            {"params": decayed, "weight_decay": cfg.weight_decay, "lr": lr},
            {"params": [p for p in members if p.ndim < 2], "weight_decay": 0.0, "lr": lr},
        ]
    groups = [g for g in groups if g["params"]]
    fused = all(p.device.type in ("cpu", "cuda", "mps") for p in params)
    return torch.optim.AdamW(groups, lr=cfg.lr, fused=fused or None)


def warmup_cosine(step: int, *, warmup: int, total: int, min_ratio: float) -> float:
    """LR multiplier: linear warmup to 1, then cosine decay to `min_ratio` at `total`."""
    if step < warmup:
        return (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))


def build_scheduler(
    optimizer: torch.optim.Optimizer, cfg: OptimConfig, total: int
) -> LRScheduler | ReduceLROnPlateau:
    """cosine: stepped after every optimizer step; plateau: stepped with each validation loss."""
    if cfg.schedule == "plateau":
        return ReduceLROnPlateau(
            optimizer, mode="min", factor=cfg.plateau_factor, patience=cfg.plateau_patience
        )
    warmup = min(cfg.warmup_steps, int(total * WARMUP_FRACTION))
    if warmup < cfg.warmup_steps:
        log.info(
            "optim.warmup_steps %d cut to %d: at most %d%% of the run's %d steps",
            cfg.warmup_steps,
            warmup,
            WARMUP_FRACTION * 100,
            total,
        )
    schedule = partial(warmup_cosine, warmup=warmup, total=total, min_ratio=cfg.min_lr_ratio)
    return LambdaLR(optimizer, schedule)

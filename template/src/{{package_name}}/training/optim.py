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


def build_optimizer(model: nn.Module, cfg: OptimConfig) -> torch.optim.AdamW:
    """AdamW; biases and normalisation parameters (1-D) are not decayed.

    The fused implementation (one kernel for all parameters) where the device has one: on CPU
    it is also much faster than the default per-parameter loop for many small tensors.
    """
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.ndim >= 2], "weight_decay": cfg.weight_decay},
        {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0},
    ]
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

"""Seeding and RNG state capture, for reproducible runs and exact resume."""

import os
import random
from typing import Any

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (all devices)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def configure_determinism(enabled: bool) -> None:
    """Make torch, cuDNN and cuBLAS pick deterministic algorithms (or allow the fastest)."""
    if enabled:
        # cuBLAS needs this set before its first call to be deterministic.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(enabled)
    torch.backends.cudnn.deterministic = enabled
    torch.backends.cudnn.benchmark = not enabled


def rng_state() -> dict[str, Any]:
    """Every RNG state a training step can touch, in checkpoint-safe types."""
    np_state = np.random.get_state(legacy=False)
    return {
        "python": random.getstate(),
        "numpy": {
            "key": torch.from_numpy(np_state["state"]["key"].astype(np.int64)),
            "pos": int(np_state["state"]["pos"]),
        },
        "torch": torch.get_rng_state(),
        # This process's device only: a resumed run may see a different number of GPUs.
        "cuda": torch.cuda.get_rng_state() if torch.cuda.is_available() else None,
    }


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what `rng_state` captured."""
    random.setstate(state["python"])
    np_state = np.random.get_state(legacy=False)
    np_state["state"]["key"] = state["numpy"]["key"].numpy().astype(np.uint32)
    np_state["state"]["pos"] = state["numpy"]["pos"]
    np_state["has_gauss"], np_state["gauss"] = 0, 0.0
    np.random.set_state(np_state)
    torch.set_rng_state(state["torch"])
    if state["cuda"] is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state(state["cuda"])

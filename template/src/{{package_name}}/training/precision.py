"""Mixed precision: autocast for the forward pass and, for fp16, loss scaling for backward.

With precision "32" both are no-ops (`nullcontext`, a disabled GradScaler), so the trainer
calls them the same way whatever the setting.
"""

from contextlib import AbstractContextManager, nullcontext
from typing import Any

import torch
from torch import Tensor
from torch.optim import Optimizer

from ..errors import ConfigError, NonFiniteError

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


class Precision:
    """Autocast dtype and GradScaler for trainer.precision: 32, bf16 (any device) or fp16
    (CUDA, with a GradScaler: small fp16 gradients would underflow without it)."""

    def __init__(self, precision: str, device: torch.device, autocast: bool = True) -> None:
        if precision == "fp16" and device.type != "cuda":
            raise ConfigError("trainer.precision: fp16 needs CUDA; use bf16 on this device")
        self.device_type, self.dtype = device.type, DTYPES.get(precision)
        self.half = self.dtype is not None
        self.autocasts = autocast and self.half
        """Whether forward passes autocast (not when the model casts itself: a sharded model's
        mixed-precision policy)."""
        self.scaler = torch.amp.GradScaler(device.type, enabled=precision == "fp16")

    def autocast(self) -> AbstractContextManager:
        """The context to run forward passes in."""
        if not self.autocasts:
            return nullcontext()
        return torch.autocast(self.device_type, dtype=self.dtype)

    def backward(self, loss: Tensor) -> None:
        """Backward of `loss`, scaled with fp16."""
        self.scaler.scale(loss).backward()

    def unscale_(self, optimizer: Optimizer) -> None:
        """Bring the gradients back to their true scale, before they are measured or clipped."""
        self.scaler.unscale_(optimizer)

    @property
    def skips_nonfinite(self) -> bool:
        """Whether non-finite gradients are expected now and then: fp16's scaler skips them."""
        return self.scaler.is_enabled()

    def step(self, optimizer: Optimizer, step: int) -> None:
        """The optimizer step (skipped by the scaler when fp16 gradients overflowed)."""
        self.scaler.step(optimizer)
        self.scaler.update()
        if self.scaler.is_enabled() and self.scaler.get_scale() < 1.0:
            # Overflow halves the scale and skips the step; a scale below 1 means every recent
            # step had non-finite gradients: stop instead of silently not training.
            raise NonFiniteError(
                f"step {step}: fp16 gradients stayed non-finite (loss scale "
                f"{self.scaler.get_scale():g}); try bf16 or a lower optim.lr"
            )

    def state_dict(self) -> dict[str, Any]:
        """The scaler's state (empty unless fp16)."""
        return self.scaler.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore `state_dict`; an empty one (saved without fp16) changes nothing."""
        if state:
            self.scaler.load_state_dict(state)

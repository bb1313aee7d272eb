"""Device selection: cuda, then mps, then cpu, unless the config names one."""

from collections.abc import Sequence

import torch

from ..errors import ConfigError


def select_device(name: str = "auto") -> torch.device:
    """Resolve trainer.device to a torch.device, failing clearly if it is not available."""
    available = {
        "cuda": torch.cuda.is_available(),
        "mps": torch.backends.mps.is_available(),
        "cpu": True,
    }
    if name == "auto":
        name = next(kind for kind, ok in available.items() if ok)
    if not available.get(name, False):
        raise ConfigError(f"trainer.device: {name} is not available on this machine")
    return torch.device(name)


def to_device(
    inputs: torch.Tensor | Sequence[torch.Tensor], device: torch.device | str
) -> tuple[torch.Tensor, ...]:
    """A batch's model inputs as the model's positional arguments, on `device` (a task's
    model takes one tensor, or several, such as the tabular model's numbers and categories)."""
    args = (inputs,) if isinstance(inputs, torch.Tensor) else tuple(inputs)
    return tuple(x.to(device, non_blocking=True) for x in args)

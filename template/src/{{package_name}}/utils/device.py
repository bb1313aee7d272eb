"""Device selection: cuda, then mps, then cpu, unless the config names one."""

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

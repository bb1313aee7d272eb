"""Datasets and loaders. The task's own data module (named in task.py) provides `Spec` (what
the model needs to know about the data; saved in checkpoints), `load_splits` (the train and
validation datasets of a config) and `make_sample_data` (a small learnable sample)."""

from .loader import build_dataloader
from .splits import Splits

__all__ = ["Splits", "build_dataloader"]

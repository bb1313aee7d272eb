"""The train and validation datasets of a run, and what the model needs to know about them."""

from dataclasses import dataclass
from typing import Any

from torch.utils.data import Dataset


@dataclass
class Splits:
    """Train and validation datasets, and the data's spec (saved in checkpoints)."""

    train: Dataset
    val: Dataset
    spec: Any

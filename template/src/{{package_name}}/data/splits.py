"""The train and validation datasets of a run, and what the model needs to know about them."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import Tensor
from torch.utils.data import Dataset


def as_inputs(*items: Tensor) -> tuple[Tensor, ...]:
    """The default Splits.device_inputs: the items as they are."""
    return items


@dataclass
class Splits:
    """Train and validation datasets, and the data's spec (saved in checkpoints)."""

    train: Dataset
    val: Dataset
    spec: Any
    train_batch: Callable[..., tuple[Tensor, ...]] | None = None
    """Applied to each training batch on the device, as (*inputs, targets) -> (*inputs,
    targets): e.g. MixUp, whose soft targets the task's loss takes."""
    device_inputs: Callable[..., tuple[Tensor, ...]] = as_inputs
    """Applied on the device to the inputs of every training and validation batch, before
    train_batch, as (*items) -> (*inputs): e.g. images kept as uint8 up to there and normalized
    there. By default the datasets' items are the model's inputs."""
    artifacts: dict[str, str] = field(default_factory=dict)
    """Text files a run directory keeps beside its config.yaml, by name: e.g. the text task's
    trained tokenizer (tokenizer.json)."""

"""Datasets and loaders for the project's task."""

from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import Subset, random_split

from ..config import DataConfig
from ..errors import DataError
from .loader import build_dataloader
from .tabular import CsvDataset, TabularSpec, make_sample_csv

__all__ = ["Splits", "build_dataloader", "load_splits", "make_sample_csv"]


@dataclass
class Splits:
    """Train and validation subsets of one file, and the data's spec."""

    train: Subset
    val: Subset
    spec: TabularSpec


def load_splits(cfg: DataConfig, seed: int, classes: list[str] | None = None) -> Splits:
    """Read `cfg.path` and split it deterministically by `seed`."""
    dataset = CsvDataset(Path(cfg.path), cfg.label_column, classes)
    num_val = round(len(dataset) * cfg.val_fraction)
    num_train = len(dataset) - num_val
    if num_train < cfg.batch_size or num_val < 1:
        raise DataError(
            f"{cfg.path}: {len(dataset)} rows give {num_train} training rows, fewer than "
            f"data.batch_size={cfg.batch_size}"
        )
    g = torch.Generator().manual_seed(seed)
    train, val = random_split(dataset, [num_train, num_val], generator=g)
    return Splits(train=train, val=val, spec=dataset.spec)

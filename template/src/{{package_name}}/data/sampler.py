"""A sampler whose order depends only on (seed, epoch) and that can start mid-epoch."""

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler


class EpochSampler(Sampler[int]):
    """Shuffles with a generator seeded from (seed, epoch), never from the global RNG.

    That makes each epoch's order reproducible on its own, so a run resumed at
    epoch e, batch b sees exactly the samples an uninterrupted run would.
    """

    def __init__(self, size: int, *, shuffle: bool, seed: int) -> None:
        self.size, self.shuffle, self.seed = size, shuffle, seed
        self.epoch, self.start = 0, 0

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        """Select the epoch's order and skip its first `start` samples."""
        self.epoch, self.start = epoch, start

    def __iter__(self) -> Iterator[int]:
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed + self.epoch)
            order = torch.randperm(self.size, generator=g).tolist()
        else:
            order = list(range(self.size))
        return iter(order[self.start :])

    def __len__(self) -> int:
        return self.size - self.start

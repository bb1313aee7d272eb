"""A sampler whose order depends only on (seed, epoch) and that can start mid-epoch."""

from collections.abc import Callable, Iterator

import torch
from torch import Tensor
from torch.utils.data import Sampler

CHUNK = 1 << 16


class EpochSampler(Sampler[int]):
    """Shuffles with a generator seeded from (seed, epoch), never from the global RNG.

    Each epoch's order is then reproducible on its own, so a run resumed at epoch e, sample k
    sees exactly the samples an uninterrupted run would. `on_epoch` passes each epoch on to a
    dataset whose items depend on it (random augmentation drawn per epoch).
    Under torchrun each of `world_size` processes takes every `world_size`-th sample of the
    order, starting at its `rank`; with `drop_tail` the order is first cut to a multiple of
    `world_size` so that every process runs the same number of steps.
    """

    def __init__(
        self,
        size: int,
        *,
        shuffle: bool,
        seed: int,
        on_epoch: Callable[[int], None] | None = None,
        rank: int = 0,
        world_size: int = 1,
        drop_tail: bool = False,
    ) -> None:
        self.size, self.shuffle, self.seed, self.on_epoch = size, shuffle, seed, on_epoch
        self.rank, self.world_size = rank, world_size
        self.total = size - size % world_size if drop_tail else size
        self.epoch, self.start = 0, 0

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        """Select the epoch's order and skip its first `start` samples (of this process)."""
        self.epoch, self.start = epoch, start
        if self.on_epoch is not None:
            self.on_epoch(epoch)

    def _order(self) -> Tensor:
        if not self.shuffle:
            return torch.arange(self.size)
        g = torch.Generator().manual_seed(self.seed + self.epoch)
        return torch.randperm(self.size, generator=g)

    def __iter__(self) -> Iterator[int]:
        mine = self._order()[: self.total][self.rank :: self.world_size][self.start :]
        # A slice at a time: a Python list of every index would take ~40 bytes per sample.
        for chunk in mine.split(CHUNK):
            yield from chunk.tolist()

    def __len__(self) -> int:
        mine = (self.total - self.rank + self.world_size - 1) // self.world_size
        return mine - self.start

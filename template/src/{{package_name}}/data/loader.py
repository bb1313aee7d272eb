"""DataLoader factory."""

import multiprocessing
import signal

import torch
from torch.utils.data import DataLoader, Dataset

from .sampler import EpochSampler

# Workers start from a fork server, not a fork of the training process: a fork copies every
# lock as it was, and a lock that another thread (a TensorBoard writer, pyarrow's pool) held at
# that instant stays locked in the worker forever (seen: workers hung in collate and in an
# import). Windows has no fork server; it spawns.
WORKER_START = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else None


def build_dataloader(
    dataset: Dataset,
    *,
    batch_size: int,
    shuffle: bool,
    num_workers: int,
    seed: int,
    pin_memory: bool,
    rank: int = 0,
    world_size: int = 1,
) -> DataLoader:
    """A loader whose order is set per epoch through `loader.sampler.set_epoch`, which also
    reaches the dataset's own `set_epoch` if it has one.

    Training loaders drop the last partial batch: every optimizer step then sees the same
    number of samples, and BatchNorm never gets a batch of one.
    """
    on_epoch = getattr(dataset, "set_epoch", None)
    sampler = EpochSampler(
        len(dataset),
        shuffle=shuffle,
        seed=seed,
        on_epoch=on_epoch,
        rank=rank,
        world_size=world_size,
        drop_tail=shuffle,  # training: equal step counts; validation: every sample once
    )
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=sampler,
        num_workers=num_workers,
        pin_memory=pin_memory,  # only worth it when copying to CUDA
        persistent_workers=num_workers > 0,
        # Workers seed torch, random and numpy from this generator, so runs are reproducible.
        generator=torch.Generator().manual_seed(seed),
        worker_init_fn=ignore_stop_signals,
        multiprocessing_context=WORKER_START if num_workers > 0 else None,
        drop_last=shuffle,
    )


def ignore_stop_signals(worker_id: int) -> None:
    """Worker processes ignore SIGTERM, SIGUSR1 and SIGINT: a scheduler signals every process of
    a job, and the main process, which stops training after the current step, shuts its workers
    down itself."""
    del worker_id
    for name in ("SIGTERM", "SIGUSR1", "SIGINT"):
        if hasattr(signal, name):  # SIGUSR1 does not exist on Windows
            signal.signal(getattr(signal, name), signal.SIG_IGN)

"""Running under torchrun: join and leave the process group, and sum tensors across processes."""

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import timedelta

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.nn.parallel import DistributedDataParallel


@dataclass(frozen=True)
class DistEnv:
    """This process's place in the job; rank 0 of 1 outside torchrun."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0 alone writes logs, metrics, checkpoints and the progress bar."""
        return self.rank == 0


def dist_env() -> DistEnv:
    """Read the rank and world size that torchrun sets in the environment."""
    return DistEnv(
        rank=int(os.environ.get("RANK", "0")),
        local_rank=int(os.environ.get("LOCAL_RANK", "0")),
        world_size=int(os.environ.get("WORLD_SIZE", "1")),
    )


@contextmanager
def distributed(device: torch.device, timeout_s: float) -> Iterator[DistEnv]:
    """Join torchrun's process group (nccl for CUDA, gloo for CPU) and leave it on exit.

    Without torchrun nothing happens: the same command runs in one process. A collective that
    waits longer than `timeout_s` for another process fails instead of hanging.
    """
    env = dist_env()
    if env.world_size == 1:
        yield env
        return
    timeout = timedelta(seconds=timeout_s)
    if device.type == "cuda":
        torch.cuda.set_device(env.local_rank)
        local = torch.device("cuda", env.local_rank)
        dist.init_process_group("nccl", timeout=timeout, device_id=local)
    else:
        dist.init_process_group("gloo", timeout=timeout)
    if not env.is_main:
        logging.getLogger().setLevel(logging.WARNING)  # one copy of the progress logs
    try:
        yield env
    finally:
        dist.destroy_process_group()


def exit_torchrun_worker() -> None:
    """Under torchrun, end this process now that its outputs are written and closed, without
    the interpreter's finalization; outside torchrun, do nothing.

    DDP keeps the gloo process group, and its worker threads, alive after
    destroy_process_group. A worker thread that releases a tensor while the interpreter
    finalizes aborts the process ("terminate called without an active exception"), and
    torchrun then reports the finished run as failed.
    """
    if dist_env().world_size == 1:
        return
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def wrap_ddp(
    model: nn.Module, env: DistEnv, device: torch.device
) -> tuple[nn.Module, Callable[[], AbstractContextManager]]:
    """The module to train and its `no_sync`: DDP under torchrun, `model` itself otherwise."""
    if env.world_size == 1:
        return model, nullcontext
    ddp = DistributedDataParallel(
        model, device_ids=[env.local_rank] if device.type == "cuda" else None
    )
    return ddp, ddp.no_sync


def all_reduce_sum(tensor: Tensor) -> Tensor:
    """Sum `tensor` over all processes (itself when not distributed)."""
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor

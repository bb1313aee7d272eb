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
from torch.distributed.tensor import DTensor
from torch.nn.parallel import DistributedDataParallel
from torch.nn.utils import get_total_norm


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
def distributed(device: torch.device, timeout_s: float, always: bool = False) -> Iterator[DistEnv]:
    """Join torchrun's process group (nccl for CUDA, gloo for CPU) and leave it on exit.

    Without torchrun nothing happens (the same command runs in one process), unless `always`:
    then a group of one process is made (a sharded model needs a group, even of one). A collective
    that waits longer than `timeout_s` for another process fails instead of hanging.
    """
    env = dist_env()
    if env.world_size == 1 and not always:
        yield env
        return
    timeout = timedelta(seconds=timeout_s)
    alone = {}  # outside torchrun a group of one needs no rendezvous: a store in memory will do
    if "MASTER_ADDR" not in os.environ:
        alone = {"store": dist.HashStore(), "rank": 0, "world_size": 1}
    if device.type == "cuda":
        torch.cuda.set_device(env.local_rank)
        local = torch.device("cuda", env.local_rank)
        dist.init_process_group("nccl", timeout=timeout, device_id=local, **alone)
    else:
        dist.init_process_group("gloo", timeout=timeout, **alone)
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


@contextmanager
def main_process_first() -> Iterator[None]:
    """Under torchrun, rank 0 runs the block first (e.g. writing a cache) while the others wait,
    then the others run it (and find the cache); otherwise just the block."""
    joined = dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1
    if joined and dist.get_rank() != 0:
        dist.barrier()
    try:
        yield
    finally:  # also when rank 0 fails: the others then meet the same error themselves
        if joined and dist.get_rank() == 0:
            dist.barrier()


def all_reduce_sum(tensor: Tensor) -> Tensor:
    """Sum `tensor` over all processes (itself when not distributed)."""
    if dist.is_available() and dist.is_initialized():
        dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor


def max_over_processes(value: int, device: torch.device) -> int:
    """The largest `value` of all processes (`value` itself when not distributed)."""
    if not (dist.is_available() and dist.is_initialized()):
        return value
    tensor = torch.tensor(value, device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return int(tensor)


def total_norm(grads: list[Tensor]) -> Tensor:
    """The L2 norm of all the gradients together; of sharded ones (DTensors), of their
    full tensors, over every process's shard."""
    norm = get_total_norm(grads)
    return norm.full_tensor() if isinstance(norm, DTensor) else norm

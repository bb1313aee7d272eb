"""Steps/s of the generated Trainer against a minimal hand-written loop (and Lightning if present).

All loops train the same generated MLP on the same DataLoader (the Trainer's own), with the same
batch size, optimizer and number of steps, on CPU with one thread. Rounds are short and
interleaved, each in a rotated order, and a loop's ratio is the median of its per-round ratios to
the bare loop, printed with its quartiles: this machine's speed drifts by a third within seconds.
A second copy of the bare loop shows what noise alone gives.
The Trainer runs as generated: EMA on, precision 32, gradient clipping, the non-finite checks
and logging every 10 steps. Two hand-written loops: the bare textbook loop, and the same loop
doing the Trainer's per-step work by hand (its fused AdamW with two parameter groups and its LR
schedule; the loss and the gradient norm read in one synchronisation, checked and clipped; the
EMA through torch.optim.swa_utils every trainer.ema_every_n_steps steps), which isolates the
Trainer's own overhead from the cost of its features. Goals: Trainer / hand-written >= 0.97 and
the Trainer faster than Lightning. It reports and never fails.

    python benchmarks/trainer_overhead.py --steps 200 --rounds 30
"""

import argparse
import gc
import importlib
import logging
import math
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import copier
import torch
import torch.nn.functional as F

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "benchproj"


def render(dst: Path) -> Any:
    """Render a default project (EMA on) and import its package."""
    data = {"project_name": PACKAGE, "amp": True, "ema": True, "tensorboard": False}
    # HEAD of this checkout; copier includes uncommitted template edits (with a warning).
    copier.run_copy(str(REPO), dst, data=data, defaults=True, quiet=True, vcs_ref="HEAD")
    sys.path.insert(0, str(dst / "src"))
    return importlib.import_module(PACKAGE)


def make_trainer(work: Path, steps: int, batch_size: int) -> Any:
    """The generated Trainer on a sample large enough for `steps` steps in one epoch."""
    config = importlib.import_module(f"{PACKAGE}.config")
    data = importlib.import_module(f"{PACKAGE}.task")
    trainer_mod = importlib.import_module(f"{PACKAGE}.training.trainer")
    rows = int(steps * batch_size / 0.8) + batch_size
    csv = data.make_sample_data(work, num_rows=rows)
    cfg = config.config_from_dict(
        {
            "data": {"path": str(csv), "batch_size": batch_size},
            "trainer": {"device": "cpu", "max_steps": steps, "precision": "32"},
        }
    )
    return trainer_mod.Trainer(cfg, work / "run").setup()


def time_trainer(trainer: Any) -> float:
    """Seconds for the Trainer's optimizer steps of one epoch (validation excluded)."""
    trainer.step = trainer.batch_in_epoch = 0
    start = time.perf_counter()
    trainer.train_epoch()
    return time.perf_counter() - start


def time_hand_loop(trainer: Any, steps: int) -> float:
    """Seconds for the same number of steps in the textbook loop, same model and loader."""
    model, loader = trainer.model, trainer.train_loader
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    loader.sampler.set_epoch(0)
    model.train()
    start = time.perf_counter()
    for i, (x, y) in enumerate(loader):
        if i == steps:
            break
        loss = F.cross_entropy(model(*x), y)  # x: the numbers and the category codes
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def time_hand_loop_same_work(trainer: Any, steps: int) -> float:
    """Seconds for the hand loop that also checks, clips and updates an EMA as the Trainer does."""
    from torch.nn.utils import clip_grads_with_norm_, get_total_norm
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

    model, loader = trainer.model, trainer.train_loader
    params = list(model.parameters())
    optim = importlib.import_module(f"{PACKAGE}.training.optim")
    optimizer = optim.build_optimizer(model, trainer.cfg.optim)
    scheduler = optim.build_scheduler(optimizer, trainer.cfg.optim, steps)
    max_norm = trainer.cfg.trainer.clip_grad_norm
    every = trainer.cfg.trainer.ema_every_n_steps
    decay = get_ema_multi_avg_fn(trainer.cfg.trainer.ema_decay**every)
    ema = AveragedModel(model, multi_avg_fn=decay, use_buffers=True)
    loader.sampler.set_epoch(0)
    model.train()
    start = time.perf_counter()
    for i, (x, y) in enumerate(loader):
        if i == steps:
            break
        loss = F.cross_entropy(model(*x), y)  # x: the numbers and the category codes
        loss.backward()
        grad_norm = get_total_norm([p.grad for p in params])
        loss_value, norm = torch.stack((loss.detach(), grad_norm)).tolist()
        assert math.isfinite(loss_value) and math.isfinite(norm)
        if max_norm is not None and norm > max_norm:
            clip_grads_with_norm_(params, max_norm, grad_norm)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if (i + 1) % every == 0:
            ema.update_parameters(model)
        scheduler.step()
    return time.perf_counter() - start


def lightning_timer(trainer: Any, steps: int) -> Callable[[], float] | None:
    """A timer for Lightning's Trainer on the same model and loader, if lightning is installed."""
    try:
        import lightning as L
    except ImportError:
        return None

    class Module(L.LightningModule):
        def __init__(self) -> None:
            super().__init__()
            self.model = trainer.model

        def training_step(self, batch: tuple[list[torch.Tensor], torch.Tensor], _: int) -> Any:
            x, y = batch
            return F.cross_entropy(self.model(*x), y)

        def configure_optimizers(self) -> torch.optim.Optimizer:
            return torch.optim.AdamW(self.parameters(), lr=3e-3, weight_decay=0.01)

    logging.getLogger("lightning").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="lightning")

    def run() -> float:
        pl_trainer = L.Trainer(
            max_steps=steps,
            accelerator="cpu",
            devices=1,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
            limit_val_batches=0,
            num_sanity_val_steps=0,
        )
        trainer.train_loader.sampler.set_epoch(0)
        start = time.perf_counter()
        pl_trainer.fit(Module(), train_dataloaders=trainer.train_loader)
        return time.perf_counter() - start

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(1)
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        render(work / PACKAGE)
        trainer = make_trainer(work, args.steps, args.batch_size)
        timers: dict[str, Callable[[], float]] = {
            "hand-written": lambda: time_hand_loop(trainer, args.steps),
            # The same loop again: its ratio to the first shows what noise alone gives.
            "hand-written, again": lambda: time_hand_loop(trainer, args.steps),
            "hand, same work": lambda: time_hand_loop_same_work(trainer, args.steps),
            "Trainer": lambda: time_trainer(trainer),
        }
        lightning = lightning_timer(trainer, args.steps)
        if lightning is not None:
            timers["Lightning"] = lightning
        for timer in timers.values():  # warm-up: allocator, caches, lazy imports
            timer()
        # Freeze what setup created (torch, copier, Lightning: about 440k objects, where a
        # training process holds about 240k) out of the collector's scans, so that a full
        # collection landing in one loop's round does not decide its ratio. Collections of
        # what the loops allocate still run.
        gc.collect()
        gc.freeze()
        names = list(timers)
        times: dict[str, list[float]] = {name: [] for name in names}
        for r in range(args.rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:  # rotate the order
                times[name].append(timers[name]())
    rates = {name: args.steps / statistics.median(ts) for name, ts in times.items()}
    print(f"{args.steps} steps, batch {args.batch_size}, 1 thread, {args.rounds} rounds")
    print("  loop                   steps/s  x hand-written: median [quartiles] of rounds")
    for name, rate in rates.items():
        print(f"  {name:20s} {rate:8.1f}   {_ratio(times, name, 'hand-written')}")
    print(f"Trainer / hand-written (bare):      {_ratio(times, 'Trainer', 'hand-written')}")
    print(f"Trainer / hand-written (same work): {_ratio(times, 'Trainer', 'hand, same work')}")
    if "Lightning" in times:
        print(f"Trainer / Lightning:                {_ratio(times, 'Trainer', 'Lightning')}")
    print("Goals: Trainer / hand-written >= 0.97, Trainer / Lightning > 1; compare them with")
    print("'hand-written, again', which differs from 1 by noise alone.")


def _ratio(times: dict[str, list[float]], name: str, base: str) -> str:
    """Median and quartiles of the per-round speed ratios name / base (drift between rounds
    cancels: each round times every loop within a few seconds)."""
    ratios = [b / t for b, t in zip(times[base], times[name], strict=True)]
    q1, median, q3 = statistics.quantiles(ratios, n=4)
    return f"{median:.3f} [{q1:.3f}, {q3:.3f}]"


if __name__ == "__main__":
    main()

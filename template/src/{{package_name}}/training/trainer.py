"""The training loop: a class of short steps, driven by Config."""

import dataclasses
import logging
import math
import time
from contextlib import nullcontext
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from tqdm import tqdm

from ..config import Config, config_from_dict, dump_config
from ..data import build_dataloader, load_splits
from ..errors import ConfigError, NonFiniteError
from ..models import build_model
from ..utils.device import select_device
from ..utils.log import MetricsLogger
from ..utils.seed import rng_state, seed_everything, set_rng_state
from .checkpoint import load_weights, save_checkpoint
from .evaluate import evaluate
from .optim import build_optimizer, build_scheduler

log = logging.getLogger(__name__)


class Trainer:
    """Trains the model on the configured data and writes a run directory.

    Features and the keys that switch them:
      - mixed precision: trainer.precision (bf16 autocast on any device, fp16 + GradScaler on CUDA)
      - gradient accumulation: trainer.grad_accum_steps
      - gradient clipping: trainer.clip_grad_norm (the norm is logged either way)
      - torch.compile: trainer.compile
      - warmup + cosine LR schedule: optim.warmup_steps, optim.min_lr_ratio
      - checkpoints: checkpoints/last.pt (each epoch and every trainer.checkpoint_every_n_steps)
        and checkpoints/best.pt (best validation accuracy); resume is exact
      - fail fast: a non-finite loss or gradient norm stops before optimizer.step()

    Use: `Trainer(cfg, run_dir).setup(resume=None)` then `.fit()`.
    """

    def __init__(self, cfg: Config, run_dir: Path) -> None:
        self.cfg, self.run_dir = cfg, run_dir
        self.ckpt_dir = run_dir / "checkpoints"
        self.device = select_device(cfg.trainer.device)
        precision = cfg.trainer.precision
        if precision == "fp16" and self.device.type != "cuda":
            raise ConfigError("trainer.precision: fp16 needs CUDA; use bf16 on this device")
        self.autocast = (
            partial(torch.autocast, self.device.type, dtype=_AMP_DTYPES[precision])
            if precision in _AMP_DTYPES
            else nullcontext
        )
        # GradScaler is a no-op unless fp16, where small gradients would underflow.
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=precision == "fp16")
        self.epoch = self.step = self.batch_in_epoch = 0
        self.best_acc = -math.inf

    def setup(self, resume: dict[str, Any] | None = None) -> "Trainer":
        """Build data, model and optimiser; continue from the checkpoint `resume` if given."""
        cfg = self.cfg
        seed_everything(cfg.trainer.seed)
        splits = load_splits(cfg.data, cfg.trainer.seed)
        self.spec = splits.spec
        loader = partial(
            build_dataloader,
            batch_size=cfg.data.batch_size,
            num_workers=cfg.data.num_workers,
            seed=cfg.trainer.seed,
            pin_memory=self.device.type == "cuda",
        )
        self.train_loader = loader(splits.train, shuffle=True)
        self.val_loader = loader(splits.val, shuffle=False)
        self.model = build_model(cfg.model, splits.spec, splits.train).to(self.device)
        self.train_forward = torch.compile(self.model) if cfg.trainer.compile else self.model
        accum = cfg.trainer.grad_accum_steps
        self.steps_per_epoch = len(self.train_loader) // accum
        if self.steps_per_epoch == 0:
            raise ConfigError(
                f"trainer.grad_accum_steps: {accum} exceeds the {len(self.train_loader)} "
                "batches of an epoch"
            )
        self.total_steps = self.steps_per_epoch * cfg.trainer.max_epochs
        if cfg.trainer.max_steps is not None:
            self.total_steps = min(self.total_steps, cfg.trainer.max_steps)
        self.optimizer = build_optimizer(self.model, cfg.optim)
        self.scheduler = build_scheduler(self.optimizer, cfg.optim, self.total_steps)
        self.ckpt_dir.mkdir(parents=True, exist_ok=True)
        dump_config(cfg, self.run_dir / "config.yaml")
        if resume is not None:
            self.load_state_dict(resume)
            log.info("resumed at epoch %d, step %d", self.epoch, self.step)
        self.metrics = MetricsLogger(
            self.run_dir / "metrics.jsonl", resume_step=self.step if resume else None
        )
        return self

    def fit(self) -> dict[str, float]:
        """Train until trainer.max_epochs or trainer.max_steps; return the last validation."""
        result: dict[str, float] = {}
        while self.epoch < self.cfg.trainer.max_epochs and self.step < self.total_steps:
            self.train_epoch()
            result = self.validate()
            if self.batch_in_epoch >= self.steps_per_epoch * self.cfg.trainer.grad_accum_steps:
                self.epoch, self.batch_in_epoch = self.epoch + 1, 0
            self.save("last.pt")
        log.info("best val/acc %.4f; checkpoints in %s", self.best_acc, self.ckpt_dir)
        return result

    def train_epoch(self) -> None:
        """Run the optimizer steps of one epoch (from the current position within it)."""
        self.model.train()
        accum = self.cfg.trainer.grad_accum_steps
        micro_batches = self.steps_per_epoch * accum
        start = self.batch_in_epoch * self.cfg.data.batch_size
        self.train_loader.sampler.set_epoch(self.epoch, start=start)
        batches = islice(self.train_loader, micro_batches - self.batch_in_epoch)
        bar = tqdm(
            batches,
            total=micro_batches - self.batch_in_epoch,
            desc=f"epoch {self.epoch}",
            leave=False,
            disable=None,  # quiet when not writing to a terminal
        )
        self._reset_window()
        for x, y in bar:
            self.train_micro_step(x, y)
            self.batch_in_epoch += 1
            if self.batch_in_epoch % accum == 0:
                record = self.optimizer_step()
                if record:
                    bar.set_postfix(
                        loss=f"{record['train/loss']:.4f}", sps=f"{record['samples_per_s']:.0f}"
                    )
                if self.step >= self.total_steps:
                    break

    def train_micro_step(self, x: Tensor, y: Tensor) -> None:
        """Forward and backward on one micro-batch; gradients accumulate."""
        x = x.to(self.device, non_blocking=True)
        y = y.to(self.device, non_blocking=True)
        with self.autocast():
            loss = F.cross_entropy(self.train_forward(x), y)
        self._check_finite("loss", loss)
        self.scaler.scale(loss / self.cfg.trainer.grad_accum_steps).backward()
        self._window["loss"] += loss.detach()
        self._window["n"] += 1

    def optimizer_step(self) -> dict[str, Any] | None:
        """Clip, step, schedule; log every trainer.log_every_n_steps. Returns the logged record."""
        self.scaler.unscale_(self.optimizer)
        max_norm = self.cfg.trainer.clip_grad_norm or math.inf
        grad_norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), max_norm)
        if not self.scaler.is_enabled():  # with fp16 the scaler skips steps with inf gradients
            self._check_finite("gradient norm", grad_norm)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        lr = self.scheduler.get_last_lr()[0]
        self.scheduler.step()
        self.step += 1
        record = None
        if self.step % self.cfg.trainer.log_every_n_steps == 0:
            record = self._log_window(lr, grad_norm)
        every = self.cfg.trainer.checkpoint_every_n_steps
        if every and self.step % every == 0:
            self.save("last.pt")
        return record

    def validate(self) -> dict[str, float]:
        """Evaluate on the validation split, log it, and keep best.pt."""
        result = evaluate(self.model, self.val_loader, self.device, self.autocast)
        self.metrics.log({"step": self.step, "epoch": self.epoch, **_prefixed("val", result)})
        log.info("epoch %d step %d: val %s", self.epoch, self.step, _fmt(result))
        if result["acc"] > self.best_acc:
            self.best_acc = result["acc"]
            self.save("best.pt")
        return result

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue the run exactly, in weights_only-safe types."""
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "epoch": self.epoch,
            "batch_in_epoch": self.batch_in_epoch,
            "step": self.step,
            "best_acc": self.best_acc,
            "rng": rng_state(),
            "config": self.cfg.to_dict(),
            "spec": dataclasses.asdict(self.spec),
            "torch_version": str(torch.__version__),  # TorchVersion is not weights_only-safe
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict` saved; warn about changed settings."""
        saved = config_from_dict(state["config"])
        for section, values in saved.to_dict().items():
            for key, value in values.items():
                current = getattr(getattr(self.cfg, section), key)
                if current != value:
                    log.warning("resuming with %s.%s = %r (was %r)", section, key, current, value)
        load_weights(self.model, state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        self.epoch, self.batch_in_epoch = state["epoch"], state["batch_in_epoch"]
        self.step, self.best_acc = state["step"], state["best_acc"]
        set_rng_state(state["rng"])

    def save(self, name: str) -> None:
        """Write checkpoints/<name> atomically."""
        save_checkpoint(self.state_dict(), self.ckpt_dir / name)

    def _check_finite(self, what: str, value: Tensor) -> None:
        if not torch.isfinite(value):
            raise NonFiniteError(
                f"step {self.step}: {what} is {value.item()}; stopped before the optimizer step "
                f"(last good checkpoint: {self.ckpt_dir / 'last.pt'})"
            )

    def _log_window(self, lr: float, grad_norm: Tensor) -> dict[str, Any]:
        window = self._window
        elapsed = time.perf_counter() - window["t"]
        record = {
            "step": self.step,
            "epoch": self.epoch,
            "train/loss": (window["loss"] / window["n"]).item(),
            "lr": lr,
            "grad_norm": grad_norm.item(),
            "samples_per_s": window["n"] * self.cfg.data.batch_size / elapsed,
        }
        self.metrics.log(record)
        self._reset_window()
        return record

    def _reset_window(self) -> None:
        """Start a new window of micro-batches for the logged averages."""
        zero = torch.zeros((), device=self.device)
        self._window = {"loss": zero, "n": 0, "t": time.perf_counter()}


_AMP_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def _fmt(values: dict[str, float]) -> str:
    return " ".join(f"{key} {value:.4f}" for key, value in values.items())


def _prefixed(prefix: str, values: dict[str, float]) -> dict[str, float]:
    return {f"{prefix}/{key}": value for key, value in values.items()}

"""Typed configuration: dataclass sections, YAML load/dump and `--set key=value` overrides."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from .errors import ConfigError


def _require(ok: bool, key: str, message: str) -> None:
    if not ok:
        raise ConfigError(f"{key}: {message}")


@dataclass
class DataConfig:
    """Where the data lives and how it is batched."""

    path: str = "data/train.csv"
    """CSV file: a header row, numeric feature columns and one label column."""
    label_column: str = "label"
    """Name of the column that holds the class label."""
    val_fraction: float = 0.2
    """Fraction of rows held out for validation; the split is fixed by trainer.seed."""
    batch_size: int = 64
    """Samples per batch."""
    num_workers: int = 0
    """DataLoader worker processes; 0 is fastest for in-memory tabular data."""

    def __post_init__(self) -> None:
        _require(0.0 < self.val_fraction < 1.0, "data.val_fraction", "must be between 0 and 1")
        _require(self.batch_size >= 1, "data.batch_size", "must be at least 1")
        _require(self.num_workers >= 0, "data.num_workers", "must be 0 or more")


@dataclass
class ModelConfig:
    """Model architecture."""

    hidden_sizes: list[int] = field(default_factory=lambda: [128, 64])
    """Width of each hidden layer of the MLP."""
    dropout: float = 0.1
    """Dropout probability after each hidden layer."""

    def __post_init__(self) -> None:
        _require(len(self.hidden_sizes) > 0, "model.hidden_sizes", "needs at least one layer")
        _require(all(h >= 1 for h in self.hidden_sizes), "model.hidden_sizes", "must be >= 1")
        _require(0.0 <= self.dropout < 1.0, "model.dropout", "must be in [0, 1)")


@dataclass
class OptimConfig:
    """AdamW and its warmup + cosine learning-rate schedule."""

    lr: float = 3e-3
    """Peak learning rate, reached after the warmup."""
    weight_decay: float = 0.01
    """AdamW weight decay, applied to weight matrices only (not biases or norms)."""
    warmup_steps: int = 50
    """Optimizer steps of linear warmup."""
    min_lr_ratio: float = 0.05
    """Final learning rate of the cosine decay, as a fraction of optim.lr."""

    def __post_init__(self) -> None:
        _require(self.lr > 0, "optim.lr", "must be positive")
        _require(self.weight_decay >= 0, "optim.weight_decay", "must be 0 or more")
        _require(self.warmup_steps >= 0, "optim.warmup_steps", "must be 0 or more")
        _require(0.0 <= self.min_lr_ratio <= 1.0, "optim.min_lr_ratio", "must be in [0, 1]")


@dataclass
class TrainerConfig:
    """How training runs."""

    max_epochs: int = 10
    """Passes over the training data."""
    max_steps: int | None = None
    """Stop after this many optimizer steps (null: no limit)."""
    seed: int = 42
    """Seeds the data split, data order, initialisation and dropout."""
    device: Literal["auto", "cpu", "cuda", "mps"] = "auto"
    """Where to train; auto picks cuda, then mps, then cpu."""
    precision: Literal["32", "bf16", "fp16"] = "32"
    """32 for full precision; bf16 or fp16 for mixed precision (fp16 needs CUDA)."""
    grad_accum_steps: int = 1
    """Micro-batches whose gradients are summed before each optimizer step."""
    clip_grad_norm: float | None = 1.0
    """Clip the gradient norm to this value (null: no clipping; the norm is still logged)."""
    compile: bool = False
    """Compile the model with torch.compile (slow first step, faster after)."""
    log_every_n_steps: int = 10
    """Write training metrics every this many optimizer steps."""
    checkpoint_every_n_steps: int | None = None
    """Also save checkpoints/last.pt every this many optimizer steps (null: each epoch only)."""

    def __post_init__(self) -> None:
        _require(self.max_epochs >= 1, "trainer.max_epochs", "must be at least 1")
        _require(self.max_steps is None or self.max_steps >= 1, "trainer.max_steps", "must be >= 1")
        _require(self.grad_accum_steps >= 1, "trainer.grad_accum_steps", "must be at least 1")
        _require(
            self.clip_grad_norm is None or self.clip_grad_norm > 0,
            "trainer.clip_grad_norm",
            "must be positive or null",
        )
        _require(self.log_every_n_steps >= 1, "trainer.log_every_n_steps", "must be at least 1")
        _require(
            self.checkpoint_every_n_steps is None or self.checkpoint_every_n_steps >= 1,
            "trainer.checkpoint_every_n_steps",
            "must be >= 1 or null",
        )


@dataclass
class Config:
    """The whole configuration of a run."""

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    trainer: TrainerConfig = field(default_factory=TrainerConfig)

    def to_dict(self) -> dict[str, Any]:
        """Plain nested dict (YAML- and checkpoint-friendly)."""
        return dataclasses.asdict(self)


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) is Literal:
        return " or ".join(repr(a) for a in typing.get_args(tp))
    return getattr(tp, "__name__", str(tp))


def _convert(value: Any, tp: Any, key: str) -> Any:
    """Check `value` against the annotation `tp`, converting where it is lossless."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(value, inner, key)
    if origin is Literal:
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        _require(text in args, key, f"expected {_type_name(tp)}, got {value!r}")
        return text
    if origin is list:
        _require(isinstance(value, list), key, f"expected a list, got {value!r}")
        return [_convert(v, args[0], f"{key}[{i}]") for i, v in enumerate(value)]
    if tp is float and isinstance(value, str):
        try:
            return float(value)  # YAML 1.1 reads "1e-3" as a string
        except ValueError:
            pass
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    ok = isinstance(value, tp) and not (tp is not bool and isinstance(value, bool))
    _require(ok, key, f"expected {_type_name(tp)}, got {value!r}")
    return value


def _from_dict(cls: type, data: Any, prefix: str) -> Any:
    """Build the dataclass `cls` from a mapping, naming any bad key."""
    _require(isinstance(data, dict), prefix.rstrip(".") or "config", "expected a mapping")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        _require(key in names, f"{prefix}{key}", f"unknown key (valid: {', '.join(names)})")
    kwargs = {}
    for name, value in data.items():
        tp = hints[name]
        if dataclasses.is_dataclass(tp):
            kwargs[name] = _from_dict(tp, value, f"{prefix}{name}.")
        else:
            kwargs[name] = _convert(value, tp, f"{prefix}{name}")
    return cls(**kwargs)


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply `section.key=value` strings to a nested dict; values are parsed as YAML."""
    for item in overrides:
        key, sep, text = item.partition("=")
        parts = key.strip().split(".")
        _require(bool(sep) and all(parts), item, "expected --set section.key=value")
        node = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            _require(isinstance(node, dict), key, f"'{part}' is not a section")
        try:
            node[parts[-1]] = yaml.safe_load(text)
        except yaml.YAMLError:
            node[parts[-1]] = text
    return data


def config_from_dict(data: dict[str, Any], overrides: list[str] | None = None) -> Config:
    """Validate a nested dict (plus overrides) into a Config."""
    return _from_dict(Config, apply_overrides(data, list(overrides or [])), "")


def load_config(path: Path | None = None, overrides: list[str] | None = None) -> Config:
    """Read a YAML config (defaults when `path` is None) and apply `--set` overrides."""
    data: Any = {}
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as err:
            raise ConfigError(f"{path}: not valid YAML ({err.__class__.__name__})") from None
        _require(isinstance(data, dict), str(path), "expected a mapping of sections")
    return config_from_dict(data, overrides)


def resolve_config(
    saved: dict[str, Any] | None, path: Path | None, overrides: list[str] | None
) -> Config:
    """The config of a run: `path` if given, else the one `saved` in a checkpoint, else defaults."""
    if path is None and saved is not None:
        return config_from_dict(saved, overrides)
    return load_config(path, overrides)


def dump_config(cfg: Config, path: Path) -> None:
    """Write the resolved config as YAML."""
    path.write_text(yaml.safe_dump(cfg.to_dict(), sort_keys=False))

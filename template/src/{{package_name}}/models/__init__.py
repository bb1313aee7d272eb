"""The project's model and how to build it from config and data."""

from torch import nn
from torch.utils.data import Subset

from ..config import ModelConfig
from ..data.tabular import TabularSpec
from .mlp import MLP

__all__ = ["MLP", "build_model"]


def build_model(cfg: ModelConfig, spec: TabularSpec, train: Subset | None = None) -> nn.Module:
    """The task's model; `train`, when given, sets its input standardisation."""
    model = MLP(
        spec.num_features,
        len(spec.classes),
        cfg.hidden_sizes,
        dropout=cfg.dropout,
        batch_norm=cfg.batch_norm,
        activation_checkpointing=cfg.activation_checkpointing,
    )
    if train is not None:
        model.standardize.fit(train.dataset.features[train.indices])
    return model

"""A multilayer perceptron for tabular classification."""

import torch
from torch import Tensor, nn


class Standardize(nn.Module):
    """Maps raw features to zero mean and unit variance with statistics of the training split.

    The statistics are buffers, so they travel with the weights into checkpoints and exports.
    """

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(num_features))
        self.register_buffer("std", torch.ones(num_features))

    @torch.no_grad()
    def fit(self, x: Tensor) -> None:
        """Set the statistics from a (N, F) tensor of training features."""
        self.mean.copy_(x.mean(dim=0))
        self.std.copy_(x.std(dim=0).clamp_min(1e-6))

    def forward(self, x: Tensor) -> Tensor:
        return (x - self.mean) / self.std


class MLP(nn.Module):
    """Standardize -> [Linear -> BatchNorm -> ReLU -> Dropout] x N -> Linear."""

    def __init__(
        self, num_features: int, num_classes: int, hidden_sizes: list[int], dropout: float
    ) -> None:
        super().__init__()
        self.standardize = Standardize(num_features)
        layers: list[nn.Module] = []
        width = num_features
        for hidden in hidden_sizes:
            # No bias: the BatchNorm that follows has its own shift.
            layers += [
                nn.Linear(width, hidden, bias=False),
                nn.BatchNorm1d(hidden),
                nn.ReLU(),
                nn.Dropout(dropout),
            ]
            width = hidden
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, num_classes)
        self.apply(_init_weights)

    def forward(self, x: Tensor) -> Tensor:
        # x: (B, F) raw features -> (B, C) logits
        return self.head(self.body(self.standardize(x)))


def _init_weights(module: nn.Module) -> None:
    if isinstance(module, nn.Linear):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        if module.bias is not None:
            nn.init.zeros_(module.bias)

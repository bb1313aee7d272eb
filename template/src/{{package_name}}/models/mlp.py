"""A multilayer perceptron for tabular classification."""

from itertools import pairwise

import torch
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint


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


def hidden_block(width_in: int, width_out: int, dropout: float, batch_norm: bool) -> nn.Sequential:
    """Linear -> [BatchNorm] -> ReLU -> Dropout."""
    # No bias before BatchNorm: its shift makes the bias redundant.
    layers: list[nn.Module] = [nn.Linear(width_in, width_out, bias=not batch_norm)]
    if batch_norm:
        layers.append(nn.BatchNorm1d(width_out))
    layers += [nn.ReLU(), nn.Dropout(dropout)]
    return nn.Sequential(*layers)


class MLP(nn.Module):
    """Standardize -> hidden blocks -> Linear head."""

    def __init__(
        self,
        num_features: int,
        num_classes: int,
        hidden_sizes: list[int],
        dropout: float = 0.0,
        batch_norm: bool = True,
        activation_checkpointing: bool = False,
    ) -> None:
        super().__init__()
        self.standardize = Standardize(num_features)
        widths = [num_features, *hidden_sizes]
        self.blocks = nn.ModuleList(
            hidden_block(w_in, w_out, dropout, batch_norm) for w_in, w_out in pairwise(widths)
        )
        self.head = nn.Linear(widths[-1], num_classes)
        self.activation_checkpointing = activation_checkpointing
        self.apply(_init_weights)

    def forward(self, x: Tensor) -> Tensor:
        x = self.standardize(x)  # (B, F)
        for block in self.blocks:
            if self.activation_checkpointing and self.training:
                # Keep only the block's input; recompute its activations during backward.
                x = checkpoint(block, x, use_reentrant=False)
            else:
                x = block(x)  # (B, H)
        return self.head(x)  # (B, C) logits


def _init_weights(module: nn.Module) -> None:
    if isinstance(module, nn.Linear):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        if module.bias is not None:
            nn.init.zeros_(module.bias)

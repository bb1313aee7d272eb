"""Training curves from metrics.jsonl as one PNG."""

from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from ..errors import DataError
from .log import read_metrics


def plot_metrics(metrics: Path, out: Path) -> Path:
    """Plot losses, accuracies (raw and EMA) and the learning rate against step into `out`."""
    if not metrics.is_file():
        raise DataError(f"no metrics file at {metrics}")
    records = read_metrics(metrics)
    if not records:
        raise DataError(f"{metrics} holds no records yet")
    keys = sorted({key for record in records for key in record})
    panels = {
        "loss": [k for k in keys if k.endswith("loss")],
        "accuracy": [k for k in keys if k.endswith("acc")],
        "learning rate": ["lr"],
    }
    # A bare Figure needs no pyplot and no display backend.
    fig = Figure(figsize=(15, 3.8), layout="constrained")
    for ax, (title, names) in zip(fig.subplots(1, len(panels)), panels.items(), strict=True):
        for name in names:
            _plot_series(ax, records, name)
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    fig.savefig(out, dpi=100)
    return out


def _plot_series(ax: Any, records: list[dict[str, Any]], name: str) -> None:
    points = [(r["step"], r[name]) for r in records if name in r]
    if points:
        steps, values = zip(*points, strict=True)
        ax.plot(steps, values, label=name, marker="." if len(points) < 30 else None)
        ax.legend()

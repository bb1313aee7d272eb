"""Command line: make-data, train, evaluate, plot (`python -m <package>` works the same)."""

import functools
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from .errors import ProjectError

app = typer.Typer(
    help="Make sample data, train and evaluate the model.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="YAML config file (default: built-in defaults).")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a config value: --set trainer.max_epochs=5 (repeatable)."),
]


def exits_cleanly(command: Callable[..., None]) -> Callable[..., None]:
    """Report ProjectError as one `error:` line on stderr and exit with its code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except ProjectError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(err.exit_code) from None

    return wrapper


@app.callback()
def _setup() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")


@app.command("make-data")
@exits_cleanly
def make_data(
    out: Annotated[Path, typer.Option(help="Folder to write train.csv into.")] = Path("data"),
    rows: Annotated[int, typer.Option(min=10, help="Number of rows.")] = 4000,
    seed: Annotated[int, typer.Option(help="Random seed of the sample.")] = 0,
) -> None:
    """Write a small, learnable sample dataset in the format `train` reads."""
    from .data import make_sample_csv

    path = make_sample_csv(out / "train.csv", num_rows=rows, seed=seed)
    typer.echo(f"wrote {rows} rows to {path}")


@app.command()
@exits_cleanly
def train(
    config: ConfigOption = None,
    overrides: SetOption = None,
    run_dir: Annotated[
        Path | None, typer.Option(help="Output folder (default: runs/<timestamp>).")
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option(help="'auto' to continue the run in --run-dir (or the newest), or a last.pt."),
    ] = None,
) -> None:
    """Train; writes config.yaml, metrics.jsonl and checkpoints/ in the run folder."""
    from .config import resolve_config
    from .training.checkpoint import load_checkpoint
    from .training.run_dir import resolve_run
    from .training.trainer import train as run_training

    run_path, checkpoint = resolve_run(run_dir, resume)
    state = load_checkpoint(checkpoint) if checkpoint else None
    # A resumed run keeps its saved config unless --config is given; --set applies on top.
    cfg = resolve_config(state and state["config"], config, overrides)
    result = run_training(cfg, run_path, resume=state)
    typer.echo(json.dumps({"run_dir": str(run_path), **result}))


@app.command()
@exits_cleanly
def evaluate(
    checkpoint: Annotated[Path, typer.Option(help="A checkpoint written by train.")],
    config: ConfigOption = None,
    overrides: SetOption = None,
) -> None:
    """Print validation loss and accuracy of a checkpoint as JSON."""
    from .training.evaluate import evaluate_checkpoint

    typer.echo(json.dumps(evaluate_checkpoint(checkpoint, config, overrides)))


@app.command()
@exits_cleanly
def plot(
    run_dir: Annotated[Path, typer.Argument(help="A run folder written by train.")],
) -> None:
    """Draw the run's loss, accuracy and learning-rate curves into RUN_DIR/curves.png."""
    from .utils.plot import plot_metrics

    out = plot_metrics(run_dir / "metrics.jsonl", run_dir / "curves.png")
    typer.echo(f"wrote {out}")


def main() -> None:
    """Console-script entry point."""
    app()

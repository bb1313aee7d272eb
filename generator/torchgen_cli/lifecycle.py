"""The `update`, `add` and `remove` commands: a generated project's life after `torchgen new`."""

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from torchgen_cli.errors import CONFLICT, CliError

if TYPE_CHECKING:  # copier is imported only when a command runs: `--help` stays fast
    from torchgen_cli.merge import Conflict, Outcome

HERE = Path(".")
PathOption = Annotated[
    Path, typer.Option("--path", metavar="PATH", help="The project folder (default: here).")
]


class ConflictMode(str, Enum):
    """How update marks a conflict: markers in the file, or a .rej file beside it."""

    inline = "inline"
    rej = "rej"


def update(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="The project folder (default: here).")
    ] = HERE,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            metavar="KEY=VALUE",
            help="Change one answer (repeatable); new questions take their defaults.",
        ),
    ] = None,
    conflict: Annotated[
        ConflictMode,
        typer.Option(
            "--conflict", help="Mark conflicts inline (<<<<<<<) or in .rej files beside them."
        ),
    ] = ConflictMode.inline,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Show what would change; change nothing.")
    ] = False,
) -> None:
    """Bring a project up to the installed template, keeping your edits."""
    from torchgen_cli.updating import update_project

    with _reported():
        outcome = update_project(path, data or [], cast("Conflict", conflict.value), pretend)
    if outcome.after == outcome.before and not outcome.changes:
        typer.echo(f"{path} is already at template version {outcome.after}; nothing changed.")
        return
    verb = "Would update" if pretend else "Updated"
    typer.echo(f"{verb} {path} to template version {outcome.after} (was {outcome.before}):")
    _finish(outcome, pretend)


def add(
    features: Annotated[list[str], typer.Argument(metavar="FEATURE", help="Features to add.")],
    path: PathOption = HERE,
) -> None:
    """Switch features on in an existing project."""
    _switch(features, path, on=True, force=False)


def remove(
    features: Annotated[list[str], typer.Argument(metavar="FEATURE", help="Features to remove.")],
    path: PathOption = HERE,
    force: Annotated[
        bool, typer.Option("--force", help="Delete the features' files even if you edited them.")
    ] = False,
) -> None:
    """Switch features off; deleting edited files needs --force."""
    _switch(features, path, on=False, force=force)


def _switch(names: list[str], path: Path, *, on: bool, force: bool) -> None:
    """Run add or remove and report it."""
    from torchgen_cli.updating import switch_features

    with _reported():
        chosen, outcome = switch_features(path, names, on, force)
    state = "on" if on else "off"
    listed = ", ".join(feature.name for feature in chosen)
    if outcome is None:
        typer.echo(f"Nothing to do: {listed} already {state}.")
        return
    typer.echo(f"Switched {state} in {path}: {listed}.")
    _finish(outcome, pretend=False)


def _finish(outcome: "Outcome", pretend: bool) -> None:
    """List the changed files, then the conflicts; exit with CONFLICT when any remain."""
    for kind, file in outcome.changes:
        typer.echo(f"  {kind:<9} {file}")
    if outcome.conflicts:
        count = len(outcome.conflicts)
        typer.echo(
            f"{'Would leave c' if pretend else 'C'}onflicts in {count} file{'s' * (count > 1)}: "
            "resolve the <<<<<<< markers (or the .rej files), then commit:"
        )
        for file in outcome.conflicts:
            typer.echo(f"  {file}")
    if pretend:
        typer.echo("Nothing changed (--pretend).")
    else:
        typer.echo("Review the changes with `git diff`, then commit them.")
    if outcome.conflicts:
        raise typer.Exit(CONFLICT)


@contextmanager
def _reported() -> Iterator[None]:
    """Turn a CliError into one `error:` line on stderr and its exit code."""
    try:
        yield
    except CliError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(error.exit_code) from None

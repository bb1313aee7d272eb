"""The `torchgen` command line: `torchgen new PATH` renders a PyTorch project."""

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from torchgen_cli import __version__, lifecycle

app = typer.Typer(
    name="torchgen",
    help="Generate complete, tested PyTorch projects.",
    no_args_is_help=True,
    add_completion=False,
    # Plain help instead of Rich panels: importing rich would double the start-up time.
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    """Print the version and stop, before any command runs."""
    if value:
        typer.echo(f"torchgen {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Generate complete, tested PyTorch projects."""


@app.command()
def new(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH", help="Folder to create; its name is the default project name."
        ),
    ],
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Take the default for every unanswered question.")
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            metavar="KEY=VALUE",
            help="Answer one question (repeatable); the others take their defaults.",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write into a non-empty folder, keeping other files.")
    ] = False,
    pretend: Annotated[
        bool, typer.Option("--pretend", help="Show what would be written; write nothing.")
    ] = False,
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            metavar="SRC",
            help="Template folder or git URL to render instead of torchgen's own.",
        ),
    ] = None,
    vcs_ref: Annotated[
        str | None,
        typer.Option("--vcs-ref", metavar="REF", help="Git tag, branch or commit of the template."),
    ] = None,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Skip `git init` and the first commit of the files.")
    ] = False,
) -> None:
    """Create a new PyTorch project in PATH."""
    # Imported here, not at the top: copier takes longer to import than `--help` takes to run.
    from torchgen_cli.answers import check_keys, hint_unanswered, parse_data, question_names
    from torchgen_cli.errors import USAGE, CliError
    from torchgen_cli.gitrepo import enclosing_repo
    from torchgen_cli.render import render, resolve_source

    target = path.expanduser().resolve()
    answers: dict[str, str] = {}
    repo = None
    try:
        answers = parse_data(data or [])
        source = resolve_source(template, vcs_ref)
        if source.config is not None:
            check_keys(answers, question_names(source.config))
        non_interactive = defaults or bool(answers)
        if not non_interactive and not sys.stdin.isatty():
            reason = "no terminal to ask questions on; pass --defaults or --data KEY=VALUE"
            raise CliError(reason, USAGE)
        if not (no_git or pretend):
            repo = enclosing_repo(target)  # an existing repository gets no nested one
        result = render(
            source,
            target,
            answers,
            {"project_name": target.name},
            defaults=non_interactive,
            force=force,
            pretend=pretend,
            init_git=not (no_git or pretend) and repo is None,
        )
    except CliError as error:
        typer.echo(f"error: {hint_unanswered(str(error), answers)}", err=True)
        raise typer.Exit(error.exit_code) from None
    if pretend:
        typer.echo(f"Nothing written to {path} (--pretend).")
        return
    if repo is not None:
        typer.echo(f"No `git init`: {path} is inside the git repository {repo}.")
    here = target == Path.cwd()
    steps = [] if here else [f"cd {shlex.quote(str(path))}"]
    steps.append("pip install -e '.[dev]'")
    command = result.get("package_name")
    if command:
        steps += [f"{command} make-data", f"{command} train"]
    typer.echo(f"Created {'the project here' if here else path}. Next: {' && '.join(steps)}")


app.command()(lifecycle.update)
app.command()(lifecycle.add)
app.command()(lifecycle.remove)


def main() -> None:
    """Run the torchgen command line."""
    app()

"""The one error type the command line turns into `error: <reason>` and an exit code."""

from collections.abc import Iterator
from contextlib import contextmanager

USAGE = 2
"""Exit code when the command line or an answer is wrong: the user fixes the command."""

FAILURE = 1
"""Exit code when the filesystem, git or the template fails."""

CONFLICT = 3
"""Exit code when an update or feature switch was written but left conflicts to resolve."""


class CliError(Exception):
    """A failure the user can act on: a one-line reason and the exit code to end with."""

    def __init__(self, reason: str, exit_code: int = FAILURE) -> None:
        super().__init__(reason)
        self.exit_code = exit_code


def one_line(error: BaseException) -> str:
    """Reduce an error to one telling line: git's own message when a git command failed."""
    stderr = getattr(error, "stderr", None)
    if isinstance(stderr, str) and stderr.strip():
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        return next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[0])
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


@contextmanager
def copier_errors(action: str) -> Iterator[None]:
    """Turn copier's failures in the block into one-line errors: `cannot <action>: <reason>`."""
    # Imported here: the command line loads this module before `--help`, and copier is slow.
    import jinja2
    from copier.errors import CopierError

    try:
        yield
    except KeyboardInterrupt:
        raise CliError("interrupted") from None
    except (CopierError, jinja2.TemplateError, OSError) as error:
        raise CliError(f"cannot {action}: {one_line(error)}") from None
    except ValueError as error:  # copier's verdict on an answer or on an unknown git ref
        raise CliError(one_line(error), USAGE) from None

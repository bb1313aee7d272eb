"""The one error type the command line turns into `error: <reason>` and an exit code."""

USAGE = 2
"""Exit code when the command line or an answer is wrong: the user fixes the command."""

FAILURE = 1
"""Exit code when the filesystem, git or the template fails."""


class CliError(Exception):
    """A failure the user can act on: a one-line reason and the exit code to end with."""

    def __init__(self, reason: str, exit_code: int = FAILURE) -> None:
        super().__init__(reason)
        self.exit_code = exit_code

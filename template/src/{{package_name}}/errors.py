"""Errors a user can cause, each with the exit code the CLI reports."""


class ProjectError(Exception):
    """A problem the user can fix: bad arguments, config, data or checkpoint (exit code 2)."""

    exit_code = 2


class ConfigError(ProjectError, ValueError):
    """An unknown key, a wrong type or an out-of-range value in the configuration."""


class DataError(ProjectError):
    """A data file that is missing or malformed."""


class CheckpointError(ProjectError):
    """A checkpoint that is missing, truncated or not written by this project."""


class NonFiniteError(ProjectError):
    """Training produced a non-finite loss or gradient norm (exit code 3)."""

    exit_code = 3


class ModelFileError(ProjectError):
    """A model file that is missing or unreadable, or an exported model without its manifest."""


def require(ok: bool, key: str, message: str) -> None:
    """Raise ConfigError("key: message") unless `ok`: the check of one config value."""
    if not ok:
        raise ConfigError(f"{key}: {message}")


class Preempted(ProjectError):
    """Training stopped on SIGTERM, SIGUSR1 or SIGINT after saving last.pt (exit code 4: a
    scheduler requeues the job, and `train --resume auto` continues it exactly)."""

    exit_code = 4

"""A throw-away clone of a template source: its copier.yml and its rendering at any revision."""

import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import copier
import yaml
from copier.errors import CopierError

from torchgen_cli.errors import CliError
from torchgen_cli.gitrepo import git, run_git
from torchgen_cli.source import CONFIG_NAMES


def missing_revision(location: str, ref: str) -> str:
    """Explain a template source that lacks the revision a project records."""
    return (
        f"{location} lacks the template revision {ref} the project records: it was made by a "
        "newer torchgen, or from uncommitted template changes"
    )


class TemplateClone:
    """Clone a template source (folder, bundle or URL) once; read and render it at revisions."""

    def __init__(self, location: str) -> None:
        self.location = location
        self._tmp = tempfile.TemporaryDirectory(prefix="torchgen-template-")
        self.repo = Path(self._tmp.name) / "repo"

    def __enter__(self) -> "TemplateClone":
        source = self.location
        if source.startswith("~"):
            source = str(Path(source).expanduser())
        git("clone", "--quiet", "--no-checkout", "--", source, str(self.repo), cwd=self.repo.parent)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._tmp.cleanup()

    def config(self, ref: str) -> dict[str, Any]:
        """Return the template's copier.yml at `ref` as a mapping."""
        if run_git(
            "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", cwd=self.repo
        ).returncode:
            raise CliError(missing_revision(self.location, ref))
        for name in CONFIG_NAMES:
            shown = run_git("show", f"{ref}:{name}", cwd=self.repo)
            if shown.returncode == 0:
                try:
                    data = yaml.safe_load(shown.stdout.decode())
                except yaml.YAMLError as error:
                    raise CliError(f"cannot read {name} at {ref}: {error}") from None
                return data if isinstance(data, dict) else {}
        raise CliError(f"{self.location} has no copier.yml at revision {ref}")

    def render(self, ref: str, answers: dict[str, Any], dst: Path) -> Path:
        """Render the template at `ref` with `answers` into `dst`, running no tasks."""
        src = dst.with_name(f"{dst.name}-template")
        src.mkdir(parents=True)
        # A plain folder, not a git source: copier then renders it without cloning it again.
        git(f"--work-tree={src}", "checkout", "--force", ref, "--", ".", cwd=self.repo)
        try:
            copier.run_copy(
                str(src),
                dst,
                data=answers,
                defaults=True,
                overwrite=True,
                quiet=True,
                skip_tasks=True,
            )
        except (CopierError, ValueError) as error:
            raise CliError(f"cannot render the template at {ref}: {error}") from None
        return dst

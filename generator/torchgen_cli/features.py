"""Features: the bool questions of copier.yml, and the options of its multiselect questions."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from torchgen_cli.answers import render_with
from torchgen_cli.errors import USAGE, CliError

FALSE_WORDS = {"", "0", "n", "no", "f", "false", "off", "~", "null", "none"}


@dataclass(frozen=True)
class Feature:
    """A name `add`/`remove` take: a bool question, or one option of a multiselect question."""

    name: str
    question: str
    option: str | None = None


def all_features(config: Mapping[str, Any]) -> list[Feature]:
    """List the features a copier.yml defines, in file order; a name already taken is skipped."""
    found: dict[str, Feature] = {}
    for question, spec in config.items():
        if question.startswith("_") or not isinstance(spec, dict) or spec.get("when") is False:
            continue
        if spec.get("type") == "bool":
            found.setdefault(question, Feature(question, question))
        elif spec.get("multiselect"):
            for option in _options(spec):
                found.setdefault(option, Feature(option, question, option))
    return list(found.values())


def select(
    names: Iterable[str], config: Mapping[str, Any], answers: Mapping[str, Any]
) -> list[Feature]:
    """Resolve feature names; refuse unknown ones and ones this project's answers rule out."""
    known = {feature.name: feature for feature in all_features(config)}
    if not known:
        raise CliError("the template has no features (bool or multiselect questions)", USAGE)
    usable = [
        name for name, feature in known.items() if _applies(config[feature.question], answers)
    ]
    chosen = []
    for name in names:
        if name not in known:
            raise CliError(f"unknown feature {name!r}; features: {', '.join(usable)}", USAGE)
        if name not in usable:
            reason = f"feature {name!r} is not available for this project; features: "
            raise CliError(reason + ", ".join(usable), USAGE)
        chosen.append(known[name])
    return chosen


def is_on(feature: Feature, config: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """Tell whether the project's answers switch `feature` on."""
    value = _answer(feature.question, config, answers)
    if feature.option is None:
        return _truthy(value)
    return isinstance(value, list) and feature.option in value


def switched(
    features: Iterable[Feature], on: bool, config: Mapping[str, Any], answers: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the answers that switch `features` on (or off); unchanged answers are left out."""
    data: dict[str, Any] = {}
    for feature in features:
        if feature.option is None:
            data[feature.question] = on
            continue
        current = data.get(feature.question, _answer(feature.question, config, answers))
        chosen = set(current if isinstance(current, list) else [])
        chosen = chosen | {feature.option} if on else chosen - {feature.option}
        data[feature.question] = [o for o in _options(config[feature.question]) if o in chosen]
    return {
        question: value
        for question, value in data.items()
        if value != _answer(question, config, answers)
    }


def _answer(question: str, config: Mapping[str, Any], answers: Mapping[str, Any]) -> Any:
    """The recorded answer, else the question's default (rendered when it is a Jinja string)."""
    if question in answers:
        return answers[question]
    default = config[question].get("default")
    return render_with(default, answers) if isinstance(default, str) else default


def _options(spec: Mapping[str, Any]) -> list[str]:
    """The values of a question's choices, given as a list, [label, value] pairs or a mapping."""
    choices = spec.get("choices")
    if isinstance(choices, dict):
        values = list(choices.values())
    elif isinstance(choices, list):
        values = [c[1] if isinstance(c, list) and len(c) == 2 else c for c in choices]
    else:
        return []
    values = [v.get("value") if isinstance(v, dict) else v for v in values]
    return [v for v in values if isinstance(v, str)]


def _applies(spec: Mapping[str, Any], answers: Mapping[str, Any]) -> bool:
    """Evaluate a question's `when` against the answers; copier decides when it cannot be read."""
    when = spec.get("when", True)
    if not isinstance(when, str):
        return _truthy(when)
    try:
        return _truthy(render_with(when, answers))
    except jinja2.TemplateError:
        return True


def _truthy(value: Any) -> bool:
    """Read a value as copier reads a bool answer: words such as 'false' and 'no' are false."""
    if isinstance(value, str):
        return value.strip().lower() not in FALSE_WORDS
    return bool(value)

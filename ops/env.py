"""Strict environment parsing: a malformed value stops start-up with a message naming the variable.

Borrowed from Healthchecks.io's settings style: each helper refuses what it cannot parse instead of
falling back to a default that silently relaxes a rule.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class EnvError(ImproperlyConfigured):
    """A configuration variable is present but malformed."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str | None = None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{name}={value!r} is not a boolean (use one of: true, false, 1, 0, yes, no, on, off)")


def env_int(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    number = _cast(name, value, int, "an integer")
    _check_bounds(name, number, minimum, maximum)
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise EnvError(f"{name}={value!r} has an empty item; separate values with single commas")
    return items


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _raw(name)
    if value is None:
        return default
    if value not in choices:
        raise EnvError(f"{name}={value!r} must be one of: {', '.join(choices)}")
    return value


def env_url(name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
    value = _raw(name)
    if value is None:
        return default
    scheme, sep, rest = value.partition("://")
    if not sep or scheme not in schemes or not rest:
        raise EnvError(f"{name}={value!r} is not a URL with one of the schemes: {', '.join(schemes)}")
    return value


def env_rate(name: str, default: str) -> str:
    """A DRF throttle rate such as '60/min'."""
    value = _raw(name)
    if value is None:
        return default
    count, sep, period = value.partition("/")
    if not sep or not count.isdigit() or period[:1] not in {"s", "m", "h", "d"}:
        raise EnvError(f"{name}={value!r} is not a rate like '60/min' or '1000/hour'")
    return value


def env_float(name: str, default: float, *, minimum: float, maximum: float) -> float:
    value = _raw(name)
    if value is None:
        return default
    number = _cast(name, value, float, "a number")
    if number != number:  # nan passes float() and every comparison
        raise EnvError(f"{name}={value!r} is not a number")
    _check_bounds(name, number, minimum, maximum)
    return number


def _cast(name: str, value: str, cast, what: str):
    try:
        return cast(value)
    except ValueError as exc:
        raise EnvError(f"{name}={value!r} is not {what}") from exc


def _check_bounds(name: str, number: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and number < minimum:
        raise EnvError(f"{name}={number} is below the minimum {minimum}")
    if maximum is not None and number > maximum:
        raise EnvError(f"{name}={number} is above the maximum {maximum}")

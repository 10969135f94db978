"""A uniqueness conflict as the client should see it: 409 naming the fields, never the database's text
(PostgreSQL's DETAIL repeats the stored values of another row, and names tables and constraints)."""

from __future__ import annotations

import logging
import re

from django.db import IntegrityError, models

from ops.errors import ApplicationError

logger = logging.getLogger(__name__)
_SQLITE_COLUMNS = re.compile(r"UNIQUE constraint failed: (.+)$")


def _constraint_name(exc: IntegrityError) -> str | None:
    diag = getattr(exc.__cause__, "diag", None)  # psycopg
    return getattr(diag, "constraint_name", None)


def _fields_of(model: type[models.Model], exc: IntegrityError) -> list[str]:
    name = _constraint_name(exc)
    if name:
        for constraint in model._meta.constraints:
            if constraint.name == name and getattr(constraint, "fields", None):
                return list(constraint.fields)
        for group in model._meta.unique_together:
            if name.endswith("_uniq") and all(f in name for f in group):
                return list(group)
        for field in model._meta.concrete_fields:
            if field.unique and name == f"{model._meta.db_table}_{field.column}_key":
                return [field.name]
    match = _SQLITE_COLUMNS.search(str(exc))
    if match:
        columns = [part.split(".")[-1].strip() for part in match.group(1).split(",")]
        by_column = {f.column: f.name for f in model._meta.concrete_fields}
        return [by_column.get(c, c) for c in columns]
    return []


def conflict(exc: IntegrityError, model: type[models.Model] | None = None) -> ApplicationError:
    fields = _fields_of(model, exc) if model is not None else []
    logger.info("integrity conflict on %s: %s", model.__name__ if model else "?", exc)
    if fields:
        return ApplicationError(
            f"A record with the same {', '.join(fields)} already exists",
            extra={"fields": {f: ["already in use"] for f in fields}},
            status=409,
        )
    return ApplicationError("Conflicts with an existing record", extra={}, status=409)

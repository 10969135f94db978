"""Request body parsers with the limits every endpoint shares, checked before and while reading, never
after: one byte limit for JSON and CSV (REQUEST_BODY_MAX_BYTES, also Django's DATA_UPLOAD_MAX_MEMORY_SIZE),
413 in the contract past it; JSON nested too deeply for the decoder, non-finite numbers and NUL bytes in
strings are a 400, not an error in the decoder or the database."""

from __future__ import annotations

import csv
import io
import json
import math

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, JSONParser

from ops.errors import ApplicationError


def body_too_large(limit: int) -> ApplicationError:
    return ApplicationError(
        f"The request body may be at most {limit} bytes", extra={"limit": limit}, status=413
    )


class LimitedStream(io.RawIOBase):
    """Reads through to `stream`, refusing with 413 as soon as more than `limit` bytes have come."""

    def __init__(self, stream, limit: int) -> None:
        self.stream, self.limit, self.seen = stream, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.stream.read(min(len(buffer), self.limit + 1 - self.seen) or 1)
        self.seen += len(chunk)
        if self.seen > self.limit:
            raise body_too_large(self.limit)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def limited(stream, parser_context) -> LimitedStream:
    limit = settings.REQUEST_BODY_MAX_BYTES
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    if declared and declared.isdigit() and int(declared) > limit:
        raise body_too_large(limit)  # refused before a byte is read
    return LimitedStream(stream, limit)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 decodes to inf, which no field or database column can hold
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _no_constants(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _holds_nul(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class LimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = limited(stream, parser_context).read()
        try:
            data = json.loads(
                raw.decode(settings.DEFAULT_CHARSET), parse_float=_finite, parse_constant=_no_constants
            )
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        # A NUL can only arrive escaped (\u0000); PostgreSQL stores it in neither text nor jsonb, so it is
        # refused here for every field, JSON fields included, rather than failing in the query.
        if b"\\u0000" in raw and _holds_nul(data):
            raise ParseError("Text may not contain NUL bytes (\\u0000)")
        return data


class CsvRowsParser(BaseParser):
    """text/csv with a header row -> {"rows": [{column: text}, ...]}: the JSON upload's shape. Subclasses
    name the `columns` the header must hold, the `optional_columns` kept when present, and `max_rows`.

    Read as a stream under the shared body limit, row by row: a body over the limit, or more rows than an
    upload may hold, is refused as soon as it shows, never after reading it whole."""

    media_type = "text/csv"
    columns: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()
    max_rows: int = 0

    def parse(self, stream, media_type=None, parser_context=None):
        text = io.TextIOWrapper(
            io.BufferedReader(limited(stream, parser_context)), encoding="utf-8-sig", newline=""
        )
        rows = []
        try:
            reader = csv.DictReader(text)
            header = [name.strip() for name in reader.fieldnames or ()]
            if not set(self.columns) <= set(header):
                raise ParseError(f"The CSV needs a header row with the columns {','.join(self.columns)}")
            reader.fieldnames = header
            wanted = (*self.columns, *(c for c in self.optional_columns if c in header))
            for row in reader:
                if len(rows) == self.max_rows:
                    raise ApplicationError(
                        f"At most {self.max_rows} rows per upload", extra={"limit": self.max_rows}, status=413
                    )
                rows.append({name: row.get(name) for name in wanted})
        except UnicodeDecodeError as exc:
            raise ParseError("The CSV is not UTF-8") from exc
        except csv.Error as exc:  # e.g. a field larger than the csv module's limit
            raise ParseError(f"The CSV could not be read at line {reader.line_num}: {exc}") from exc
        return {"rows": rows}

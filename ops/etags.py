"""The project's ETags: how they are made and, in one place, how a versioned one is read back.

Both faces use these (the API's conditional requests, the pages' editable cells); they know nothing of
DRF or of any domain app."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime

from django.utils.http import parse_etags, quote_etag

_VERSION_TAG = re.compile(r"^(?P<kind>[a-z_]+)-(?P<pk>\d+)-v(?P<version>\d+)$")


def etag_for(payload) -> str:
    """A strong ETag of a JSON-able payload (same payload, same tag, in every process)."""
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    return quote_etag(hashlib.blake2b(encoded, digest_size=16).hexdigest())


def version_etag(kind: str, pk: int, version) -> str:
    """The ETag of a versioned object (an assignment's `version`, a row's `updated_at`)."""
    if isinstance(version, datetime):
        version = int(version.timestamp() * 1_000_000)
    return quote_etag(f"{kind}-{pk}-v{version}")


def parse_version_etag(tag: str, kind: str) -> tuple[int, int] | None:
    """(pk, version) of one tag written by version_etag for `kind` (weak or strong, quoted or not)."""
    match = _VERSION_TAG.match(tag.strip().removeprefix("W/").strip('"'))
    if match is None or match["kind"] != kind:
        return None
    return int(match["pk"]), int(match["version"])


def version_in_header(header: str | None, kind: str, pk: int) -> int | None:
    """The version an If-Match header names for one versioned object, or None when it names none."""
    for tag in parse_etags(header or ""):
        parsed = parse_version_etag(tag, kind)
        if parsed is not None and parsed[0] == pk:
            return parsed[1]
    return None


def strong_tags(header: str) -> set[str]:
    """The tags of an If-Match header with any weakness marker dropped ("*" stays "*")."""
    return {tag.removeprefix("W/") for tag in parse_etags(header)}

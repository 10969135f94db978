"""CSV for spreadsheets: a text cell that starts with = + - @, a tab or a carriage return is a formula
to Excel, LibreOffice and Google Sheets (a person named "=HYPERLINK(...)" would run on opening the
export). Such cells are prefixed with a single quote, OWASP's advice; numbers stay numbers.

Written here rather than taken from a library: the one maintained candidate (defusedcsv) also rewrites
cells starting with | and %, which changes ordinary names; this is the exact OWASP set in a few lines."""

from __future__ import annotations

import csv
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell):
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class SafeCsvWriter:
    def __init__(self, out, **kwargs) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)

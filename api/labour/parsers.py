import csv
import io

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

TIMESHEET_COLUMNS = ("person", "date", "start", "end", "break_minutes")
OPTIONAL_COLUMNS = ("shift",)


class TimesheetCsvParser(BaseParser):
    """text/csv with the header person,date,start,end,break_minutes (and optionally shift) ->
    {"rows": [...]}: the JSON upload's shape."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = stream.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError("The CSV is not UTF-8") from exc
        reader = csv.DictReader(io.StringIO(text))
        header = [name.strip() for name in reader.fieldnames or ()]
        if not set(TIMESHEET_COLUMNS) <= set(header):
            raise ParseError(f"The CSV needs a header row with the columns {','.join(TIMESHEET_COLUMNS)}")
        reader.fieldnames = header
        wanted = (*TIMESHEET_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in header))
        return {"rows": [{name: row.get(name) for name in wanted} for row in reader]}

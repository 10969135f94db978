import csv
import io

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from api.parsers import limited
from forecasting.services import MAX_UPLOAD_ROWS
from ops.errors import ApplicationError


class CsvRowsParser(BaseParser):
    """text/csv with a header row (timestamp,value) -> {"rows": [{...}, ...]}: the JSON upload's shape.

    Read as a stream under the shared body limit (api.parsers), row by row: a body over the limit, or more
    rows than an upload may hold, is refused as soon as it shows, never after reading it whole."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        text = io.TextIOWrapper(
            io.BufferedReader(limited(stream, parser_context)), encoding="utf-8-sig", newline=""
        )
        rows = []
        try:
            reader = csv.DictReader(text)
            if not reader.fieldnames or not {"timestamp", "value"} <= set(reader.fieldnames):
                raise ParseError("The CSV needs a header row with the columns timestamp,value")
            for row in reader:
                if len(rows) == MAX_UPLOAD_ROWS:
                    raise ApplicationError(
                        f"At most {MAX_UPLOAD_ROWS} rows per upload",
                        extra={"limit": MAX_UPLOAD_ROWS},
                        status=413,
                    )
                rows.append({"timestamp": row["timestamp"], "value": row["value"]})
        except UnicodeDecodeError as exc:
            raise ParseError("The CSV is not UTF-8") from exc
        except csv.Error as exc:  # e.g. a field larger than the csv module's limit
            raise ParseError(f"The CSV could not be read at line {reader.line_num}: {exc}") from exc
        return {"rows": rows}

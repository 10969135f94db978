import csv
import io

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


class CsvRowsParser(BaseParser):
    """text/csv with a header row (timestamp,value) -> {"rows": [{...}, ...]}: the JSON upload's shape."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = stream.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError("The CSV is not UTF-8") from exc
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not {"timestamp", "value"} <= set(reader.fieldnames):
            raise ParseError("The CSV needs a header row with the columns timestamp,value")
        return {"rows": [{"timestamp": row["timestamp"], "value": row["value"]} for row in reader]}

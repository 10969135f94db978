from api.parsers import CsvRowsParser
from forecasting.services import MAX_UPLOAD_ROWS


class ObservationsCsvParser(CsvRowsParser):
    """text/csv with the header timestamp,value: an observation upload."""

    columns = ("timestamp", "value")
    max_rows = MAX_UPLOAD_ROWS

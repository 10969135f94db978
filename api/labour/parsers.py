from api.parsers import CsvRowsParser
from scheduler.timesheets import MAX_TIMESHEET_ROWS

TIMESHEET_COLUMNS = ("person", "date", "start", "end", "break_minutes")


class TimesheetCsvParser(CsvRowsParser):
    """text/csv with the header person,date,start,end,break_minutes and optionally shift: timesheet rows."""

    columns = TIMESHEET_COLUMNS
    optional_columns = ("shift",)
    max_rows = MAX_TIMESHEET_ROWS

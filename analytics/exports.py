"""Every CSV and Excel file the app writes, made inert: no cell of it is a spreadsheet formula.

Names, cohort names, agendas and notes are other people's typed text; a spreadsheet runs a cell that
begins with `=`, `+`, `-` or `@` (and some with a tab or carriage return) as a formula, so
`=HYPERLINK("http://evil","x")` typed as a name would become a link in the director's Excel. Such a
text cell gets a leading `'` (OWASP's advice on CSV injection), and every Excel text cell is stored as
text, never as a formula. Numbers stay numbers: a negative rating is not text and is not quoted.
"""

import io

import pandas as pd
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.worksheet.worksheet import Worksheet

# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """A text that a spreadsheet would run, prefixed with `'`; any other value as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _is_text_column(column: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(column)
        or pd.api.types.is_datetime64_any_dtype(column)
        or pd.api.types.is_timedelta64_dtype(column)
    )


def inert_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and text column name passed through `inert`; numbers and dates untouched."""
    out = frame.rename(columns=inert)
    for position in range(out.shape[1]):
        if _is_text_column(out.iloc[:, position]):
            out.isetitem(position, out.iloc[:, position].map(inert).astype(object))
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV (no index), every text cell inert.

    Lines end in CRLF (RFC 4180) so that the csv module quotes a cell holding a lone carriage return:
    with "\n" endings it writes one bare, a spreadsheet starts a new row there, and a note such as
    "ok\r=HYPERLINK(...)" would put a formula at the start of that row.
    """
    return inert_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def sheet_name(name: str) -> str:
    """Excel refuses []:*?/\\ in a sheet name and more than 31 characters."""
    return "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"


def to_xlsx(tables: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per (already suppressed) table; every text cell inert and stored as text, never a formula."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            sheet = sheet_name(name)
            inert_frame(table).to_excel(writer, sheet_name=sheet, index=False)
            _text_as_text(writer.sheets[sheet])
    return buffer.getvalue()


def _text_as_text(sheet: Worksheet) -> None:
    """openpyxl stores any string that starts with `=` as a formula; a string cell is text, whatever it holds."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING

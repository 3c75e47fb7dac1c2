"""Every file the app writes is inert: no CSV or Excel cell is a spreadsheet formula, and numbers stay numbers."""

import csv
import io
import re
import tomllib
from pathlib import Path

import openpyxl
import pandas as pd

from analytics import dashboard_aggregates
from analytics.exports import inert, inert_frame, to_csv, to_xlsx

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://evil","x")', "+1", "-x", "@SUM(1)", "\tfoo", "\rbar", "=1+1"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [*HOSTILE, "Dr. Ada Lovelace"],
            "rating": [-2, -1.5, 0, 1, 2, 3, 4, 5],
            "count": list(range(-4, 4)),
            "=cohort": ["Class of 2029"] * 8,  # a column named by someone's text
        }
    )


def test_a_text_a_spreadsheet_would_run_gets_a_quote_and_nothing_else_changes():
    assert [inert(text) for text in HOSTILE] == ["'" + text for text in HOSTILE]
    assert inert("Dr. Ada Lovelace") == "Dr. Ada Lovelace"
    assert inert("a = b") == "a = b"  # only the first character counts
    assert inert(-3) == -3 and inert(-1.5) == -1.5 and inert(None) is None


def test_inert_frame_keeps_number_columns_numbers():
    frame = _frame()
    out = inert_frame(frame)
    assert list(out["name"]) == ["'" + text for text in HOSTILE] + ["Dr. Ada Lovelace"]
    assert list(out.columns) == ["name", "rating", "count", "'=cohort"]
    pd.testing.assert_series_equal(out["rating"], frame["rating"])
    pd.testing.assert_series_equal(out["count"], frame["count"])
    assert frame["name"].iloc[0] == HOSTILE[0]  # the caller's frame is untouched


def test_the_csv_neutralises_text_cells_and_keeps_numbers():
    rows = list(csv.reader(io.StringIO(to_csv(_frame()).decode("utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    assert header == ["name", "rating", "count", "'=cohort"]
    assert [row[0] for row in body] == ["'" + text for text in HOSTILE] + ["Dr. Ada Lovelace"]
    assert [row[1] for row in body] == [
        "-2.0",
        "-1.5",
        "0.0",
        "1.0",
        "2.0",
        "3.0",
        "4.0",
        "5.0",
    ]  # a negative number is not quoted
    assert [row[2] for row in body][:2] == ["-4", "-3"]


def test_a_line_break_inside_a_cell_cannot_start_a_row_with_a_formula():
    frame = pd.DataFrame(
        {"note": ["ok\r=1+1", 'ok\r=HYPERLINK("http://evil","x")', "fine\n@SUM(1)", "a\r\n+1"], "n": [1, 2, 3, 4]}
    )
    rows = list(csv.reader(io.StringIO(to_csv(frame).decode("utf-8"), newline="")))
    assert rows == [["note", "n"], *[[text, str(n)] for text, n in zip(frame["note"], frame["n"], strict=True)]]


def _cells(data: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]


def test_the_excel_has_no_formula_cell_and_keeps_numbers_numbers():
    data = to_xlsx({"people": _frame(), "=sheet": _frame()[["name"]]})
    cells = _cells(data)
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = [cell.value for cell in cells if cell.data_type == "s"]
    assert "'" + HOSTILE[0] in texts and "'=1+1" in texts and "'=cohort" in texts and "Dr. Ada Lovelace" in texts
    numbers = [cell.value for cell in cells if cell.data_type == "n"]
    assert -2 in numbers and -1.5 in numbers and -4 in numbers  # a negative number is a number
    assert not any(isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")) for value in texts)
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None)
    assert list(sheets) == ["people", "=sheet"]
    assert sheets["people"]["rating"].tolist() == [-2, -1.5, 0, 1, 2, 3, 4, 5]


def test_the_directors_export_in_program_is_the_inert_one():
    assert dashboard_aggregates.to_xlsx is to_xlsx


def test_streamlits_own_table_export_is_off():
    """The toolbar's CSV download and the clipboard copy write cells as typed; the app's own download replaces them."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


# Where a table or a file may be written: the one module that makes files inert, and the one helper
# that shows a table with its inert download. Anything else that writes one is a way around them.
WRITERS = re.compile(r"\bst\.(dataframe|data_editor|table)\(|\.to_csv\(|\.to_excel\(|ExcelWriter|csv\.writer|\.download_button\(")
ALLOWED = {
    "analytics/exports.py": {".to_csv(", ".to_excel(", "ExcelWriter"},
    "ui/tables.py": {"st.dataframe(", ".download_button("},
    "app_pages/dashboard.py": {".download_button("},  # analytics.exports.to_xlsx
    "app_pages/people.py": {".download_button("},  # the roster template: a fixed header, no one's text
    "app_pages/backup.py": {".download_button("},  # Parquet files restored exactly, not a spreadsheet
    # Files built on request: the calendar (analytics/calendars.py), my data's zip of exports.to_csv files
    # (analytics/my_data.py) and the reminder list (exports.to_csv)
    "ui/prepared.py": {".download_button("},
    # The review report: a PDF whose typed text is plain text, never Markdown, HTML or a link
    # (analytics/report_pdf.py; tests/unit/test_review_report.py prints formulas and markup as typed)
    "ui/report.py": {".download_button("},
}


def test_every_table_and_download_goes_through_the_inert_module():
    found = {}
    for path in sorted([*ROOT.glob("analytics/**/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("app_pages/*.py"), ROOT / "app.py"]):
        relative = path.relative_to(ROOT).as_posix()
        for match in WRITERS.finditer(path.read_text(encoding="utf-8")):
            written = match.group(0).removeprefix("st")
            if not any(written.endswith(allowed.removeprefix("st")) for allowed in ALLOWED.get(relative, ())):
                found.setdefault(relative, []).append(match.group(0))
    assert found == {}

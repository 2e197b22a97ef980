"""The import sheet of ``govpatrol sites import``: its columns, reading an xlsx or csv file into
rows of text, and writing the blank template.

One flat table serves both formats (a CSV file has one sheet): every row names an
organisation; a row with a URL also registers a site under it, and a row with a webmaster
also gives that site a webmaster. Headers are Chinese (English accepted). Row numbers are the
spreadsheet's own (the header is row 1), so 「第 N 行」 points at the row a person sees.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reports.labels import label

# (key, accepted English spellings); the Chinese header is the label sheet.col_<key>
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("org", ("org", "organisation", "organization")),
    ("parent", ("parent", "parent org", "parent organisation", "parent organization")),
    ("site", ("site", "site name", "name")),
    ("url", ("url", "site url", "address")),
    ("schedule", ("schedule", "scan time", "cron")),
    ("webmaster", ("webmaster", "webmaster name", "user", "username")),
    ("email", ("email", "e-mail", "webmaster email", "webmaster e-mail", "mail")),
)
KEYS = tuple(key for key, _ in COLUMNS)
REQUIRED_COLUMNS = ("org", "url")
MAX_ROWS = 20_000  # a province's sites with a few webmasters each
MAX_BYTES = 10 * 1024 * 1024

EXAMPLE_ROWS = (
    ("示例市人民政府", "", "示例市人民政府门户网站", "https://www.example.gov.cn/", "每周六 22:00",
     "lihua", "lihua@example.gov.cn"),
    ("示例市民政局", "示例市人民政府", "示例市民政局网站", "https://mzj.example.gov.cn/",
     "每周日 21:30", "wangxm", "wangxm@example.gov.cn"),
    ("示例市民政局", "示例市人民政府", "示例市民政局网站", "https://mzj.example.gov.cn/",
     "每周日 21:30", "zhaoyun", "zhaoyun@example.gov.cn"),
    ("示例市教育局", "示例市人民政府", "", "", "", "", ""),
)  # fmt: skip


def column_name(key: str, lang: str = "zh") -> str:
    return label(f"sheet.col_{key}", lang)


@dataclass(frozen=True)
class Problem:
    """One mistake: at a row (0 for the whole file) and column, in both languages."""

    row: int
    column: str | None  # a key of COLUMNS, or None for the file
    zh: str
    en: str

    @classmethod
    def of(cls, row: int, column: str | None, key: str, **values: object) -> Problem:
        """The label ``sheet.<key>`` filled with ``values``; a value ``other`` is a column
        key, named in each language."""

        def text(lang: str) -> str:
            named = dict(values)
            if "other" in named:
                named["other"] = column_name(str(named["other"]), lang)
            return label(f"sheet.{key}", lang).format(**named)

        return cls(row, column, text("zh"), text("en"))

    @classmethod
    def said(cls, row: int, column: str | None, message: str) -> Problem:
        """A message that is already bilingual (the URL and e-mail validators' own words)."""
        return cls(row, column, message, message)

    def text(self, lang: str = "zh") -> str:
        problem = self.en if lang == "en" else self.zh
        if self.row == 0:
            return label("sheet.file_problem", lang).format(problem=problem)
        column = column_name(self.column, lang) if self.column else label("sheet.file", lang)
        return label("sheet.row_problem", lang).format(row=self.row, column=column, problem=problem)


class SheetError(ValueError):
    """The file cannot be read as an import sheet; ``problems`` say why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems


@dataclass
class Row:
    number: int  # the spreadsheet's row number
    cells: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


def _header_key(text: str) -> str | None:
    wanted = " ".join(text.replace("_", " ").split()).casefold()
    for key, english in COLUMNS:
        if wanted == column_name(key, "zh").casefold() or wanted in english:
            return key
        if wanted == column_name(key, "en").casefold():
            return key
    return None


def _cell_text(value: object) -> str:
    """A cell as the text a person typed: Excel stores a typed time as a time, a typed
    number as a float."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())  # line breaks and tabs inside a cell are spaces


def _rows(lines: Iterable[tuple[int, list[object]]]) -> list[Row]:
    """Rows keyed by column from (row number, cells) with the header first."""
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        raise SheetError([Problem.of(0, None, "no_rows")])
    number, header = first
    problems: list[Problem] = []
    keys: list[str | None] = []
    for cell in header:
        text = _cell_text(cell)
        key = _header_key(text) if text else None
        if text and key is None:
            problems.append(Problem.of(number, None, "unknown_column", name=text))
        elif key is not None and key in keys:
            problems.append(Problem.of(number, None, "duplicate_column", name=text))
        keys.append(key)
    for key in REQUIRED_COLUMNS:
        if key not in keys:
            problems.append(Problem.of(number, None, "missing_column", name=column_name(key)))
    if problems:
        raise SheetError(problems)
    rows = []
    for number, cells in iterator:
        row = Row(number)
        for key, cell in zip(keys, cells, strict=False):
            text = _cell_text(cell)
            if key is not None and text:
                row.cells[key] = text
        if row.cells:  # blank rows (Excel keeps formatted empty ones) are not rows
            rows.append(row)
        if len(rows) > MAX_ROWS:
            raise SheetError([Problem.of(0, None, "too_many_rows", n=MAX_ROWS)])
    if not rows:
        raise SheetError([Problem.of(0, None, "no_rows")])
    return rows


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without a BOM) or GB18030, the superset of the GBK that Excel in China
    saves; text that is neither is refused rather than read as mojibake."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise SheetError([Problem.of(0, None, "encoding")])


def read_csv(data: bytes) -> list[Row]:
    try:
        text = decode_csv(data)
    except UnicodeDecodeError:
        raise SheetError([Problem.of(0, None, "encoding")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    return _rows((index, list(cells)) for index, cells in enumerate(reader, start=1))


def read_xlsx(data: bytes) -> list[Row]:
    """The first worksheet; formulas are read as their saved values."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SheetError([Problem.of(0, None, "unreadable", reason=type(exc).__name__)]) from None
    try:
        sheet = book.worksheets[0]
        return _rows(
            (index, list(cells))
            for index, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
    finally:
        book.close()


def read_sheet(name: str, data: bytes) -> list[Row]:
    """The rows of an uploaded or given file, chosen by its extension."""
    if len(data) > MAX_BYTES:
        raise SheetError([Problem.of(0, None, "too_big", n=MAX_BYTES // (1024 * 1024))])
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return read_csv(data)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(data)
    raise SheetError([Problem.of(0, None, "unsupported", name=Path(name).name)])


def template_csv(lang: str = "zh") -> bytes:
    """The header and example rows, UTF-8 with a BOM (Excel then opens the Chinese right)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column_name(key, lang) for key in KEYS])
    writer.writerows(EXAMPLE_ROWS)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


INSTRUCTIONS = {
    "zh": (
        ("组织", "必填。组织机构名称；同一组织可出现在多行。只有组织的行只登记组织。"),
        ("上级组织", "可空。上级组织名称：须在本表中或已登记；留空则为顶级组织（已登记的保持不变）。"),
        ("网站名称", "有网址时必填。"),
        ("网址", "http:// 或 https:// 开头。同一网站可出现在多行（每行一名网站管理员）。"),
        ("扫描时间", "可空。每周日 21:30、每周一、四 02:00、每天 03:00，或 5 段 cron 表达式。"),
        ("网站管理员", "可空。登录用户名（不含空格）；新用户无密码，由管理员设置后才能登录。"),
        ("管理员邮箱", "有网站管理员时必填。该网站的周报发到此邮箱。"),
    ),
    "en": (
        ("Organisation", "Required. A row with only an organisation registers the organisation."),
        ("Parent organisation", "Optional. In this sheet or registered; empty: top level."),
        ("Site name", "Required with a URL."),
        ("URL", "http:// or https://. A site may take several rows, one per webmaster."),
        ("Schedule", "Optional. Sun 21:30, Mon,Thu 02:00, daily 03:00 or a cron line."),
        ("Webmaster", "Optional. A user name; new users sign in once an admin sets a password."),
        ("Webmaster e-mail", "Required with a webmaster: the site's weekly report goes there."),
    ),
}  # fmt: skip


def template_xlsx(lang: str = "zh") -> bytes:
    """The sheet to fill in (first), with the instructions on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "网站" if lang != "en" else "Sites"
    sheet.append([column_name(key, lang) for key in KEYS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in EXAMPLE_ROWS:
        sheet.append(list(row))
    for letter, width in zip("ABCDEFG", (20, 20, 24, 32, 16, 14, 26), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    notes = book.create_sheet(label("sheet.instructions", lang))
    for row in INSTRUCTIONS["en" if lang == "en" else "zh"]:
        notes.append(list(row))
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["B"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(name: str, lang: str = "zh") -> bytes:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return template_csv(lang)
    if suffix == ".xlsx":
        return template_xlsx(lang)
    raise SheetError([Problem.of(0, None, "unsupported", name=Path(name).name)])

"""Article, placeholder and document markup (the main content of detail pages).

Documents carry their metadata in the layouts seen on real portals: the gov.cn
``<table class="bd1">``, Jiangxi-style ``dl/dt/dd``, TRS ``<p><strong>label</strong>：value``,
``div`` label/value rows, one inline line of 「label：value」 text, a table whose label rows
have their values in the row below, and labels split over inline tags (索<i></i>引号).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from sampleportal.days import cn_date

Field = tuple[str, str]  # (label, value); "" value = the label is shown with nothing after it


def info_line(date: dt.date | None, source: str, time: str = "09:30") -> str:
    when = f"发布时间：{date.isoformat()} {time}　" if date else ""
    return (
        f'<div class="info">{when}来源：{escape(source)}　<span class="fontsize">字号：'
        '<a href="javascript:setFontSize(18)">大</a> <a href="javascript:setFontSize(16)">中</a> '
        '<a href="javascript:setFontSize(14)">小</a></span></div>\n'
    )


_TOOLS = (
    '<div class="tools"><button type="button" onclick="window.print()">打印本页</button> '
    '<button type="button" onclick="window.close()">关闭窗口</button></div>\n'
)


def paragraphs_html(paragraphs: Sequence[str]) -> str:
    return "".join(f"<p>{p}</p>\n" for p in paragraphs)


def news_main(
    title: str, date: dt.date | None, source: str, paragraphs: Sequence[str], back: str = ""
) -> str:
    """A news article; ``back`` is the list page href ("../index.html")."""
    back_link = f'<p class="back"><a href="{back}">返回列表</a></p>\n' if back else ""
    return (
        f'<div class="article">\n<h1>{escape(title)}</h1>\n{info_line(date, source)}'
        f'<div class="article-body" id="zoom">\n{paragraphs_html(paragraphs)}</div>\n'
        f"{_TOOLS}{back_link}</div>\n"
    )


def hanweb_main(title: str, date: dt.date, source: str, paragraphs: Sequence[str]) -> str:
    """A Hanweb JCMS article (``<meta name="effectiveTime" content="0">`` goes in the head)."""
    return (
        f'<div class="main-txt">\n<div class="title"><h1>{escape(title)}</h1></div>\n'
        f'<div class="sub-title"><span>发布日期：{date.isoformat()}</span>'
        f"<span>信息来源：{escape(source)}</span></div>\n"
        f'<div class="zoom" id="zoom">\n{paragraphs_html(paragraphs)}</div>\n{_TOOLS}</div>\n'
    )


def placeholder_main(title: str, text: str) -> str:
    return (
        f'<div class="article">\n<h1>{escape(title)}</h1>\n<p class="no-data">{text}</p>\n</div>\n'
    )


# -- document metadata layouts ------------------------------------------------------------


def _bd1(fields: list[Field], title: str) -> str:
    cells = [f"<td><b>{label}：</b></td><td>{escape(value)}</td>" for label, value in fields]
    rows = ["<tr>" + "".join(cells[i : i + 2]) + "</tr>" for i in range(0, len(cells), 2)]
    rows.insert(2, f'<tr><td><b>标　　题：</b></td><td colspan="3">{escape(title)}</td></tr>')
    return '<table class="bd1">\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>\n"


def _dl(fields: list[Field], title: str) -> str:
    pairs = "".join(f"<dt>{label}：</dt><dd>{escape(value)}</dd>" for label, value in fields)
    return f'<div class="meta-data"><dl class="clearfix">{pairs}</dl></div>\n'


def _p_strong(fields: list[Field], title: str) -> str:
    ps = "\n".join(f"<p><strong>{label}</strong>：{escape(value)}</p>" for label, value in fields)
    return f'<div class="xxgk-info">\n<p><strong>名称</strong>：{escape(title)}</p>\n{ps}\n</div>\n'


def _div_rows(fields: list[Field], title: str) -> str:
    rows = "\n".join(
        f'<div class="meta-row"><span class="meta-label">{label}</span>'
        f'<span class="meta-value">{escape(value)}</span></div>'
        for label, value in fields
    )
    return f'<div class="doc-meta">\n{rows}\n</div>\n'


def _inline(fields: list[Field], title: str) -> str:
    return (
        '<div class="doc-info">' + "　".join(f"{lb}：{escape(v)}" for lb, v in fields) + "</div>\n"
    )


def _label_rows(fields: list[Field], title: str) -> str:
    """Labels in one row, their values in the row below, column for column."""
    rows = []
    for i in range(0, len(fields), 4):
        chunk = fields[i : i + 4]
        rows.append("<tr>" + "".join(f"<th>{label}</th>" for label, _ in chunk) + "</tr>")
        rows.append("<tr>" + "".join(f"<td>{escape(value)}</td>" for _, value in chunk) + "</tr>")
    return '<table class="xxgk-table">\n' + "\n".join(rows) + "\n</table>\n"


def _split_label(label: str, index: int) -> str:
    """A label whose characters a CMS template split over inline tags (索<i></i>引号,
    发<span>文</span>字号), as rich-text editors and per-character styling leave them."""
    if index % 2:
        return f"{label[0]}<span>{label[1]}</span>{label[2:]}"
    return f"{label[0]}<i></i>{label[1:]}"


def _split_labels(fields: list[Field], title: str) -> str:
    rows = []
    for i, (label, value) in enumerate(fields):
        split = _split_label(label, i)
        if i % 2:  # the value after the colon in the same paragraph
            rows.append(f"<p>{split}：{escape(value)}</p>")
        else:  # label and value in sibling spans
            rows.append(
                f'<p><span class="lbl">{split}：</span><span class="val">{escape(value)}</span></p>'
            )
    return '<div class="gk-info">\n' + "\n".join(rows) + "\n</div>\n"


META_LAYOUTS = {
    "bd1": _bd1,
    "dl": _dl,
    "p_strong": _p_strong,
    "div_rows": _div_rows,
    "inline": _inline,
    "label_rows": _label_rows,
    "split_labels": _split_labels,
}

# Label spellings per layout: the same field is written differently by different CMSs.
_LABELS = {
    "bd1": {"index_no": "索 引 号", "validity": "有 效 性", "issuer": "发文机关"},
    "dl": {"index_no": "索 引 号", "issuer": "发布机构", "validity": "有效性"},
    "p_strong": {
        "issuer": "发布机构",
        "doc_number": "文号",
        "validity": "时效性",
        "effective": "生效日期",
    },
    "div_rows": {"issuer": "发文机关", "validity": "有效性", "effective": "生效日期"},
    "inline": {"issuer": "发文机关", "validity": "有效性"},
    "label_rows": {"issuer": "发布机构", "doc_number": "文号"},
    "split_labels": {"issuer": "发布机构"},
}
_DEFAULT_LABELS = {
    "index_no": "索引号",
    "subject": "主题分类",
    "issuer": "发文机关",
    "written": "成文日期",
    "doc_number": "发文字号",
    "published": "发布日期",
    "generated": "生成日期",  # the CMS's date for the page, never the 成文日期
    "effective": "施行日期",
    "valid_until": "有效期至",
    "repeal_date": "废止日期",
    "registration_no": "规范性文件登记号",
    "validity": "有效性",
}
FIELD_ORDER = tuple(_DEFAULT_LABELS)


def meta_block(layout: str, title: str, values: dict[str, str | dt.date | None]) -> str:
    """The metadata block; a None value leaves the field out, "" shows it empty."""
    labels = {**_DEFAULT_LABELS, **_LABELS.get(layout, {})}
    fields: list[Field] = []
    for key in FIELD_ORDER:
        value = values.get(key)
        if value is None:
            continue
        fields.append((labels[key], cn_date(value) if isinstance(value, dt.date) else value))
    return META_LAYOUTS[layout](fields, title)


def document_main(
    title: str,
    meta: str,
    body: str,
    *,
    attachments: str = "",
    related: str = "",
    comments: Sequence[str] = (),
) -> str:
    """A document page: metadata block, heading, body, attachments, related 解读 links."""
    hidden = "".join(f"<!--{c}-->\n" for c in comments)
    return (
        f'<div class="article doc">\n{meta}{hidden}<h1>{escape(title)}</h1>\n'
        f'<div class="article-body" id="zoom">\n{body}</div>\n{attachments}{related}{_TOOLS}</div>\n'
    )

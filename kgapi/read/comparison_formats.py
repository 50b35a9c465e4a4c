"""A comparison as CSV, Markdown, HTML and a plain-text table for terminals (JSON: `to_dict`)."""

from __future__ import annotations

import csv
import html
import io
import unicodedata

from kgapi.read.comparison import Cell, Comparison, source_ids, value_label
from kgapi.read.comparison_rows import word


def to_csv(comparison: Comparison) -> str:
    """One line per attribute; inferred values and contested positions are spelled out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(comparison.table())
    return buffer.getvalue()


def to_markdown(comparison: Comparison) -> str:
    """A GitHub-flavoured Markdown table."""
    return markdown_table(comparison.table())


# The characters that would make a cell's text something else in GitHub-flavoured Markdown:
# emphasis, code, links, raw HTML, character references, strikethrough, the cell separator and
# the escape itself. CommonMark reads a backslash before any ASCII punctuation as that character.
_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>&|~!"})


def markdown_table(rows: list[list[str]]) -> str:
    """`rows` (the first is the header) as a Markdown table whose cells read back as their text
    (labels come from curated writes: a `*` or a `<b>` in one is text); a cell's runs of
    whitespace, line breaks included, become one space."""
    header, *body = rows

    def line(cells: list[str]) -> str:
        return (
            "| "
            + " | ".join(" ".join(c.split()).translate(_MARKDOWN_SPECIAL) for c in cells)
            + " |"
        )

    return "\n".join([line(header), "|" + "---|" * len(header), *map(line, body)]) + "\n"


def to_html(comparison: Comparison) -> str:
    """A small standalone HTML page with the table; rows carry their agreement as a class."""
    entities = comparison.entities
    head = "".join(
        f'<th scope="col"><a href="{html.escape(e["iri"])}">{html.escape(e["label"])}</a></th>'
        for e in entities
    )
    lang = comparison.lang
    rows = []
    for row in comparison.rows:
        cells = "".join(_html_cell(cell, lang) for cell in row.cells)
        rows.append(
            f'<tr class="{row.agreement}{" contested" if row.contested else ""}">'
            f'<th scope="row">{html.escape(comparison.heading(row.attribute))}</th>{cells}'
            f"<td>{html.escape(word(lang, row.agreement))}</td></tr>"
        )
    title = " / ".join(html.escape(str(e["label"])) for e in entities)
    heading = f"{html.escape(word(lang, 'Comparison'))}: {title}"
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{heading}</title>"
        "<style>table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px;"
        "vertical-align:top}tr.differs th[scope=row]{color:#a40}.inferred{font-style:italic}"
        ".sources{font-size:smaller;color:#555}</style></head><body>"
        f"<h1>{heading}</h1><table><thead><tr><th>{html.escape(word(lang, 'attribute'))}</th>"
        f"{head}<th>{html.escape(word(lang, 'agreement'))}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></body></html>\n"
    )


def _html_cell(cell: Cell, lang: str) -> str:
    items = []
    inferred = html.escape(word(lang, "inferred"))
    for value in cell.values:
        label = html.escape(value_label(value.term, lang))
        css = f' class="inferred" title="{inferred}"' if value.status == "inferred" else ""
        items.append(f"<span{css}>{label}</span>")
    body = "; ".join(items) or "—"
    for claim in cell.contested:
        positions = "".join(
            f"<li>{html.escape(str(p.value.get('label', '?')))}"
            f"{' (' + html.escape(word(lang, p.status)) + ')' if p.status else ''}"
            f'<span class="sources"> {html.escape(source_ids(p.sources))}</span></li>'
            for p in claim.positions
        )
        contested = html.escape(word(lang, "contested"))
        body += f"<details><summary>{contested}</summary><ul>{positions}</ul></details>"
    if cell.sources:
        sources = f"{html.escape(word(lang, 'sources'))}: {html.escape(source_ids(cell.sources))}"
        body += f'<div class="sources">{sources}</div>'
    return f"<td>{body}</td>"


def to_text(comparison: Comparison, *, width: int = 28) -> str:
    """A plain-text table for terminals; long cells wrap within `width` characters."""
    table = comparison.table()
    columns = len(table[0])
    widths = [min(width, max(display_width(row[i]) for row in table)) for i in range(columns)]
    separator = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    lines = [separator]
    for number, row in enumerate(table):
        wrapped = [_wrap(cell, w) for cell, w in zip(row, widths, strict=True)]
        for i in range(max(len(cell) for cell in wrapped)):
            parts = [
                _pad(cell[i] if i < len(cell) else "", w)
                for cell, w in zip(wrapped, widths, strict=True)
            ]
            lines.append("| " + " | ".join(parts) + " |")
        if number == 0:
            lines.append(separator.replace("-", "="))
    lines.append(separator)
    return "\n".join(lines) + "\n"


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _wrap(text: str, width: int) -> list[str]:
    """Wrap at spaces where possible, inside words (e.g. Chinese text) where not."""
    lines: list[str] = []
    line = ""
    for piece in text.split(" "):
        candidate = f"{line} {piece}" if line else piece
        if display_width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in piece:
            if display_width(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    lines.append(line)
    return lines

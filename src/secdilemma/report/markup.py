"""HTML building blocks: the inline CSS, escaping, tables and cells, images, notes, captions,
sections, the page around them, and a generic rendering of JSON values."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from secdilemma import __version__
from secdilemma.report.text import num

NUMERIC = re.compile(r"^(n/a|[-+]?\d[\d.e+\-\u2013%]*)?$")

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
 max-width:1120px;margin:1.5em auto;padding:0 1em;color:#222;line-height:1.45;background:#fff}
h1{margin:.2em 0}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.88em}
th,td{border:1px solid #d8d8d8;padding:.22em .55em;text-align:right;vertical-align:top}
th{text-align:left}
th:first-child,td:first-child,td.text{text-align:left}
thead th{background:#f2f4f7}
img{max-width:100%;height:auto;display:block;margin:.4em 0}
.note{background:#fff7e0;border-left:4px solid #e0a800;padding:.4em .9em}
.caption{color:#555;font-size:.9em;margin-top:0}
.description{color:#444}
nav{font-size:.9em;margin:1em 0}nav a{margin-right:.9em}
ul.narrative li{margin:.25em 0}
footer{margin-top:3em;color:#777;font-size:.85em}
"""


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def table(head: Sequence[str], rows: Iterable[Sequence[str]], cls: str | None = None) -> str:
    """Cells are HTML already (escaped text or a <td>-less fragment); header cells are text."""
    out = [f"<table{f' class={chr(34)}{cls}{chr(34)}' if cls else ''}><thead><tr>"]
    out += [f"<th>{esc(h)}</th>" for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(_cell(c) for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _cell(cell: Any) -> str:
    text, attrs = cell if isinstance(cell, tuple) else (cell, {})  # (text, {attribute: value})
    extra = "".join(f' {k}="{esc(v)}"' for k, v in attrs.items())
    if not NUMERIC.match(str(text)):
        extra += ' class="text"'  # numbers align right, words left
    return f"<td{extra}>{esc(text)}</td>"


def img(uri: str, alt: str) -> str:
    return f'<img src="{uri}" alt="{esc(alt)}">'


def note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def caption(text: str) -> str:
    return f'<p class="caption">{esc(text)}</p>'


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>{body}</section>'


def page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}"
        f"<footer>Written by secdilemma {esc(__version__)} (secdilemma report). "
        "Self-contained: no scripts, no external files; plots are embedded PNG images."
        "</footer></body></html>\n"
    )


def generic(value: Any) -> str:
    """Render a list from compare.json whose exact shape belongs to the compare command."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        columns: list[str] = []
        for item in value:
            columns += [k for k in item if k not in columns]
        return table(
            columns,
            [
                tuple(
                    num(item.get(c))
                    if not isinstance(item.get(c), dict | list)
                    else json.dumps(item.get(c))
                    for c in columns
                )
                for item in value
            ],
        )
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{esc(num(v))}</li>" for v in value) + "</ul>"
    if isinstance(value, dict):
        return table(("key", "value"), [(k, num(v)) for k, v in value.items()])
    return f"<pre>{esc(json.dumps(value, indent=2))}</pre>"

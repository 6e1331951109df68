"""The hub's read-only status page: one server-rendered HTML table, no JavaScript.

Per commune: last bundle and when it arrived, how fresh that is (overdue after
:data:`hub.STALE_AFTER_DAYS` days, highlighted), records held per entity, bundles
waiting; a totals row. Every value is escaped.
"""

from __future__ import annotations

from html import escape

from app.core.sync.conflicts import ENTITY_LABELS, entity_label
from app.core.sync.hub import STALE_AFTER_DAYS, CommuneRow
from app.core.text import format_number

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
p.note { color: #555; margin-top: 0; }
table { border-collapse: collapse; font-size: .95rem; }
th, td { border: 1px solid #bbb; padding: .3rem .5rem; }
th { background: #eef2f7; text-align: left; vertical-align: bottom; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.overdue td.fresh { background: #fde2e1; color: #8a1c13; font-weight: bold; }
tr.total td { font-weight: bold; background: #f6f6f6; }
td.warn { background: #fff4d6; }
"""


def _columns(rows: list[CommuneRow]) -> tuple[list[str], bool]:
    """Entities with a label, in the usual order; whether an "other" column is needed."""
    present = {e for r in rows for e in r.records}
    known = [e for e in ENTITY_LABELS if e in present]
    return known, bool(present - set(known))


def _num(value: int, warn: bool = False) -> str:
    css = "n warn" if warn and value else "n"
    return f'<td class="{css}">{format_number(value)}</td>'


def _row(r: CommuneRow, known: list[str], other: bool) -> str:
    # The province reads the server's local time (Vietnam: UTC+7), not UTC.
    when = r.last_received.astimezone().strftime("%d/%m/%Y %H:%M") if r.last_received else "—"
    cells = [
        f"<td>{escape(r.code)}</td>",
        f"<td>{escape(r.name or '(không rõ tên)')}</td>",
        _num(r.last_seq),
        f"<td>{escape(when)}</td>",
        f'<td class="fresh">{escape(r.freshness)}</td>',
        _num(sum(r.records.values())),
        *(_num(r.records.get(e, 0)) for e in known),
    ]
    if other:
        cells.append(_num(sum(n for e, n in r.records.items() if e not in known)))
    cells += [_num(r.waiting, warn=True), _num(r.quarantined, warn=True)]
    css = ' class="overdue"' if r.overdue else ""
    return f"<tr{css}>{''.join(cells)}</tr>"


def _total_row(rows: list[CommuneRow], known: list[str], other: bool) -> str:
    cells = [
        f'<td colspan="2">Cộng ({format_number(len(rows))} xã)</td>',
        "<td></td><td></td><td></td>",
        _num(sum(sum(r.records.values()) for r in rows)),
        *(_num(sum(r.records.get(e, 0) for r in rows)) for e in known),
    ]
    if other:
        cells.append(_num(sum(n for r in rows for e, n in r.records.items() if e not in known)))
    cells += [_num(sum(r.waiting for r in rows)), _num(sum(r.quarantined for r in rows))]
    return f'<tr class="total">{"".join(cells)}</tr>'


def render_status_page(rows: list[CommuneRow], province_name: str, fingerprint: str) -> str:
    """The whole page (UTF-8 HTML)."""
    known, other = _columns(rows)
    heads = [
        "Mã xã",
        "Tên xã",
        "Gói cuối",
        "Nhận lúc",
        "Lần gửi cuối",
        "Tổng bản ghi",
        *(entity_label(e) for e in known),
        *(["Bản ghi khác"] if other else []),
        "Gói chờ gói thiếu",
        "Gói cách ly",
    ]
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    if rows:
        body = "".join(_row(r, known, other) for r in rows) + _total_row(rows, known, other)
    else:
        body = f'<tr><td colspan="{len(heads)}">Chưa nhận gói nào của xã nào.</td></tr>'
    title = escape(province_name or "Máy chủ của tỉnh")
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{title} — tình hình gửi dữ liệu</title><style>{_STYLE}</style></head><body>"
        f"<h1>{title}: tình hình gửi dữ liệu của các xã</h1>"
        f'<p class="note">Trang chỉ để xem. Xã nào quá {STALE_AFTER_DAYS} ngày chưa gửi gói '
        "được tô đỏ. Gói cách ly chờ tỉnh đối chiếu vân tay và chấp nhận khóa "
        "(lệnh <code>khuyenhoc province accept-key</code>). "
        f"Vân tay khóa của tỉnh: <b>{escape(fingerprint)}</b>.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        "</body></html>"
    )

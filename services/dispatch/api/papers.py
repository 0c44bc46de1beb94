"""The papers the desk prints: a shipment's packing list, the labels for units (serial, part number, owner, state,
a Code 128 barcode and a QR code of the item id, for a scanner at the gate or the shelf), and a closed period's
verification report (核销) for customs. Each takes what it shows as plain values, the words from the caller."""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from services.dispatch.api import pdf
from services.dispatch.api.account_book import Balances
from services.dispatch.api.pdf import Words

LABEL = (100 * mm, 62 * mm)
MOVES = ("received", "transferred_in", "transferred_out", "consumed", "exported", "released", "destroyed")


@dataclass(frozen=True)
class Line:
    """One item as the packing list and its label show it (names and states already in the reader's words)."""
    item_id: str
    serial: str
    part_number: str
    owner: str
    state: str
    hs_code: str = ""
    origin: str = ""
    value: Decimal | None = None
    currency: str = ""
    documents: str = ""


@dataclass(frozen=True)
class Shipped:
    id: str
    carrier: str
    tracking_number: str
    destination_country: str
    address: str
    incoterm: str
    state: str
    created: str


def packing_list(s: Shipped, lines: Sequence[Line], w: Words, printed: str) -> bytes:
    facts = [(w("carrier"), s.carrier), (w("tracking_number"), s.tracking_number),
             (w("country"), s.destination_country), (w("address"), s.address), (w("incoterm"), s.incoterm),
             (w("state"), s.state), (w("created"), s.created), (w("shipment"), s.id)]
    head = ["#", w("serial"), w("part_number"), w("owner"), w("hs_code"), w("origin"), w("value"), w("documents")]
    rows = [[n, x.serial, x.part_number, x.owner, x.hs_code, x.origin,
             f"{x.value:,.2f} {x.currency}" if x.value is not None else "", x.documents]
            for n, x in enumerate(lines, 1)]
    totals: dict[str, Decimal] = {}
    for x in lines:
        if x.value is not None:
            totals[x.currency] = totals.get(x.currency, Decimal(0)) + x.value
    total = " · ".join(f"{v:,.2f} {c}" for c, v in sorted(totals.items()))
    story = [pdf.title(f"{w('packing_list')} · {s.carrier} {s.tracking_number}"), pdf.gap(), pdf.facts(facts),
             pdf.gap(), pdf.table(head, rows, [8 * mm, 26 * mm, 22 * mm, 28 * mm, 18 * mm, 10 * mm, 24 * mm, 44 * mm]),
             pdf.gap(), pdf.facts([(w("items"), str(len(lines))), (w("total"), total)])]
    return pdf.document(story, f"{w('packing_list')} {s.tracking_number}", footer=printed)


def _code128(c: Canvas, value: str, x: float, y: float, width: float, height: float) -> None:
    bar = code128.Code128(value, barWidth=0.3 * mm, barHeight=height, quiet=False)
    bar.barWidth = min(0.3 * mm, 0.3 * mm * width / bar.width)  # the whole id fits the label, bars as wide as can be
    bar = code128.Code128(value, barWidth=bar.barWidth, barHeight=height, quiet=False)
    bar.drawOn(c, x, y)


def _qr(c: Canvas, value: str, x: float, y: float, size: float) -> None:
    widget = qr.QrCodeWidget(value)
    left, bottom, right, top = widget.getBounds()
    d = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    d.add(widget)
    renderPDF.draw(d, c, x, y)


def _text(c: Canvas, x: float, y: float, text: str, size: float, bold: bool = False) -> None:
    c.setFont(pdf.font(text, bold), size)
    c.drawString(x, y, text)


def labels(lines: Sequence[Line], w: Words) -> bytes:
    """One label (100 x 62 mm, a thermal printer's size) per item."""
    pdf.fonts()
    out = io.BytesIO()
    c = Canvas(out, pagesize=LABEL)
    c.setTitle(w("labels"))
    width, height = LABEL
    for x in lines:
        _text(c, 5 * mm, height - 10 * mm, x.serial or x.item_id, 15, bold=True)
        _text(c, 5 * mm, height - 16 * mm, f"{w('part_number')}: {x.part_number}", 8)
        _text(c, 5 * mm, height - 21 * mm, f"{w('owner')}: {x.owner}", 8)
        _text(c, 5 * mm, height - 26 * mm, f"{w('state')}: {x.state}", 8)
        _qr(c, x.item_id, width - 29 * mm, height - 31 * mm, 25 * mm)
        _code128(c, x.item_id, 5 * mm, 10 * mm, width - 10 * mm, 15 * mm)
        _text(c, 5 * mm, 5 * mm, x.item_id, 7)
        c.showPage()
    c.save()
    return out.getvalue()


def period_report(b: Balances, closed: str, w: Words) -> bytes:
    """The verification report per item: per measure a row, a column a movement (as the CSV has it)."""
    head = [w("item_no"), w("material_no"), w("goods_name"), w("measure"), w("opening"),
            *[w(m) for m in MOVES], w("closing"), w("balances")]
    rows: list[list[object]] = []
    for i in b.items:
        for measure in ("quantity", "legal_quantity", "value"):
            moved = {m.value: getattr(a, measure) for m, a in i.moved.items()}
            unit = i.legal_unit if measure == "legal_quantity" else (i.currency or "") if measure == "value" else ""
            rows.append([i.item_no, i.material_no, i.goods_name, f"{w(measure)} {unit}".strip(),
                         getattr(i.opening, measure), *[moved.get(m, 0) for m in MOVES],
                         getattr(i.on_hand, measure), w("yes") if i.balanced else w("no")])
    since = f"{b.since:%Y-%m-%d}" if b.since else ""
    until = f"{b.until:%Y-%m-%d}" if b.until else ""
    story = [pdf.title(f"{w('verification_report')} · {b.book_no}"), pdf.gap(),
             pdf.facts([(w("account_book"), b.book_no), (w("period"), f"{since} .. {until}"),
                        (w("closed_by"), closed)]),
             pdf.gap(), pdf.table(head, rows, size=7)]
    if b.lines_not_in_book:
        story += [pdf.gap(), pdf.para(f"{w('lines_not_in_book_short')}: {b.lines_not_in_book}", 9)]
    return pdf.document(story, f"{w('verification_report')} {b.book_no} {since}", page=landscape(A4), footer=closed)

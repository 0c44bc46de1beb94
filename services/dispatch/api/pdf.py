"""Printable papers as PDF (reportlab): the fonts, a table in the page's style, a document of flowables.

Chinese is drawn with reportlab's built-in CID font ``STSong-Light`` (Adobe's Asian font pack names it; the PDF
reader supplies the glyphs, so no font file is shipped), Latin text and codes with Helvetica: each string gets the
font that can draw it (``font``). Words come from the caller (``Words``: a msgid -> text function), so one paper
reads in the desk reader's language, or in both (``both``) where customs reads it.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.paragraph import ParagraphStyle

CJK, LATIN, BOLD = "STSong-Light", "Helvetica", "Helvetica-Bold"
Words = Callable[[str], str]
_registered = False


def fonts() -> None:
    """Register the CJK font once per process (reportlab keeps a registry of its own)."""
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK))
        _registered = True


def cjk(text: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in text)


def font(text: str, bold: bool = False) -> str:
    return CJK if cjk(text) else BOLD if bold else LATIN


def both(zh: Words, en: Words) -> Words:
    """``核注清单 Inventory list``: the Chinese word and the English, once if they are the same."""
    return lambda key: zh(key) if zh(key) == en(key) else f"{zh(key)} {en(key)}"


def para(text: str, size: float = 9, bold: bool = False) -> Paragraph:
    fonts()
    style = ParagraphStyle("p", fontName=font(text, bold), fontSize=size, leading=size * 1.3,
                           wordWrap="CJK" if cjk(text) else None)
    return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), style)


def title(text: str, size: float = 15) -> Paragraph:
    return para(text, size, bold=True)


def table(head: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None,
          size: float = 8) -> Table:
    """A ruled table; every cell a paragraph in the font its text needs (numbers right-aligned)."""
    def cell(v: Any, bold: bool = False) -> Paragraph:
        text = "" if v is None else str(v)
        p = para(text, size, bold)
        if isinstance(v, int | float) or (text[:1].isdigit() and text.replace(",", "").replace(".", "").isdigit()):
            p.style = ParagraphStyle("n", parent=p.style, alignment=2)
        return p
    data = [[cell(h, True) for h in head], *[[cell(v) for v in r] for r in rows]]
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa7b4")),
                           ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return t


def facts(pairs: Sequence[tuple[str, str]], widths: tuple[float, float] = (45 * mm, 120 * mm)) -> Table:
    t = Table([[para(k, 9, True), para(v, 9)] for k, v in pairs], colWidths=list(widths))
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]))
    return t


def document(story: list[Flowable], name: str, page: tuple[float, float] = A4, footer: str = "") -> bytes:
    """The flowables as a PDF, each page numbered, ``footer`` at its foot (e.g. when it was printed)."""
    fonts()
    out = io.BytesIO()

    def foot(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        text = f"{footer} · {doc.page}" if footer else str(doc.page)
        canvas.setFont(font(text), 7)
        canvas.drawRightString(page[0] - 15 * mm, 8 * mm, text)
        canvas.restoreState()
    doc = SimpleDocTemplate(out, pagesize=page, title=name, author="bondline", leftMargin=15 * mm,
                            rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm)
    doc.build([*story], onFirstPage=foot, onLaterPages=foot)
    return out.getvalue()


def gap(height: float = 4 * mm) -> Spacer:
    return Spacer(1, height)


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M %z")

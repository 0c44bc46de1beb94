"""The printable papers (services/dispatch/api/papers.py) read back from the PDF they make: the packing list's and
the verification report's text (Chinese drawn in the CID font, as UTF-16 code units), one label per unit with its
Code 128 barcode decoded from the bars drawn, and every word the papers ask for in both catalogues.

The PDF is read with the standard library: its content streams (ASCII85 and Flate) and the strings its text
operators show; the barcode from the rectangles of its bars, through Code 128's own pattern table."""
from __future__ import annotations

import base64
import re
import zlib
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from reportlab.graphics.barcode import code128

from services.dispatch.api import papers
from services.dispatch.api.account_book import Balances
from services.dispatch.web import i18n

ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def streams(pdf: bytes) -> list[bytes]:
    out = []
    for m in re.finditer(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", pdf, re.S):
        head, body = m.group(1), m.group(2).strip()
        if b"ASCII85Decode" in head:
            body = base64.a85decode(body if body.startswith(b"<~") else b"<~" + body, adobe=True)
        if b"FlateDecode" in head:
            body = zlib.decompress(body)
        out.append(body)
    return out


def _unescape(raw: bytes) -> bytes:
    def one(e: re.Match[bytes]) -> bytes:
        code = e.group(1)
        return bytes([int(code, 8)]) if code[:1].isdigit() else ESCAPES.get(code, code)
    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def text(pdf: bytes) -> str:
    """Every string the pages show, each as Latin-1 and as UTF-16 (the CID font's), one a line."""
    found = []
    for s in streams(pdf):
        for m in re.finditer(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", s, re.S):
            raw = _unescape(m.group(1))
            found.append(raw.decode("latin-1"))
            if len(raw) % 2 == 0:
                found.append(raw.decode("utf-16-be", errors="replace"))
    return "\n".join(found)


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf))


WIDTHS = {tuple(ord(ch.lower()) - 96 for ch in p): v for v, p in code128._patterns.items()}
SET_B = {v: ch for ch, v in code128.setb.items()}


def barcodes(pdf: bytes) -> list[str]:
    """The Code 128 barcodes drawn (a block of bars of one height), decoded: bars and gaps in modules, six
    elements a symbol, set B, checksum checked."""
    out = []
    for s in streams(pdf):
        for block in re.findall(rb"cm\n((?:n [\d.]+ 0 [\d.]+ [\d.]+ re f\*\n)+)Q", s):
            bars = [tuple(map(float, m)) for m in re.findall(rb"n ([\d.]+) 0 ([\d.]+) ([\d.]+) re f\*", block)]
            module = min(w for _, w, _ in bars)
            elements = []
            for n, (x, w, _) in enumerate(bars):
                elements.append(round(w / module))
                if n + 1 < len(bars):
                    elements.append(round((bars[n + 1][0] - x - w) / module))
            symbols = [WIDTHS[tuple(elements[i:i + 6])] for i in range(0, len(elements) - 7, 6)]
            start, *data, check = symbols
            assert start == 104, "set B"
            assert check == (start + sum(i * v for i, v in enumerate(data, 1))) % 103, "checksum"
            out.append("".join(SET_B[v] for v in data))
    return out


def line(item_id: str, serial: str, owner: str) -> papers.Line:
    return papers.Line(item_id, serial, "RF-GEN-3KW", owner, "已发运", "8486909000", "KR", Decimal("42000.00"),
                       "USD", "QD224426E000000001 HF224426000000001")


def test_a_packing_list_in_chinese_with_every_item_and_the_totals() -> None:
    t = i18n.Translator("zh")
    s = papers.Shipped("s-1", "顺丰速运", "SF1234567890", "US", "Fab 9, Austin TX", "DAP", t("planned"),
                       "2026年12月3日")
    lines = [line("u-1", "SN-0001", "华虹半导体一厂"), line("u-2", "SN-0002", "Hsinchu Fab Two")]
    pdf = papers.packing_list(s, lines, t, "打印时间 2026年12月3日")
    assert pdf.startswith(b"%PDF-") and b"/BaseFont /STSong-Light" in pdf
    shown = text(pdf)
    for want in ("装箱单", "顺丰速运", "SF1234567890", "SN-0001", "SN-0002", "华虹半导体一厂", "Hsinchu Fab Two",
                 "84,000.00 USD", "QD224426E000000001", "合计", "序列号"):
        assert want in shown, want


def test_labels_one_a_unit_with_its_id_in_code_128() -> None:
    ids = ["0b8e4a52-1f0e-4c59-9d57-3c2f5e8b1a01", "op-u-late"]
    pdf = papers.labels([line(ids[0], "SN-0001", "华虹半导体一厂"), line(ids[1], "", "Applied Plasma OEM")],
                        i18n.Translator("en"))
    assert pages(pdf) == 2
    assert barcodes(pdf) == ids, "each label's barcode scans as its item id"
    shown = text(pdf)
    assert "SN-0001" in shown and "op-u-late" in shown and "华虹半导体一厂" in shown and "Owner" in shown
    qr_modules = sum(len(re.findall(rb"re f\*", s)) for s in streams(pdf))
    assert qr_modules > 2 * 200, "a QR code of the id beside the barcode (hundreds of modules a label)"


def test_the_verification_report_in_both_languages() -> None:
    report = Balances.model_validate({
        "book_no": "T22442600001", "since": datetime(2026, 11, 1, tzinfo=timezone.utc),
        "until": datetime(2026, 12, 1, tzinfo=timezone.utc), "lines_not_in_book": 0,
        "items": [{"item_no": 1, "kind": "unit", "material_no": "RF-GEN-3KW", "goods_name": "射频电源",
                   "legal_unit": "台", "currency": "USD", "balanced": True,
                   "opening": {"quantity": 2, "legal_quantity": 2, "value": "84000.00"},
                   "on_hand": {"quantity": 1, "legal_quantity": 1, "value": "42000.00"},
                   "moved": {"exported": {"quantity": 1, "legal_quantity": 1, "value": "42000.00"}}}]})
    words = papers.pdf.both(i18n.Translator("zh"), i18n.Translator("en"))
    pdf = papers.period_report(report, "dispatcher:ann · 2026-12-02 09:00 +0000", words)
    shown = text(pdf)
    for want in ("核销报告", "Verification report", "T22442600001", "射频电源", "RF-GEN-3KW", "84000.00", "42000.00",
                 "复运出境", "期初", "Opening", "2026-11-01 .. 2026-12-01", "dispatcher:ann"):
        assert want in shown, want


def test_every_word_the_papers_use_is_in_both_catalogues() -> None:
    source = Path(papers.__file__).read_text(encoding="utf-8")
    keys = set(re.findall(r"""\bw\(\s*["']([\w.]+)["']\s*\)""", source)) | set(papers.MOVES)
    keys |= {"quantity", "legal_quantity", "value"}
    assert len(keys) > 20
    for lang in i18n.LANGS:
        t = i18n.Translator(lang)
        assert not sorted(k for k in keys if not t.has(k)), lang

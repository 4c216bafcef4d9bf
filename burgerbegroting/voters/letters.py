"""Voting-code letters as one PDF (WeasyPrint), one A4 page per code.

The plain codes exist only while this PDF is made: the caller passes them straight from
``generate_codes`` and sends the PDF in the same response. The QR code holds the voting URL
with the code in it (that is the point of the letter: scan and vote).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from urllib.parse import quote

import qrcode
import qrcode.image.svg
from flask import current_app, render_template
from flask_babel import force_locale

from burgerbegroting.processes.models import District, Round
from burgerbegroting.voters import codes
from burgerbegroting.voters.models import RegisterEntry


@dataclass(frozen=True)
class Letter:
    code: str  # formatted, e.g. K7PC-4XWM-TH9Q-R
    url: str
    qr_data_uri: str
    entry: RegisterEntry | None


def voting_url(plain: str) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/stemmen?code={quote(codes.format_code(plain))}"


def qr_svg_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def letters_pdf(round_: Round, district: District, items: list[tuple[str, RegisterEntry | None]]) -> bytes:
    """One page per (plain code, register entry or None)."""
    from weasyprint import HTML  # imported late: it loads Pango, which the web pages do not need

    letters = [Letter(codes.format_code(plain), voting_url(plain), qr_svg_data_uri(voting_url(plain)), entry)
               for plain, entry in items]
    # Letters are in Dutch (with one English line), whatever the admin's screen language.
    with force_locale("nl"):
        html = render_template("voters/letters.html", round=round_, district=district, letters=letters,
                               public_url=current_app.config["PUBLIC_URL"].rstrip("/"))
    return HTML(string=html, base_url=None).write_pdf()


def join_pdfs(parts: list[bytes]) -> bytes:
    """One PDF with the pages of every part, in order. A background job renders a big batch
    in parts and keeps only each part's PDF bytes: WeasyPrint's layout of thousands of pages
    at once takes gigabytes."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_page_count(pdf: bytes) -> int:
    """Pages in a PDF made by WeasyPrint (for tests and checks): counts the page objects,
    also inside compressed object streams."""
    import re
    import zlib

    pattern = re.compile(rb"/Type\s*/Page(?![s\w])")
    total = len(pattern.findall(pdf))
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            total += len(pattern.findall(zlib.decompress(match.group(1))))
        except zlib.error:
            continue
    return total

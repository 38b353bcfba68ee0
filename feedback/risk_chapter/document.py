"""A document as a list of blocks (headings, paragraphs, tables, lists), written once and laid
out twice: as PDF by WeasyPrint (HTML and the print stylesheet) and as DOCX by python-docx, so
both files say the same thing. Also used for the dossier's documents (``feedback.dossier``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

# PDF/A-3u: an archival PDF (fonts embedded, Unicode text, XMP metadata), the variant of
# WeasyPrint that keeps CJK text extractable; the dossier asks for it (rules-zh.md §1.8).
ARCHIVE_PDF = {"pdf_variant": "pdf/a-3u"}
# The assessor's copy: tagged PDF/UA-1 like the published response, read by a screen reader.
TAGGED_PDF = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Para:
    text: str


@dataclass
class Items:
    items: list[str]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    caption: str = ""


@dataclass
class Document:
    title: str
    subtitle: str = ""
    blocks: list = field(default_factory=list)
    language: str = "zh-hans"

    def h(self, text: str, level: int = 2) -> None:
        self.blocks.append(Heading(str(text), level))

    def p(self, text: str) -> None:
        self.blocks.append(Para(str(text)))

    def items(self, items) -> None:
        items = [str(i) for i in items]
        if items:
            self.blocks.append(Items(items))

    def table(self, header, rows, caption: str = "") -> None:
        self.blocks.append(
            Table([str(h) for h in header], [[str(c) for c in r] for r in rows], str(caption))
        )

    @property
    def kinds(self) -> list[dict]:
        """The blocks with their kind, for the templates."""
        return [{"kind": type(b).__name__.lower(), "b": b} for b in self.blocks]

    def text(self) -> str:
        """Every word of the document, for tests and checks."""
        parts = [self.title, self.subtitle]
        for b in self.blocks:
            if isinstance(b, Table):
                parts += [b.caption, *b.header, *(c for r in b.rows for c in r)]
            elif isinstance(b, Items):
                parts += b.items
            else:
                parts.append(b.text)
        return "\n".join(parts)


def to_html(document: Document) -> str:
    return render_to_string("feedback/risk_chapter/document.html", {"doc": document})


def layout(document: Document, *, options: dict | None = None):
    """The WeasyPrint document (pages and boxes), for writing and for tests."""
    from weasyprint import CSS, HTML

    stylesheets = []
    css_path = finders.find("feedback/response-print.css")
    if css_path:
        stylesheets.append(CSS(filename=css_path))
    return HTML(string=to_html(document)).render(stylesheets=stylesheets, **(options or {}))


def to_pdf(document: Document, *, options: dict | None = None) -> bytes:
    options = TAGGED_PDF if options is None else options
    return layout(document, options=options).write_pdf(**options)


def to_docx(document: Document) -> bytes:
    import docx
    from docx.oxml.ns import qn

    out = docx.Document()
    style = out.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")  # 宋体 for Chinese text
    out.core_properties.title = document.title
    out.core_properties.language = document.language
    out.add_heading(document.title, level=0)
    if document.subtitle:
        out.add_paragraph(document.subtitle)
    for b in document.blocks:
        if isinstance(b, Heading):
            out.add_heading(b.text, level=min(max(b.level - 1, 1), 4))
        elif isinstance(b, Para):
            out.add_paragraph(b.text)
        elif isinstance(b, Items):
            for item in b.items:
                out.add_paragraph(item, style="List Bullet")
        elif isinstance(b, Table):
            if b.caption:
                out.add_paragraph(b.caption)
            table = out.add_table(rows=1, cols=len(b.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, b.header, strict=True):
                cell.text = text
            for row in b.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = text
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def docx_text(data: bytes) -> str:
    """All the text of a DOCX file (paragraphs and table cells), for tests and checks."""
    import docx

    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    parts.append(d.core_properties.title or "")
    return "\n".join(parts)


def pdf_text(document: Document, *, options: dict | None = None) -> str:
    """The text WeasyPrint laid out in the PDF of ``document`` (every text box)."""
    from weasyprint.formatting_structure import boxes

    found: list[str] = []

    def walk(box):
        if isinstance(box, boxes.TextBox):
            found.append(box.text)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in layout(document, options=options).pages:
        walk(page._page_box)
    return "".join(found)

"""PDF (A4) from the same HTML, by WeasyPrint; page size and margins come from the template's CSS."""

from __future__ import annotations

import logging
from pathlib import Path

from weasyprint import HTML

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def write_pdf(path: Path, html: str, base_url: Path | None = None) -> Path:
    HTML(string=html, base_url=str(base_url) if base_url else None).write_pdf(str(path))
    return path

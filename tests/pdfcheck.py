"""Reading a PDF back as its words and their boxes (poppler's `pdftotext -bbox-layout`),
so a test can check that every word lies on its page, that each page carries its
number and the footer, and what the title says."""

import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

NS = "{http://www.w3.org/1999/xhtml}"
# Half a point of slack: the boxes are the font's, not the ink's.
SLACK = 0.5


@dataclass
class Page:
    width: float
    height: float
    words: list  # (text, x_min, y_min, x_max, y_max)

    @property
    def text(self):
        return " ".join(word[0] for word in self.words)

    @property
    def landscape(self):
        return self.width > self.height


def pdf_pages(content) -> list[Page]:
    result = subprocess.run(
        ["pdftotext", "-bbox-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    # Poppler writes an XHTML document; its DOCTYPE line is not needed to read it.
    document = re.sub(rb"<!DOCTYPE[^>]*>", b"", result.stdout)
    root = ET.fromstring(document)  # noqa: S314 - poppler's output of a PDF we made
    pages = []
    for page in root.iter(f"{NS}page"):
        words = [
            (
                word.text or "",
                float(word.get("xMin")),
                float(word.get("yMin")),
                float(word.get("xMax")),
                float(word.get("yMax")),
            )
            for word in page.iter(f"{NS}word")
        ]
        pages.append(Page(float(page.get("width")), float(page.get("height")), words))
    return pages


def words_off_the_page(pages):
    """Every word whose box does not lie wholly on its page, with the page's number."""
    return [
        (number, word)
        for number, page in enumerate(pages, start=1)
        for word in page.words
        if word[1] < -SLACK
        or word[2] < -SLACK
        or word[3] > page.width + SLACK
        or word[4] > page.height + SLACK
    ]


A4_POINTS = (595.3, 841.9)


def assert_fits_a4(pages, *, landscape=False):
    """A4 pages, each with no word off the page, "pagina X van Y", the date it was made,
    the maker and the confidentiality footer."""
    assert pages, "no pages"
    for number, page in enumerate(pages, start=1):
        size = (page.height, page.width) if landscape else (page.width, page.height)
        assert abs(size[0] - A4_POINTS[0]) < 2, size
        assert abs(size[1] - A4_POINTS[1]) < 2, size
        text = " ".join(page.text.split())
        assert f"pagina {number} van {len(pages)}" in text, (number, text[-300:])
        assert "Vertrouwelijk" in text, number
        assert "Gemaakt op" in text, number
    off = words_off_the_page(pages)
    assert not off, off[:10]

"""Text out of a Word (.docx) file, streamed: the XML is decompressed and parsed piece by
piece, counting the bytes it expands to and the characters it gives, so a zip bomb is
refused after reading a capped amount, never held in memory whole."""

import zipfile

from lxml import etree

from workspaces.documents.limits import DOCX_MAX_BLOCKS, DOCX_MAX_EXPANDED_BYTES, MIB, expansion_refusal
from workspaces.documents.refusals import DocumentRefused

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
BODY_PART = "word/document.xml"
CORE_PART = "docProps/core.xml"
CHUNK = 64 * 1024


class _CappedReader:
    """A zip member as a file for lxml, refusing once `budget` expanded bytes are used up."""

    def __init__(self, member, budget):
        self.member, self.budget = member, budget

    def read(self, size=CHUNK):
        data = self.member.read(min(max(size, 1), CHUNK))
        self.budget.spend(len(data))
        return data


class _ExpansionBudget:
    def __init__(self, name):
        self.name, self.used = name, 0

    def spend(self, count):
        self.used += count
        if self.used > DOCX_MAX_EXPANDED_BYTES:
            raise expansion_refusal(
                name=self.name, what="XML (Word)", limit=f"{DOCX_MAX_EXPANDED_BYTES // MIB} MiB expanded"
            )


def _paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == f"{W}tab" else "\n")
    return "".join(parts)


def _row_text(row) -> str:
    cells = []
    for cell in row.iterchildren(f"{W}tc"):
        cells.append("\n".join(_paragraph_text(p) for p in cell.iter(f"{W}p")))
    return "\t".join(cells)


def _inside(element, tag) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _forget_before(element, parent) -> None:
    """Drop what is already read, so the tree never grows beyond the block being read."""
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def docx_blocks(archive: zipfile.ZipFile, *, name: str, take_text) -> tuple[list[str], str]:
    """Paragraphs and table rows (cells joined by tabs) in document order, and the title.

    `take_text(count)` is told each block's length and may refuse; raises DocumentRefused."""
    budget = _ExpansionBudget(name)
    blocks, seen = [], 0
    with archive.open(BODY_PART) as member:
        parser = etree.iterparse(
            _CappedReader(member, budget), events=("end",), tag=(f"{W}p", f"{W}tr"),
            resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
        )
        for _event, element in parser:
            seen += 1
            if seen > DOCX_MAX_BLOCKS:
                raise expansion_refusal(
                    name=name, what="paragraphs (Word)", limit=f"{DOCX_MAX_BLOCKS:,} paragraphs and table rows"
                )
            parent = element.getparent()
            if len(element) == 0:  # an empty paragraph or row: nothing to read
                if parent is not None and parent.tag == f"{W}body":
                    if blocks and blocks[-1]:
                        blocks.append("")  # a blank line, as the document shows
                    _forget_before(element, parent)
                continue
            if _inside(element, f"{W}tc"):
                continue  # a paragraph or row inside a table cell: its row speaks for it
            text = _row_text(element) if element.tag == f"{W}tr" else _paragraph_text(element)
            if text or (blocks and blocks[-1]):
                blocks.append(text)
                take_text(len(text) + 1)
            element.clear(keep_tail=False)
            _forget_before(element, parent)
    return blocks, _title(archive, budget)


def _title(archive, budget) -> str:
    if CORE_PART not in archive.namelist():
        return ""
    try:
        with archive.open(CORE_PART) as member:
            for _event, element in etree.iterparse(
                _CappedReader(member, budget), events=("end",), tag=DC_TITLE,
                resolve_entities=False, no_network=True, load_dtd=False,
            ):
                return element.text or ""
    except DocumentRefused:
        raise
    except Exception:  # a damaged properties part costs the title, not the document
        return ""
    return ""

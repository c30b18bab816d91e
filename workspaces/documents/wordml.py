"""A Word (.docx) body, streamed: the XML is decompressed and parsed piece by piece,
counting the bytes it expands to and the paragraphs it holds, so a zip bomb is refused
after reading a capped amount, never held in memory whole. Each top-level paragraph or
table is handed over, then dropped from the tree. Before any of that, the paragraphs are
counted in the raw XML (a scan, not a parse), so a file of too many is refused in a moment."""

import re
import zipfile

from workspaces.documents.limits import DOCX_MAX_BLOCKS, DOCX_MAX_EXPANDED_BYTES, MIB, expansion_refusal
from workspaces.documents.refusals import DocumentRefused

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
BODY_PART = "word/document.xml"
CORE_PART = "docProps/core.xml"
CHUNK = 64 * 1024
# The start tag of a paragraph or a table row, as Word writes them.
BLOCK_START = re.compile(rb"<w:(?:p|tr)[\s/>]")
PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


class _ExpansionBudget:
    def __init__(self, name):
        self.name, self.used = name, 0

    def spend(self, count):
        self.used += count
        if self.used > DOCX_MAX_EXPANDED_BYTES:
            raise expansion_refusal(
                name=self.name, what="XML (Word)", limit=f"{DOCX_MAX_EXPANDED_BYTES // MIB} MiB expanded"
            )


class _CappedReader:
    """A zip member as a file for lxml, refusing once the budget's expanded bytes are used up."""

    def __init__(self, member, budget):
        self.member, self.budget = member, budget

    def read(self, size=CHUNK):
        data = self.member.read(min(max(size, 1), CHUNK))
        self.budget.spend(len(data))
        return data


def paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        parts.append(node.text or "" if node.tag == f"{W}t" else " ")
    return "".join(parts)


def _refuse_too_many_blocks(archive: zipfile.ZipFile, *, name: str) -> None:
    """Count paragraph and row start tags in the body's XML, chunk by chunk (a tag cut by a
    chunk's end is found with the next), and refuse past DOCX_MAX_BLOCKS."""
    budget = _ExpansionBudget(name)
    seen, tail = 0, b""
    with archive.open(BODY_PART) as member:
        reader = _CappedReader(member, budget)
        while chunk := reader.read(CHUNK):
            data = tail + chunk
            seen += len(BLOCK_START.findall(data, 0, len(data) - 8))
            tail = data[-8:]
            if seen > DOCX_MAX_BLOCKS:
                raise _too_many_blocks(name)
    seen += len(BLOCK_START.findall(tail))
    if seen > DOCX_MAX_BLOCKS:
        raise _too_many_blocks(name)


def _too_many_blocks(name: str) -> DocumentRefused:
    return expansion_refusal(name=name, what="paragraphs (Word)", limit=f"{DOCX_MAX_BLOCKS:,} paragraphs and tables")


def body_items(archive: zipfile.ZipFile, *, name: str):
    """Yield ("paragraph" | "table", element) for each top-level item of the body, in order.

    Raises DocumentRefused past the expansion or paragraph caps."""
    from lxml import etree  # where a document is read: a web process never loads lxml

    _refuse_too_many_blocks(archive, name=name)
    budget = _ExpansionBudget(name)
    seen = 0
    with archive.open(BODY_PART) as member:
        parser = etree.iterparse(
            _CappedReader(member, budget), events=("end",), tag=(f"{W}p", f"{W}tbl"), **PARSER_OPTIONS
        )
        for _event, element in parser:
            seen += 1
            if seen > DOCX_MAX_BLOCKS:
                raise _too_many_blocks(name)
            parent = element.getparent()
            if parent is None or parent.tag != f"{W}body":
                continue  # inside a table (or a text box): its table or paragraph speaks for it
            if len(element):
                yield ("table" if element.tag == f"{W}tbl" else "paragraph"), element
            element.clear(keep_tail=False)
            while element.getprevious() is not None:  # drop what is read: the tree never grows
                del parent[0]


def docx_title(archive: zipfile.ZipFile, *, name: str) -> str:
    from lxml import etree

    if CORE_PART not in archive.namelist():
        return ""
    try:
        with archive.open(CORE_PART) as member:
            reader = _CappedReader(member, _ExpansionBudget(name))
            for _event, element in etree.iterparse(reader, events=("end",), tag=DC_TITLE, **PARSER_OPTIONS):
                return element.text or ""
    except DocumentRefused:
        raise
    except Exception:  # a damaged properties part costs the title, not the document
        return ""
    return ""

"""Zip-based formats (PowerPoint, Excel, OpenDocument, EPUB): the archive opened, checked and read
within bounds.

Before anything is parsed, the listing is checked (members, declared sizes) and the parts a reader
will parse are scanned: decompressed a chunk at a time against one expansion budget, their start
tags counted by a pattern, so a zip bomb or a file of a million rows is refused after a capped
amount of work, before a parser builds anything in memory. Parts are then parsed from bytes the
same budget has already admitted.
"""

import functools
import re
import zipfile

from workspaces.documents import limits
from workspaces.documents.decoding import mismatch
from workspaces.documents.refusals import DocumentRefused

CHUNK = 64 * 1024
NOTHING = re.compile(rb"(?!)")


class ExpansionBudget:
    """Bytes all parts of one archive may expand to, spent as they are decompressed."""

    def __init__(self, name: str, kind_label: str):
        self.name, self.kind_label, self.used = name, kind_label, 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > limits.ZIP_MAX_EXPANDED_BYTES:
            raise limits.expansion_refusal(
                name=self.name, what=f"XML ({self.kind_label})",
                limit=f"{limits.ZIP_MAX_EXPANDED_BYTES // limits.MIB} MiB expanded",
            )


class Archive:
    """A zip a reader may trust to be bounded: `read` and `count` spend one expansion budget."""

    def __init__(self, *, stream, name: str, kind, required: str, corrupt: str):
        self.name, self.kind, self.corrupt = name, kind, corrupt
        try:
            self.zip = zipfile.ZipFile(stream)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise mismatch(name, kind) from None
        if len(infos) > limits.ZIP_MAX_MEMBERS:
            raise limits.count_refusal(name=name, what="parts", limit=f"{limits.ZIP_MAX_MEMBERS:,} parts")
        self.names = [info.filename for info in infos]
        if required not in self.names:
            raise mismatch(name, kind)
        self.budget = ExpansionBudget(name, kind.label)

    def has(self, member: str) -> bool:
        return member in self.names

    def read(self, member: str) -> bytes:
        """The member's bytes, decompressed within the budget (a refusal past it)."""
        parts = []
        try:
            with self.zip.open(member) as source:
                while chunk := source.read(CHUNK):
                    self.budget.spend(len(chunk))
                    parts.append(chunk)
        except DocumentRefused:
            raise
        except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
            raise DocumentRefused(self.corrupt.format(name=self.name), code="corrupt") from None
        return b"".join(parts)

    def xml(self, member: str):
        """The member parsed (entities never resolved, nothing fetched); None when it is not XML."""
        from lxml import etree

        data = self.read(member)
        try:
            return etree.fromstring(data, _parser())
        except etree.XMLSyntaxError:
            return None

    def count(self, members, pattern: re.Pattern, *, limit: int, what: str, unit: str) -> int:
        """Matches of `pattern` in `members`, scanned chunk by chunk without parsing (within the budget);
        refused as soon as they pass `limit`. Every member scanned is then free to parse: it is bounded."""
        seen = 0
        for member in members:
            tail = b""
            try:
                with self.zip.open(member) as source:
                    while chunk := source.read(CHUNK):
                        self.budget.spend(len(chunk))
                        data = tail + chunk
                        seen += len(pattern.findall(data, 0, max(0, len(data) - 32)))
                        tail = data[max(0, len(data) - 32):]
                        if seen > limit:
                            raise limits.count_refusal(name=self.name, what=what, limit=f"{limit:,} {unit}")
            except DocumentRefused:
                raise
            except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, NotImplementedError):
                raise DocumentRefused(self.corrupt.format(name=self.name), code="corrupt") from None
            seen += len(pattern.findall(tail))
            if seen > limit:
                raise limits.count_refusal(name=self.name, what=what, limit=f"{limit:,} {unit}")
        self.budget.used = 0  # what was scanned is read again once: the budget bounds each pass
        return seen


    def scan(self, members) -> None:
        """Decompress `members` once within the budget: what a library will read whole is bounded."""
        self.count(members, NOTHING, limit=1, what="parts", unit="parts")


def local_name(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@functools.cache
def _parser():
    """lxml is imported where a part is parsed: a web process, which reads no file, never loads it."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)

"""Web sources: one page, or a site section walked link by link.

A section is the pages of the same scheme, host and port whose path lies under the first
page's folder (https://intranet/handbook/ → /handbook/…). The walk starts from the first
page and the section's pages listed in its sitemap (robots.txt's Sitemap lines, else
/sitemap.xml), follows links breadth first up to the source's depth, and fetches at most
its number of pages. robots.txt is obeyed for the user agent "Docent". Every request goes
through `workspaces.web_fetch` (the SSRF guard, size and time caps).

A page's HTML is reduced to its main content by trafilatura (menus, footers and
boilerplate dropped; headings, lists and tables kept) and ingested as an HTML document;
a linked file of a type Docent reads (a PDF, say) is ingested as it is.
"""

import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import PurePosixPath
from urllib import robotparser
from urllib.parse import urldefrag, urljoin, urlsplit

from accounts.base import DocentError
from workspaces.documents.kinds import ACCEPTED_EXTENSIONS
from workspaces.outgoing import USER_AGENT, Failure, OutgoingError
from workspaces.sources.models import MAX_LOCATION_LENGTH
from workspaces.web_fetch import FetchedPage, page_fetch

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_EXTENSIONS = {"", "html", "htm", "xhtml", "php", "asp", "aspx", "jsp", "shtml"}
ROBOTS_MAX_BYTES = 512 * 1024
SITEMAP_MAX_BYTES = 5 * 1024 * 1024
SITEMAPS_READ = 5
GONE_STATUSES = (404, 410)
NO_MAIN_CONTENT = "no main text was found on this page"
ROBOTS_REFUSED = "the site's robots.txt does not allow Docent to read this page"
QUEUE_FACTOR = 20
REDIRECTED_OUT = "it sent Docent outside the section, to {url}"
NOT_READABLE = "neither a web page nor a file type Docent reads ({content_type})"


class PageRefused(DocentError):
    pass


@dataclass(frozen=True)
class Section:
    """Where a site section's pages may be."""

    scheme: str
    netloc: str
    prefix: str  # "" (the whole site) or "/handbook": the path equals it or goes on with "/"

    @classmethod
    def of(cls, url: str) -> "Section":
        parts = urlsplit(url)
        path = parts.path or "/"
        folder = path if path.endswith("/") or "." not in path.rsplit("/", 1)[-1] else path.rsplit("/", 1)[0]
        return cls(scheme=parts.scheme, netloc=parts.netloc.lower(), prefix=folder.rstrip("/"))

    def holds(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme != self.scheme or parts.netloc.lower() != self.netloc:
            return False
        path = parts.path or "/"
        return not self.prefix or path == self.prefix or path.startswith(self.prefix + "/")


def page_key(url: str) -> str:
    """A page's address as a source item's key: without its fragment."""
    return urldefrag(url.strip())[0]


def robots_for(url: str) -> robotparser.RobotFileParser:
    """The site's robots.txt: none (404 and the like) allows everything; 401 or 403 allows
    nothing (as urllib.robotparser reads it). A refused address raises."""
    parts = urlsplit(url)
    rules = robotparser.RobotFileParser(f"{parts.scheme}://{parts.netloc}/robots.txt")
    try:
        fetched = page_fetch(rules.url, accept="text/plain", max_bytes=ROBOTS_MAX_BYTES)
    except OutgoingError as error:
        if error.failure == Failure.BLOCKED:
            raise
        if error.status in (401, 403):
            rules.disallow_all = True
        else:
            rules.allow_all = True
        rules.modified()
        return rules
    rules.parse(fetched.body.decode("utf-8", "replace").splitlines())
    return rules


def sitemap_pages(start: str, robots: robotparser.RobotFileParser, section: Section, limit: int) -> list[str]:
    """Addresses of the section's pages listed in the site's sitemap(s), at most `limit`."""
    import lxml.etree  # lxml where a sync reads pages: not in every web process (issue 30)

    parts = urlsplit(start)
    queue = list(robots.site_maps() or []) or [f"{parts.scheme}://{parts.netloc}/sitemap.xml"]
    found, read = [], 0
    while queue and read < SITEMAPS_READ and len(found) < limit:
        address = queue.pop(0)
        read += 1
        try:
            fetched = page_fetch(address, accept="application/xml,text/xml", max_bytes=SITEMAP_MAX_BYTES)
            root = lxml.etree.fromstring(fetched.body, parser=_xml_parser())
        except (OutgoingError, lxml.etree.XMLSyntaxError, ValueError):
            continue
        for location in root.iter("{*}loc"):
            address = page_key(location.text or "")
            if root.tag.endswith("sitemapindex"):
                queue.append(address)
            elif section.holds(address) and address not in found:
                found.append(address)
    return found[:limit]


def _xml_parser():
    import lxml.etree

    return lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def page_links(page: FetchedPage, section: Section) -> Iterator[str]:
    """The addresses a page links to inside the section, that look like pages or files Docent reads."""
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(page.body)
    except (lxml.etree.ParserError, ValueError):
        return
    for href in tree.xpath("//a[@href]/@href"):
        address = page_key(urljoin(page.url, str(href).strip()))
        if len(address) > MAX_LOCATION_LENGTH or not section.holds(address):
            continue
        name = PurePosixPath(urlsplit(address).path).name
        extension = name.rpartition(".")[2].lower() if "." in name else ""
        if extension in PAGE_EXTENSIONS or extension in ACCEPTED_EXTENSIONS:
            yield address


def page_document(page: FetchedPage) -> tuple[str, bytes]:
    """(file name, content) of what a fetched page becomes: its main content as HTML, or the
    file itself when it is one Docent reads. PageRefused otherwise."""
    parts = urlsplit(page.url)
    path_name = PurePosixPath(parts.path).name
    if page.content_type in HTML_TYPES or (not page.content_type and path_name.endswith((".html", ".htm"))):
        import trafilatura  # 160 ms to import: only the worker that reads pages pays it, not every web process

        main = trafilatura.extract(
            page.body, url=page.url, output_format="html", include_tables=True, include_formatting=True,
            include_links=False, include_images=False, include_comments=False, favor_recall=True,
        )
        if not main or "<body" not in main:
            raise PageRefused(NO_MAIN_CONTENT, code="no_text")
        metadata = trafilatura.extract_metadata(page.body)
        title = (metadata.title if metadata and metadata.title else "") or path_name or parts.netloc
        head = f'<head><meta charset="utf-8"><title>{escape(title[:300])}</title></head>'
        content = main.replace("<html>", f"<html>{head}", 1).encode()
        return _page_filename(page.url, "html"), content
    extension = path_name.rpartition(".")[2].lower() if "." in path_name else ""
    if extension in ACCEPTED_EXTENSIONS:
        return _page_filename(page.url, extension), page.body
    raise PageRefused(NOT_READABLE.format(content_type=page.content_type or "no type given"), code="unsupported")


def _page_filename(url: str, extension: str) -> str:
    """A readable, unique-looking name from the address: host › folder › page.html."""
    parts = urlsplit(url)
    trail = [parts.netloc] + [segment for segment in parts.path.split("/") if segment]
    if parts.query:
        trail[-1] = f"{trail[-1]}?{parts.query}"
    name = " › ".join(trail).replace("\\", "_")
    if not name.lower().endswith(f".{extension}"):
        name = f"{name}.{extension}"
    return name


@dataclass
class Visit:
    """One page of a walk: its content (`filename`, `content`), or why not (`error`), and
    whether it is `gone` (404, 410)."""

    key: str
    filename: str = ""
    content: bytes = b""
    error: str = ""
    gone: bool = False


class Walk:
    """The pages of one web source, fetched one at a time (`visits()`). After the walk,
    `complete` says whether every page in reach was visited (not stopped by the page cap):
    only then may a page not met again count as gone."""

    def __init__(self, *, start: str, whole_section: bool, max_pages: int, max_depth: int):
        self.start = page_key(start)
        self.section = Section.of(self.start) if whole_section else None
        self.max_pages = max_pages if whole_section else 1
        self.max_depth = max_depth
        self.complete = True

    def visits(self) -> Iterator[Visit]:
        robots = robots_for(self.start)
        queue = deque([(self.start, 0)])
        if self.section is not None:
            queue.extend((address, 1) for address in sitemap_pages(self.start, robots, self.section, self.max_pages))
        visited, fetched = set(), 0
        while queue:
            address, depth = queue.popleft()
            if address in visited:
                continue
            visited.add(address)
            if not robots.can_fetch(USER_AGENT, address):
                if address == self.start:
                    yield Visit(address, error=ROBOTS_REFUSED)
                continue
            if fetched >= self.max_pages:
                self.complete = False
                return
            fetched += 1
            try:
                page = page_fetch(address)
            except OutgoingError as error:
                if error.failure == Failure.BLOCKED and address == self.start:
                    raise
                yield Visit(address, error=error.message, gone=error.status in GONE_STATUSES)
                continue
            if self.section is not None and not self.section.holds(page_key(page.url)):
                if address == self.start:  # e.g. to a sign-in page: say so rather than find nothing
                    yield Visit(address, error=REDIRECTED_OUT.format(url=page_key(page.url)))
                continue  # redirected out of the section: not one of its pages
            if self.section is not None and depth < self.max_depth and page.content_type in HTML_TYPES:
                for link in page_links(page, self.section):
                    if link not in visited and len(queue) < self.max_pages * QUEUE_FACTOR:
                        queue.append((link, depth + 1))
            try:
                filename, content = page_document(page)
            except PageRefused as refusal:
                yield Visit(address, error=refusal.message)
                continue
            yield Visit(address, filename=filename, content=content)

"""Where a passage is, in the words a citation uses: "p. 3 · Annual leave"."""


def location_label(*, page_start: int | None = None, page_end: int | None = None, section: str = "") -> str:
    """The page (or page range) and the innermost heading of a passage; "" when neither is known."""
    parts = []
    if page_start:
        parts.append(f"pp. {page_start}–{page_end}" if page_end and page_end != page_start else f"p. {page_start}")
    if section:
        parts.append(section)
    return " · ".join(parts)


def citation_label(*, filename: str, page_start: int | None = None, page_end: int | None = None,
                   section: str = "") -> str:
    """"handbook.pdf, p. 3 · Annual leave", or just the file name."""
    location = location_label(page_start=page_start, page_end=page_end, section=section)
    return f"{filename}, {location}" if location else filename

"""Extraction keeps each format's structure: blocks in reading order, not one flat string."""

import io

import pytest

from tests.workspaces.documents.sample_files import (
    GUIDE_MD,
    REVENUE_CSV,
    SITES_HTML,
    handbook_pdf_bytes,
    pdf_bytes,
    policy_docx_bytes,
)
from workspaces.documents.extraction import extract_text, is_placeholder_title


def extract(name, data):
    return extract_text(stream=io.BytesIO(data.encode() if isinstance(data, str) else data), name=name)


def shape(blocks):
    return [(block.kind, block.level, block.text) for block in blocks if block.kind not in ("table",)]


def test_a_pdf_becomes_paragraphs_under_headings_page_by_page_without_its_running_header_and_footer():
    extracted = extract("handbook.pdf", handbook_pdf_bytes())
    assert extracted.page_count == 3
    assert shape(extracted.blocks) == [
        ("page_break", 0, ""),
        ("heading", 1, "Employee handbook"),
        ("paragraph", 0, "This handbook explains how we work together and what the company expects of everyone "
                         "who joins the team in any of its offices."),
        ("heading", 2, "Leave"),
        ("paragraph", 0, "Every employee may take paid leave. Requests go to the line manager at least two weeks "
                         "before the first day away from work."),
        ("page_break", 0, ""),
        ("heading", 3, "Annual leave"),
        ("paragraph", 0, "Full-time staff receive twenty-eight days of annual leave each year, including public "
                         "holidays."),
        ("paragraph", 0, "Unused days may be carried over until the end of March."),
        ("page_break", 0, ""),
        ("heading", 2, "Expenses"),
        ("paragraph", 0, "Travel costs are refunded within thirty days of a complete claim."),
    ]
    assert [block.page for block in extracted.blocks if block.kind == "page_break"] == [1, 2, 3]
    assert [block.page for block in extracted.blocks if block.kind == "heading"] == [1, 1, 2, 3]
    assert "ACME Corp" not in extracted.text and "Page 2 of 3" not in extracted.text


def test_a_pdf_titled_anonymous_is_titled_by_its_first_heading():
    assert extract("handbook.pdf", handbook_pdf_bytes()).title == "Employee handbook"


def test_a_single_page_pdf_keeps_its_only_line():
    extracted = extract("note.pdf", pdf_bytes(["Only line here"]))
    assert [(block.kind, block.text) for block in extracted.blocks] == [
        ("page_break", ""), ("paragraph", "Only line here"),
    ]


def test_a_word_document_keeps_headings_by_style_its_table_in_place_and_its_list():
    extracted = extract("policy.docx", policy_docx_bytes())
    assert [(block.kind, block.level) for block in extracted.blocks] == [
        ("heading", 1), ("paragraph", 0), ("heading", 2), ("table", 0), ("paragraph", 0),
        ("list_item", 0), ("list_item", 0),
    ]
    table = extracted.blocks[3]
    assert table.header and table.rows == [["City", "Daily allowance"], ["Paris", "95 EUR"], ["Berlin", "80 EUR"]]
    assert extracted.blocks[5].text == "Receipts for taxis"
    assert extracted.title == "Travel policy"  # "Microsoft Word - policy.docx" is a placeholder


def test_html_keeps_headings_lists_and_table_cells_apart_and_drops_scripts_styles_and_navigation():
    extracted = extract("sites.html", SITES_HTML)
    assert [(block.kind, block.text) for block in extracted.blocks if block.kind != "table"] == [
        ("heading", "Ancient sites"),
        ("paragraph", "The lighthouse stood on the island of Pharos."),
        ("heading", "Timeline"),
        ("list_item", "Built of limestone"),
        ("list_item", "Over 100 metres tall"),
    ]
    (table,) = [block for block in extracted.blocks if block.kind == "table"]
    assert table.header
    assert table.rows == [["Year", "Event"], ["280 BC", "Construction"], ["1480", "Fort built on the ruins"]]
    assert "280 BC | Construction" in extracted.text
    assert "Home" not in extracted.text and "track()" not in extracted.text and "color" not in extracted.text
    assert extracted.title == "Ancient sites"


def test_markdown_is_parsed_into_headings_a_table_code_and_a_numbered_list():
    extracted = extract("guide.md", GUIDE_MD)
    kinds = [(block.kind, block.level) for block in extracted.blocks]
    assert kinds == [
        ("heading", 1), ("paragraph", 0), ("heading", 2), ("table", 0), ("heading", 2), ("code", 0),
        ("list_item", 0), ("list_item", 0),
    ]
    assert extracted.blocks[1].text == "Run the installer twice, then check the log."
    assert extracted.blocks[3].rows == [["Month", "Revenue"], ["March", "280"], ["April", "310"]]
    assert extracted.blocks[5].text == 'def hello():\n    print("hi")'
    assert extracted.blocks[6].ordered and extracted.blocks[6].text == "Download"
    assert "**" not in extracted.text and "|---" not in extracted.text and "# " not in extracted.text


def test_a_csv_is_one_table_whose_header_row_is_detected():
    (table,) = extract("revenue.csv", REVENUE_CSV).blocks
    assert table.kind == "table" and table.header
    assert table.rows[0] == ["Month", "Revenue", "Region"] and table.rows[3] == ["March", "280", "South"]


def test_a_csv_starting_with_numbers_has_no_header_row():
    (table,) = extract("numbers.csv", "1,2\n3,4\n").blocks
    assert not table.header and table.rows == [["1", "2"], ["3", "4"]]


def test_plain_text_paragraphs_are_joined_across_hard_line_breaks_and_bullets_become_list_items():
    extracted = extract("notes.txt", "A wrapped\nparagraph.\n\n- first\n- second\n")
    assert [(block.kind, block.text) for block in extracted.blocks] == [
        ("paragraph", "A wrapped paragraph."), ("list_item", "first"), ("list_item", "second"),
    ]


@pytest.mark.parametrize(
    ("title", "placeholder"),
    [("(anonymous)", True), ("Untitled", True), ("Microsoft Word - Plan.docx", True), ("Document1", True),
     ("report.pdf", True), ("", True), ("Annual report 2025", False), ("Leave policy", False)],
)
def test_titles_written_by_tools_count_as_placeholders(title, placeholder):
    assert is_placeholder_title(title) is placeholder


def test_a_placeholder_title_without_headings_falls_back_to_the_file_name():
    assert extract("minutes.html", "<title>untitled</title><p>We met.</p>").title == "minutes"

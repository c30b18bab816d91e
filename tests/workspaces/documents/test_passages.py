"""Passages follow the structure: whole blocks, one heading path, pages; overlap only inside a long block."""

import io

from tests.workspaces.documents.sample_files import GUIDE_MD, handbook_pdf_bytes, words
from workspaces.documents.blocks import Block
from workspaces.documents.extraction import extract_text
from workspaces.documents.passages import split_passages


def test_pdf_passages_record_their_pages_and_heading_paths():
    blocks = extract_text(stream=io.BytesIO(handbook_pdf_bytes()), name="handbook.pdf").blocks
    passages = split_passages(blocks, size_words=200, overlap_words=40)
    assert [(p.heading_path_text, p.page_start, p.page_end) for p in passages] == [
        ("Employee handbook", 1, 1),
        ("Employee handbook › Leave", 1, 1),
        ("Employee handbook › Leave › Annual leave", 2, 2),
        ("Employee handbook › Expenses", 3, 3),
    ]
    assert passages[2].text.startswith("Full-time staff receive twenty-eight days")  # the heading is in the path
    assert [block.kind for block in passages[2].blocks] == ["page_break", "heading", "paragraph", "paragraph"]


def test_a_passage_holds_whole_paragraphs_and_repeats_nothing_of_the_one_before():
    blocks = [Block("paragraph", text=words(30, "a")), Block("paragraph", text=words(30, "b")),
              Block("paragraph", text=words(30, "c"))]
    passages = split_passages(blocks, size_words=70, overlap_words=20)
    assert [p.text for p in passages] == [f"{words(30, 'a')}\n\n{words(30, 'b')}", words(30, "c")]


def test_only_a_paragraph_longer_than_a_passage_is_cut_with_overlap_and_its_pieces_show_it_once():
    long_text = words(100)
    passages = split_passages([Block("paragraph", text="Intro."), Block("paragraph", text=long_text)],
                              size_words=40, overlap_words=10)
    assert passages[0].text == "Intro."
    pieces = passages[1:]
    assert pieces[1].text.startswith("word31 word32") and pieces[1].text.endswith("word70")
    shown = " ".join(block.text for passage in pieces for block in passage.blocks)
    assert shown == long_text  # the rendered blocks hold each word once


def test_a_table_longer_than_a_passage_is_split_by_rows_each_passage_carrying_the_header_row():
    rows = [["Month", "Revenue"]] + [[f"Month{n}", str(n * 10)] for n in range(1, 13)]
    passages = split_passages([Block("table", rows=rows, header=True)], size_words=10, overlap_words=2)
    assert len(passages) > 2
    assert all(p.text.startswith("Month | Revenue\n") for p in passages)
    assert "Month3 | 30" in " ".join(p.text for p in passages)
    shown_rows = [row for p in passages for block in p.blocks for row in block.rows]
    assert shown_rows == rows  # the page shows the header once and every row once


def test_a_heading_starts_a_new_passage_and_names_the_following_ones():
    blocks = extract_text(stream=io.BytesIO(GUIDE_MD.encode()), name="guide.md").blocks
    passages = split_passages(blocks, size_words=200, overlap_words=40)
    assert [p.heading_path for p in passages] == [
        ["Install guide"], ["Install guide", "Prices"], ["Install guide", "Script"],
    ]
    assert "March | 280" in passages[1].text


def test_no_blocks_means_no_passages():
    assert split_passages([], size_words=200, overlap_words=40) == []


def test_a_page_break_ends_a_passage_at_least_half_full_so_it_is_cited_by_one_page():
    blocks = [
        Block("page_break", page=1), Block("paragraph", text=words(60, "a"), page=1),
        Block("page_break", page=2), Block("paragraph", text=words(20, "b"), page=2),
        Block("page_break", page=3), Block("paragraph", text=words(20, "c"), page=3),
    ]
    passages = split_passages(blocks, size_words=100, overlap_words=0)
    assert [(p.page_start, p.page_end) for p in passages] == [(1, 1), (2, 3)]

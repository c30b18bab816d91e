"""The built-in answer: the best sentence first, relevant supporting quotes only, each cited once."""

import uuid

import pytest

from workspaces.chats.compose import INTRO, compose
from workspaces.retrieval.search import PassageHit


def hit(text, position=1, filename="doc.txt", passage_id=None, heading_path=""):
    return PassageHit(
        passage_id=passage_id or position, document_id=1, doc_id=uuid.uuid4(), filename=filename,
        position=position, text=text, rank=1.0, score=1.0, workspace_slug="w", heading_path=heading_path,
    )


WEIGHTS = {"leave": 2.0, "days": 1.0, "employees": 1.5}


def quotes(text):
    return [line for line in text.split("\n\n") if line.startswith("> ")]


def test_the_answer_quotes_the_best_sentence_first_and_leaves_unrelated_passages_out():
    hits = [
        hit("The office opens at eight. Employees have 25 days of annual leave per year. Coffee is free.", 1),
        hit("Bee larvae are fed royal jelly for three days.", 2),
        hit("On-call rota: Monday Alice, Tuesday Bob.", 3),
    ]
    text, cited = compose(hits=hits, weights=WEIGHTS)
    assert text.startswith(INTRO)
    assert quotes(text)[0] == "> Employees have 25 days of annual leave per year. [1]"
    assert "larvae" not in text and "rota" not in text
    assert cited == [hits[0]]


def test_a_supporting_quote_comes_from_another_relevant_passage_and_duplicates_are_dropped():
    same = "Employees have 25 days of annual leave per year."
    hits = [
        hit(f"Leave policy. {same}", 1),
        hit(f"{same}", 2, filename="copy.txt"),
        hit("Unused leave days of employees carry over to the next year, up to five days.", 3),
    ]
    text, cited = compose(hits=hits, weights=WEIGHTS)
    lines = quotes(text)
    assert lines[0] == f"> {same} [1]"
    assert lines[1].startswith("> Unused leave days") and lines[1].endswith("[2]")
    assert len(lines) == 2 and cited == [hits[0], hits[2]]


def test_a_sentence_cut_by_the_passage_window_is_not_quoted():
    passage = hit("days of leave are paid at half rate. Employees may take leave in half days. Leave requests go to")
    text, _ = compose(hits=[passage], weights=WEIGHTS)
    assert quotes(text) == ["> Employees may take leave in half days. [1]"]


def test_a_table_is_quoted_as_the_matching_row_with_its_header():
    table = "Team,Employees,Leave days\nSales,12,25\nSupport,8,30\nFinance,5,27"
    text, cited = compose(hits=[hit(table, filename="teams.csv")], weights={"support": 3.0, "leave": 1.0})
    assert quotes(text) == ["> Team: Support; Employees: 8; Leave days: 30 [1]"]
    assert "Sales" not in text


def test_a_markdown_table_row_keeps_its_header_and_drops_the_rule():
    table = "| Plan | Price |\n|---|---|\n| Basic | 5 EUR |\n| Premium | 12 EUR |"
    text, _ = compose(hits=[hit(table)], weights={"premium": 2.0, "price": 1.0})
    assert quotes(text) == ["> Plan: Premium; Price: 12 EUR [1]"]


def test_a_table_under_a_paragraph_is_still_quoted_by_row():
    passage = ("Expense reports are due on the fifth working day of the month.\n\n"
               "Item | Limit\nHotel | 150 EUR a night\nMeals | 40 EUR a day")
    text, _ = compose(hits=[hit(passage, filename="travel.md")], weights={"hotel": 3.0, "limit": 1.0})
    assert quotes(text) == ["> Item: Hotel; Limit: 150 EUR a night [1]"]


def test_a_two_row_table_block_is_a_table_and_an_empty_cell_is_left_out():
    text, _ = compose(hits=[hit("Plan | Price | Note\nPremium | 12 EUR | ")], weights={"premium": 2.0})
    assert quotes(text) == ["> Plan: Premium; Price: 12 EUR [1]"]


def test_a_code_block_beside_text_is_not_read_as_a_table():
    passage = ("Premium plans are billed by this query.\n\n"
               "SELECT plan, price\nFROM plans, prices\nWHERE plan IN ('premium', 'basic')")
    text, _ = compose(hits=[hit(passage)], weights={"premium": 2.0, "plans": 1.0})
    assert quotes(text)[0] == "> Premium plans are billed by this query. [1]"
    assert ";" not in text


def test_the_first_quote_comes_from_a_later_passage_when_the_first_ones_hold_no_question_word():
    hits = [hit("Plans renew every year.", 1), hit("", 2), hit("Plan | Price\n--- | ---", 3)]
    hits.append(hit("Premium costs 12 EUR a month.", 4))
    text, cited = compose(hits=hits, weights={"premium": 2.0})
    assert quotes(text) == ["> Premium costs 12 EUR a month. [1]"] and cited == [hits[3]]


def test_a_markdown_table_written_as_text_with_spaced_pipes_loses_its_outer_pipes():
    table = "| Plan | Price |\n| --- | --- |\n| Basic | 5 EUR |\n| Premium | 12 EUR |"
    text, _ = compose(hits=[hit(table)], weights={"premium": 2.0})
    assert quotes(text) == ["> Plan: Premium; Price: 12 EUR [1]"]


def test_a_relevant_passage_far_down_the_list_still_beats_irrelevant_ones():
    hits = [hit(f"Nothing about it here, part {n}.", n) for n in range(1, 23)]
    hits.append(hit("Premium costs 12 EUR a month.", 23))
    text, cited = compose(hits=hits, weights={"premium": 2.0})
    assert quotes(text) == ["> Premium costs 12 EUR a month. [1]"] and cited == [hits[22]]


def test_a_word_of_the_question_in_a_passages_heading_counts_for_its_sentences():
    hits = [
        hit("The office opens at eight and closes at six.", 1, heading_path="Handbook › Office"),
        hit("The office is closed between Christmas and New Year.", 2, heading_path="Handbook › Holidays"),
    ]
    weights = {"office": 0.5, "open": 1.0, "winter": 3.0, "holidays": 2.0}
    text, cited = compose(hits=hits, weights=weights)
    assert quotes(text)[0] == "> The office is closed between Christmas and New Year. [1]" and cited[0] == hits[1]


def test_no_passages_give_no_answer():
    assert compose(hits=[], weights=WEIGHTS) == ("", [])


@pytest.mark.parametrize(("text", "heading_path"), [
    ("Annual leave\n\nEvery employee has 25 days of annual leave per year. Requests go to HR.",
     "Handbook › Annual leave"),
    ("# Annual leave\nEvery employee has 25 days of annual leave per year.", ""),
    ("Annual Leave Policy\nEvery employee has 25 days of annual leave per year.", "Annual leave policy"),
    ("Every employee has 25 days of annual\nleave per year.", ""),
])
def test_the_answer_quotes_the_sentence_under_a_title_not_the_title(text, heading_path):
    """A title holds the question's words in few others: it would outscore the sentence that answers."""
    answer, _ = compose(hits=[hit(text, heading_path=heading_path)], weights={"days": 1.0, "annual": 1.5, "leave": 1.5})
    assert answer.split("\n\n")[1] == "> Every employee has 25 days of annual leave per year. [1]"


@pytest.mark.parametrize(("text", "quoted"), [
    ("Leave is approved by the\nLine Manager within five days.",
     "Leave is approved by the Line Manager within five days."),
    ("Employees get 25 days of\nAnnual Leave per calendar year.",
     "Employees get 25 days of Annual Leave per calendar year."),
    ("Annual leave is 25 days per year\nAsk HR for the leave form.",
     "Annual leave is 25 days per year Ask HR for the leave form."),
    ("- Employees get 25 days of annual leave\n\n- Part-time staff get leave pro rata\n\nRequests go to HR.",
     "- Employees get 25 days of annual leave"),
])
def test_a_short_line_that_is_not_a_heading_of_the_passage_is_text(text, quoted):
    """A line wrapped before a capital, a sentence without a full stop, list items: no titles (the
    passage's heading path says what its headings are)."""
    answer, _ = compose(hits=[hit(text, heading_path="Handbook › Leave")], weights={"annual": 1.5, "leave": 1.5})
    assert answer.split("\n\n")[1] == f"> {quoted} [1]"


def test_a_sentence_that_holds_the_question_words_outranks_a_short_one_under_their_heading():
    """A Markdown handbook's passage: its heading is in the heading path, not the text."""
    passage = hit("Every employee has 25 days of annual leave per year. Requests go to HR.",
                  heading_path="Handbook › Annual leave")
    answer, _ = compose(hits=[passage], weights={"days": 1.0, "annual": 1.5, "leave": 1.5})
    assert quotes(answer) == ["> Every employee has 25 days of annual leave per year. [1]"]


def test_a_passage_that_is_only_a_title_is_still_quoted():
    answer, _ = compose(hits=[hit("Annual leave", heading_path="Annual leave")], weights={"annual": 1.5, "leave": 1.5})
    assert answer.split("\n\n")[1] == "> Annual leave [1]"


def test_a_title_over_a_table_leaves_the_table_read_by_row():
    text, _ = compose(hits=[hit("Travel limits\nItem | Limit\nHotel | 150 EUR a night\nMeals | 40 EUR a day",
                                heading_path="Travel limits")],
                      weights={"hotel": 3.0, "limit": 1.0})
    assert quotes(text) == ["> Item: Hotel; Limit: 150 EUR a night [1]"]

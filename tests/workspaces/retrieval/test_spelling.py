import pytest

from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory, WorkspaceFactory
from workspaces.retrieval.spelling import correction_for, edit_distance

pytestmark = pytest.mark.django_db


def passage(workspace, text, *, filename="notes.txt", status="ready"):
    document = WorkspaceDocumentFactory(workspace=workspace, filename=filename, status=status)
    return DocumentPassageFactory(document=document, position=1, text=text)


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [("pasword", "password", 1), ("recieve", "receive", 1), ("polcy", "policy", 1), ("leave", "leave", 0),
     ("cat", "dog", 3)],
)
def test_edit_distance_counts_a_swap_of_neighbours_as_one(first, second, distance):
    assert edit_distance(first, second, 3) == distance


def test_a_word_no_passage_holds_gets_the_nearest_indexed_word(workspace):
    passage(workspace, "Reset your password from the account page; passwords expire yearly.")
    correction = correction_for(workspaces=[workspace], query="How do I reset my pasword?")
    assert correction.words == {"pasword": "password"}
    assert correction.query == "How do I reset my password?"


def test_the_suggestion_is_a_word_as_the_documents_spell_it_not_a_stem(workspace):
    passage(workspace, "The travel policy covers trains and flights.")
    assert correction_for(workspaces=[workspace], query="travel polcy").words == {"polcy": "policy"}


def test_known_words_and_words_with_nothing_near_get_no_suggestion(workspace):
    passage(workspace, "The travel policy covers trains and flights.")
    assert correction_for(workspaces=[workspace], query="travel policy") is None
    assert correction_for(workspaces=[workspace], query="xylophone") is None


def test_no_word_is_suggested_from_a_workspace_not_searched(workspace):
    passage(WorkspaceFactory(name="Secret"), "The merger with Acme closes in March.")
    passage(workspace, "Nothing to see here.")
    assert correction_for(workspaces=[workspace], query="mergr") is None


def test_a_document_not_ready_lends_no_word(workspace):
    passage(workspace, "The merger with Acme closes in March.", status="failed")
    assert correction_for(workspaces=[workspace], query="mergr") is None


def test_a_word_known_in_one_of_several_workspaces_is_not_corrected(workspace):
    other = WorkspaceFactory(name="Other")
    passage(other, "Quarterly invoices are due on Friday.")
    passage(workspace, "Invoicing happens monthly.")
    assert correction_for(workspaces=[workspace, other], query="quarterly") is None
    assert correction_for(workspaces=[workspace, other], query="quartrly").words == {"quartrly": "quarterly"}


def test_suggestions_come_without_pg_trgm_too(workspace, monkeypatch):
    """A PostgreSQL where the extension could not be created suggests from words of the same first
    letter (on SQLite, FTS5's vocabulary is always read that way)."""
    from django.db import connection

    from workspaces.retrieval import vocabulary

    monkeypatch.setattr(vocabulary, "_trigram_known", {connection.settings_dict["NAME"]: False})
    passage(workspace, "Reset your password from the account page.")
    assert correction_for(workspaces=[workspace], query="pasword").words == {"pasword": "password"}


def test_words_too_short_or_numbers_are_left_alone(workspace):
    passage(workspace, "Form 1040 is the tax form.")
    assert correction_for(workspaces=[workspace], query="fom 1041") is None


def test_a_wrong_first_letter_is_corrected_where_postgresql_has_pg_trgm(workspace):
    """PostgreSQL with pg_trgm (migration 0014) looks beyond the first letter when nothing of that
    letter is near; SQLite and a PostgreSQL without the extension only within it."""
    from django.db import connection

    from workspaces.retrieval.vocabulary import trigram_installed

    passage(workspace, "Reset your password from the account page.")
    anywhere = connection.vendor == "postgresql" and trigram_installed()
    correction = correction_for(workspaces=[workspace], query="assword")
    assert (correction.words if correction else None) == ({"assword": "password"} if anywhere else None)


def test_a_real_word_is_not_corrected_to_one_that_only_shares_its_stems_beginning(workspace):
    """Found as a new user: "What is the capital of Mongolia?" was answered for "cap" from a hotel's
    booking cap. Stems "capit" and "cap" are two edits apart; the words are four."""
    passage(workspace, "The hotel booking has a cap of 120 euros a night in Berlin.")
    assert correction_for(workspaces=[workspace], query="What is the capital of Mongolia?") is None


@pytest.mark.parametrize(("typed", "meant", "text"), [
    ("emploee", "employee", "Every employee has 25 days of annual leave."),
    ("reimbursd", "reimbursed", "Travel costs are reimbursed within a month."),
    ("salery", "salary", "The salary is paid on the last day of the month."),
])
def test_a_word_whose_stem_stems_again_is_still_suggested(workspace, typed, meant, text):
    """"employee" is indexed as "employe", which a second stemming would make "employ": the word
    offered is the one the documents hold, looked up by its indexed form as it is."""
    passage(workspace, text)
    assert correction_for(workspaces=[workspace], query=f"{typed} rules").words == {typed: meant}


def test_the_word_offered_is_the_form_near_the_typed_one_among_those_a_stem_holds(workspace):
    passage(workspace, "Employment starts on the first of the month.")
    passage(workspace, "Every employee has a contract.")
    assert correction_for(workspaces=[workspace], query="emploee").words == {"emploee": "employee"}


def test_a_word_held_only_by_a_heading_is_suggested_as_the_heading_spells_it(workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="handbook.txt", status="ready")
    DocumentPassageFactory(document=document, position=1, text="Twenty-five days a year.",
                           heading_path="Handbook › Employees’ holidays")
    assert correction_for(workspaces=[workspace], query="holidys").words == {"holidys": "holidays"}


def test_decomposed_accents_before_the_word_do_not_shift_which_word_is_offered(workspace):
    """Text extracted from PDFs often spells "résumé" as e + a combining accent: one word to FTS5."""
    passage(workspace, "Send your re\u0301sume\u0301 to every employee today.")
    assert correction_for(workspaces=[workspace], query="emploee").words == {"emploee": "employee"}

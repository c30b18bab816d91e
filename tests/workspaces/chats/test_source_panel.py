"""The source panel a citation chip opens: named as the sources list names it, tables as tables."""

import re

import pytest
from django.core.files.base import ContentFile

from tests.workspaces.chats.asking import ask, chat_url
from tests.workspaces.documents.sample_files import handbook_pdf_bytes, policy_docx_bytes
from workspaces.documents.services import document_ingest
from workspaces.models import WorkspaceChat

pytestmark = pytest.mark.django_db


def ingest(workspace, name, data):
    return document_ingest(workspace=workspace, uploaded_file=ContentFile(data, name=name), filename=name)


def panel(client, workspace, chat, number=1):
    return client.get(f"/w/{workspace.slug}/chat/{chat.pk}/sources/{number}/").content.decode()


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_panel_names_the_passage_exactly_as_the_sources_list_does(member_client, workspace):
    ingest(workspace, "handbook.pdf", handbook_pdf_bytes())
    ask(member_client, workspace, "How many days of annual leave do full-time staff receive?")
    chat = WorkspaceChat.objects.get()
    listed = member_client.get(chat_url(workspace)).content.decode()
    naming = '<span class="muted">, p. 2 · Annual leave</span>'
    assert naming in listed
    body = panel(member_client, workspace, chat)
    assert f"<strong>[1] handbook.pdf</strong>{naming}" in body
    assert "passage 3" not in body


def test_a_passage_without_page_or_heading_is_named_by_its_number_in_both(member_client, workspace):
    ingest(workspace, "notes.txt", b"The warranty covers water damage for three years after purchase.")
    ask(member_client, workspace, "How long does the warranty cover water damage?")
    chat = WorkspaceChat.objects.get()
    assert '<span class="muted">· passage 1</span>' in member_client.get(chat_url(workspace)).content.decode()
    assert '<strong>[1] notes.txt</strong> <span class="muted">· passage 1</span>' in panel(
        member_client, workspace, chat
    )


def test_a_cited_table_shows_as_a_table_in_the_panel(member_client, workspace):
    ingest(workspace, "policy.docx", policy_docx_bytes())
    ask(member_client, workspace, "What is the daily allowance in Paris?")
    chat = WorkspaceChat.objects.get()
    body = panel(member_client, workspace, chat)
    assert '<table class="doc-table">' in body
    assert '<th scope="col">City</th>' in body and "<td>Paris</td>" in body and "<td>95 EUR</td>" in body
    assert " | " not in text_of(body)


def test_a_deleted_documents_table_still_reads_as_a_table_from_the_quote(member_client, workspace):
    ingest(workspace, "policy.docx", policy_docx_bytes())
    ask(member_client, workspace, "What is the daily allowance in Paris?")
    chat = WorkspaceChat.objects.get()
    workspace.documents.all().delete()
    body = panel(member_client, workspace, chat)
    assert "<td>Paris</td>" in body and "has been deleted" in body

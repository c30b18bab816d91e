import pytest
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts.models import AuditAction, AuditEvent
from settings_app.services import setting_set
from tests.workspaces.documents.sample_files import (
    EXE_BYTES,
    docx_bytes,
    encrypted_pdf_bytes,
    pdf_bytes,
    stored_files,
    upload,
    words,
    zip_bytes,
)
from workspaces.documents import decoding, extraction
from workspaces.documents.services import (
    BATCH_TOO_LARGE,
    DUPLICATE_DOCUMENT,
    EMPTY_FILE,
    FILE_TOO_LARGE,
    MB,
    NO_FILES,
    TOO_MANY_FILES,
)
from workspaces.models import DocumentPassage, WorkspaceDocument

pytestmark = pytest.mark.django_db


def upload_url(workspace):
    return reverse("workspaces:upload", kwargs={"slug": workspace.slug})


def assert_nothing_kept():
    assert WorkspaceDocument.objects.count() == 0
    assert DocumentPassage.objects.count() == 0
    assert stored_files() == []


def test_manager_uploads_a_text_file_stored_under_a_generated_name(manager_client, workspace):
    response = manager_client.post(upload_url(workspace), {"documents": upload("notes.txt", words(450))})
    document = WorkspaceDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == document.get_absolute_url()
    assert document.workspace == workspace
    assert document.filename == "notes.txt"
    assert document.docpath == f"documents/{workspace.pk}/{document.doc_id}.txt"
    assert stored_files() == [document.docpath]
    assert document.metadata == {
        "title": "notes",
        "content_type": "text/plain",
        "size": len(words(450)),
        "sha256": document.metadata["sha256"],
        "word_count": 450,
        "page_count": None,
        "passage_count": 3,
        "uploaded_by": "max",
    }
    assert len(document.metadata["sha256"]) == 64
    # 200 words a passage, 40 repeated: passages start at words 1, 161 and 321.
    passages = list(document.passages.order_by("position"))
    assert [p.position for p in passages] == [1, 2, 3]
    assert passages[0].text.split()[0] == "word1" and passages[0].text.split()[-1] == "word200"
    assert passages[1].text.split()[0] == "word161"
    assert passages[2].text.split()[-1] == "word450"
    assert AuditEvent.objects.filter(action=AuditAction.UPLOAD, username="max").exists()


def test_passage_size_and_overlap_come_from_the_system_settings(admin_client, workspace):
    setting_set(label="passage_size_words", value=50)
    setting_set(label="passage_overlap_words", value=0)
    admin_client.post(upload_url(workspace), {"documents": upload("notes.md", words(120))})
    assert WorkspaceDocument.objects.get().passages.count() == 3


@pytest.mark.parametrize(
    ("name", "data", "content_type", "title", "found_text", "page_count"),
    [
        ("report.pdf", pdf_bytes(["Revenue grew in spring", "Costs fell in autumn"], title="Annual report"),
         "application/pdf", "Annual report", "Costs fell in autumn", 2),
        ("memo.docx", docx_bytes(["The board met on Tuesday.", "It approved the plan."], title="Board memo"),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Board memo",
         "It approved the plan.", None),
        ("guide.md", "# Install guide\n\nRun the installer twice.", "text/markdown", "Install guide",
         "Run the installer twice.", None),
        ("prices.csv", "item,price\napple,3\npear,4\n", "text/csv", "prices", "pear | 4", None),
        ("page.html", "<html><head><title>Welcome page</title><style>p{}</style></head>"
                      "<body><h1>Hello</h1><p>Opening hours are 9 to 5.</p><script>var x;</script></body></html>",
         "text/html", "Welcome page", "Opening hours are 9 to 5.", None),
        ("bom.txt", "\ufeffA note saved by Notepad.".encode(), "text/plain", "bom", "A note saved by Notepad.", None),
    ],
)
def test_each_supported_type_is_read_into_passages(
    admin_client, workspace, name, data, content_type, title, found_text, page_count
):
    response = admin_client.post(upload_url(workspace), {"documents": upload(name, data)})
    assert response.status_code == 302
    document = WorkspaceDocument.objects.get()
    assert document.metadata["content_type"] == content_type
    assert document.metadata["title"] == title
    assert document.metadata["page_count"] == page_count
    text = " ".join(document.passages.values_list("text", flat=True))
    assert found_text in text
    assert "var x" not in text and "p{}" not in text and "\ufeff" not in text


def test_several_files_upload_at_once(manager_client, workspace):
    response = manager_client.post(
        upload_url(workspace),
        {"documents": [upload("one.txt", "First file."), upload("two.md", "Second file.")]},
    )
    assert response.status_code == 302
    assert response["Location"] == workspace.get_absolute_url()
    assert sorted(WorkspaceDocument.objects.values_list("filename", flat=True)) == ["one.txt", "two.md"]
    assert len(stored_files()) == 2


def test_a_viewer_may_not_upload_and_an_editor_may(member_client, user, workspace):
    assert member_client.get(upload_url(workspace)).status_code == 403
    assert member_client.post(upload_url(workspace), {"documents": upload("a.txt", "Some text")}).status_code == 403
    assert_nothing_kept()
    user.memberships.update(role="editor")
    assert member_client.get(upload_url(workspace)).status_code == 200
    assert member_client.post(upload_url(workspace), {"documents": upload("a.txt", "Some text")}).status_code == 302
    document = WorkspaceDocument.objects.get()
    assert document.metadata["uploaded_by"] == "mia" and document.uploaded_by == user


def test_upload_page_states_the_limits(manager_client, workspace):
    setting_set(label="max_upload_mb", value=7)
    body = manager_client.get(upload_url(workspace)).content.decode()
    assert "up to 20 files and 7 MB in total" in body
    assert 'enctype="multipart/form-data"' in body and "multiple" in body


REFUSED_UPLOADS = [
    pytest.param("setup.exe", EXE_BYTES, extraction.UNSUPPORTED_TYPE, {}, id="unknown-type"),
    pytest.param("no-extension", b"Plain words", extraction.UNSUPPORTED_TYPE, {}, id="no-extension"),
    pytest.param("empty.txt", b"", EMPTY_FILE, {}, id="empty"),
]
# Found by the ingestion task, which reads the content: kept as a failed document with the reason.
FAILED_UPLOADS = [
    pytest.param("virus.pdf", EXE_BYTES, decoding.CONTENT_MISMATCH, {"kind": "PDF"}, id="exe-renamed-pdf"),
    pytest.param("blank.txt", b" \n\t\n", extraction.NO_TEXT, {}, id="only-whitespace"),
    pytest.param("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", decoding.PDF_CORRUPT, {}, id="corrupt-pdf"),
    pytest.param("locked.pdf", encrypted_pdf_bytes(), decoding.PDF_ENCRYPTED, {}, id="encrypted-pdf"),
    pytest.param("scan.pdf", pdf_bytes([""]), extraction.NO_TEXT, {}, id="pdf-without-text"),
    pytest.param("letter.docx", b"Just some text, not a zip", decoding.CONTENT_MISMATCH, {"kind": "Word"},
                 id="docx-not-a-zip"),
    pytest.param("archive.docx", zip_bytes({"readme.txt": b"hi"}), decoding.CONTENT_MISMATCH, {"kind": "Word"},
                 id="zip-without-word-document"),
    pytest.param("damaged.docx", zip_bytes({"[Content_Types].xml": b"<bad", "word/document.xml": b"<w:document"}),
                 decoding.DOCX_CORRUPT, {}, id="docx-with-broken-xml"),
    pytest.param("legacy.txt", "Caf\u00e9 cr\u00e8me".encode("latin-1"), decoding.NOT_UTF8, {}, id="not-utf8"),
    pytest.param("tricky.txt", b"text\x00with a NUL", decoding.BINARY_TEXT, {}, id="nul-bytes"),
    pytest.param("real.txt", pdf_bytes(["Hello"]), decoding.CONTENT_MISMATCH, {"kind": "text"},
                 id="pdf-renamed-txt"),
]


@pytest.mark.parametrize(("name", "data", "message", "params"), REFUSED_UPLOADS)
def test_a_bad_upload_gets_a_clear_message_a_400_and_leaves_nothing_behind(
    admin_client, workspace, name, data, message, params
):
    response = admin_client.post(upload_url(workspace), {"documents": upload(name, data)})
    assert response.status_code == 400
    assert message.format(name=name, **params) in response.content.decode()
    assert_nothing_kept()


@pytest.mark.parametrize(("name", "data", "message", "params"), FAILED_UPLOADS)
def test_a_broken_file_becomes_a_failed_document_whose_page_says_why(
    admin_client, workspace, name, data, message, params
):
    response = admin_client.post(upload_url(workspace), {"documents": upload(name, data)})
    assert response.status_code == 302
    document = WorkspaceDocument.objects.get()
    assert document.status == "failed"
    assert document.status_reason == message.format(name=name, **params)
    assert not DocumentPassage.objects.exists()
    page = admin_client.get(document.get_absolute_url()).content.decode()
    assert escape(document.status_reason) in page
    assert reverse("workspaces:document_retry", args=[workspace.slug, document.doc_id]) in page
    assert reverse("workspaces:document_delete", args=[workspace.slug, document.doc_id]) in page


def test_a_file_over_the_size_limit_is_refused(admin_client, workspace):
    setting_set(label="max_upload_mb", value=1)
    response = admin_client.post(upload_url(workspace), {"documents": upload("big.txt", b"a" * (MB + 1))})
    assert response.status_code == 400
    assert FILE_TOO_LARGE.format(name="big.txt", limit=1) in response.content.decode()
    assert_nothing_kept()


def test_files_that_together_pass_the_limit_are_refused(admin_client, workspace):
    setting_set(label="max_upload_mb", value=1)
    files = [upload("a.txt", b"a " * (MB // 4)), upload("b.txt", b"b " * (MB // 4 + 10_000))]
    response = admin_client.post(upload_url(workspace), {"documents": files})
    assert response.status_code == 400
    assert BATCH_TOO_LARGE.format(size="1.0\xa0MB", limit=1) in response.content.decode()
    assert_nothing_kept()


def test_an_oversized_body_is_refused_with_413_before_it_is_read(admin_client, workspace, monkeypatch):
    setting_set(label="max_upload_mb", value=1)

    def parse_must_not_run(self):
        raise AssertionError("the upload body was parsed")

    monkeypatch.setattr(MultiPartParser, "parse", parse_must_not_run)
    response = admin_client.post(
        upload_url(workspace), {"documents": upload("a.txt", "small")}, CONTENT_LENGTH=str(2 * MB)
    )
    assert response.status_code == 413
    assert "That upload is too large" in response.content.decode()
    assert "at most 1 MB in total" in response.content.decode()
    assert_nothing_kept()


def test_upload_still_checks_the_csrf_token(manager_user, workspace):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    refused = client.post(upload_url(workspace), {"documents": upload("a.txt", "Some text")})
    assert refused.status_code == 403
    assert_nothing_kept()
    token = client.get(upload_url(workspace)).context["csrf_token"]
    accepted = client.post(
        upload_url(workspace), {"documents": upload("a.txt", "Some text"), "csrfmiddlewaretoken": str(token)}
    )
    assert accepted.status_code == 302


def test_a_file_already_in_the_workspace_is_refused_as_a_duplicate(admin_client, workspace):
    admin_client.post(upload_url(workspace), {"documents": upload("first.txt", "Same words")})
    response = admin_client.post(upload_url(workspace), {"documents": upload("second.txt", "Same words")})
    assert response.status_code == 400
    assert DUPLICATE_DOCUMENT.format(name="second.txt", existing="first.txt") in response.content.decode()
    assert WorkspaceDocument.objects.count() == 1
    assert len(stored_files()) == 1


def test_the_same_file_may_be_in_two_workspaces(admin_client, workspace, other_user):
    elsewhere = other_user.workspaces.get()
    admin_client.post(upload_url(workspace), {"documents": upload("a.txt", "Same words")})
    assert admin_client.post(upload_url(elsewhere), {"documents": upload("a.txt", "Same words")}).status_code == 302
    assert WorkspaceDocument.objects.count() == 2


def test_one_refused_file_does_not_stop_the_others(admin_client, workspace):
    files = [upload("good.txt", "Useful words"), upload("bad.exe", EXE_BYTES), upload("fine.md", "# More")]
    response = admin_client.post(upload_url(workspace), {"documents": files})
    body = response.content.decode()
    assert response.status_code == 400
    assert extraction.UNSUPPORTED_TYPE.format(name="bad.exe") in body
    assert "Added “good.txt”, “fine.md”: processing in the background." in body
    assert sorted(WorkspaceDocument.objects.values_list("filename", flat=True)) == ["fine.md", "good.txt"]
    assert len(stored_files()) == 2


def test_no_file_and_too_many_files_are_form_errors(admin_client, workspace):
    response = admin_client.post(upload_url(workspace), {})
    assert response.status_code == 400 and NO_FILES in response.content.decode()
    files = [upload(f"f{n}.txt", f"File number {n}") for n in range(21)]
    response = admin_client.post(upload_url(workspace), {"documents": files})
    assert response.status_code == 400 and TOO_MANY_FILES in response.content.decode()
    assert_nothing_kept()


def multipart_body(filename: bytes, data: bytes, boundary: bytes = b"docentboundary") -> bytes:
    return (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="documents"; filename="' + filename + b'"\r\n'
        b"Content-Type: text/plain\r\n\r\n" + data + b"\r\n--" + boundary + b"--\r\n"
    )


@pytest.mark.parametrize(
    ("raw_name", "kept_name"),
    [
        (b"../../../etc/passwd.txt", "passwd.txt"),
        (b"..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        (b"evil\x00name.txt", "evilname.txt"),
        (b"a" * 300 + b".txt", "a" * 251 + ".txt"),
    ],
)
def test_hostile_file_names_are_harmless(admin_client, workspace, raw_name, kept_name, tmp_path):
    response = admin_client.generic(
        "POST", upload_url(workspace), multipart_body(raw_name, b"Ordinary words."),
        content_type="multipart/form-data; boundary=docentboundary",
    )
    assert response.status_code == 302
    document = WorkspaceDocument.objects.get()
    assert document.filename == kept_name
    assert stored_files() == [f"documents/{workspace.pk}/{document.doc_id}.txt"]
    assert not (tmp_path / "etc").exists()

import pytest

from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory
from tests.workspaces.chats.asking import ANSWER_SENTENCE


@pytest.fixture
def manual(workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="manual.pdf")
    DocumentPassageFactory(
        document=document, position=1, text="Unpack the device and charge it fully before the first use."
    )
    DocumentPassageFactory(
        document=document,
        position=2,
        text=f"Keep the receipt. {ANSWER_SENTENCE} Accidental drops are not covered.",
    )
    return document

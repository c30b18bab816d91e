import pytest
from django.test import Client

from tests.factories import DocumentPassageFactory, WorkspaceDocumentFactory, make_api_key


class ApiClient:
    """A Django test client that sends one API key with every request."""

    def __init__(self, secret: str):
        self.client = Client()
        self.secret = secret

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.secret}", **(headers or {})}

    def get(self, path, data=None, headers=None):
        return self.client.get(path, data, headers=self._headers(headers))

    def post(self, path, data=None, headers=None, content_type="application/json", **extra):
        return self.client.post(path, data, content_type=content_type, headers=self._headers(headers), **extra)

    def upload(self, path, files, headers=None):
        return self.client.post(path, {"files": files}, headers=self._headers(headers))

    def delete(self, path, headers=None):
        return self.client.delete(path, headers=self._headers(headers))


@pytest.fixture
def api_as():
    """`api_as(user, scopes=..., workspaces=...)`: an ApiClient with a new key of `user`."""

    def make(user, **key_fields):
        key, secret = make_api_key(user, **key_fields)
        api = ApiClient(secret)
        api.key = key
        return api

    return make


@pytest.fixture
def handbook(workspace):
    document = WorkspaceDocumentFactory(workspace=workspace, filename="handbook.pdf")
    DocumentPassageFactory(
        document=document, position=1, text="Annual leave is twenty-five days a year, booked with your manager.",
        heading_path="Time off › Annual leave", page_start=3, page_end=3,
    )
    DocumentPassageFactory(document=document, position=2, text="Expenses are paid monthly.", heading_path="Money")
    return document

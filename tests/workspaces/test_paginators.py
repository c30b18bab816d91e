"""OneQueryPaginator gives the pages Django's paginator gives, counting with the page's own query."""

import pytest
from django.core.paginator import Paginator

from tests.factories import ChatThreadFactory
from workspaces.chats.models import ChatThread
from workspaces.paginators import OneQueryPaginator

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [0, 1, 7, 10, 23])
@pytest.mark.parametrize("number", [None, "", "1", "2", "3", "99", "0", "-1", "x", "2.0", 2])
def test_every_page_asked_for_is_the_one_djangos_paginator_gives(workspace, user, rows, number):
    for index in range(rows):
        ChatThreadFactory(workspace=workspace, user=user, title=f"thread {index:02d}")
    listed = ChatThread.objects.listed_for(user=user, workspace=workspace)
    expected = Paginator(listed, 10).get_page(number)
    page = OneQueryPaginator(listed, 10).get_page(number)
    assert page.number == expected.number and page.paginator.count == expected.paginator.count == rows
    assert [thread.pk for thread in page] == [thread.pk for thread in expected]
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())


def test_a_page_with_rows_costs_one_query(workspace, user, django_assert_num_queries):
    """The count comes with the rows (COUNT(*) OVER ()), not from a COUNT query of its own."""
    for index in range(15):
        ChatThreadFactory(workspace=workspace, user=user, title=f"thread {index:02d}")
    listed = ChatThread.objects.listed_for(user=user, workspace=workspace)
    with django_assert_num_queries(1):
        page = OneQueryPaginator(listed, 10).get_page("2")
        assert page.paginator.count == 15 and len(page.object_list) == 5

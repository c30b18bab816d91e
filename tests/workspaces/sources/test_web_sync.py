"""Web sources against an intranet served by a local HTTP server: a site section walked by
links and its sitemap, robots.txt obeyed, main content kept, pages that change or vanish
between syncs, and redirects to private and metadata addresses refused."""

import pytest
from django.utils import timezone

from tests.intranet_server import Redirect, intranet_fixture, page  # noqa: F401  (the fixture `intranet`)
from tests.task_worker import DATABASE_TASKS, run_worker
from workspaces.models import WorkspaceDocument, WorkspaceSource
from workspaces.retrieval.search import search_passages
from workspaces.sources.models import SyncOutcome
from workspaces.sources.services import source_create, source_sync_request
from workspaces.sources.sync import sources_enqueue_due

pytestmark = pytest.mark.django_db


def words(topic, n=30):
    return " ".join(f"The {topic} rule number {i} is written down here for every colleague." for i in range(n))


@pytest.fixture
def handbook(intranet, settings):
    """The intranet's handbook section; the test allows its host (127.0.0.1) and nothing else."""
    settings.SOURCE_ALLOWED_HOSTS = ["127.0.0.1"]
    root = intranet.root
    links = [
        ("/handbook/leave.html", "Leave"), ("/handbook/travel", "Travel"), ("/handbook/private/salaries.html", "Pay"),
        ("/news/today.html", "News"), ("/handbook/metadata.html", "Cloud"), ("/handbook/office.html", "Office"),
        ("/handbook/forms/expenses.md", "Expenses form"),
    ]
    intranet.pages.update({
        "/robots.txt": f"User-agent: *\nDisallow: /handbook/private/\nSitemap: {root}/sitemap.xml\n",
        "/sitemap.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{root}/handbook/archive/2019.html</loc></url><url><loc>{root}/news/old.html</loc></url>"
            "</urlset>"
        ),
        "/handbook/": page("Handbook", words("welcome"), links=links),
        "/handbook/leave.html": page("Annual leave", words("vacation")),
        "/handbook/travel": page("Travel", words("train")),
        "/handbook/archive/2019.html": page("Archive 2019", words("archive")),
        "/handbook/private/salaries.html": page("Salaries", words("salary")),
        "/handbook/forms/expenses.md": "# Expenses\n\n" + words("receipt"),
        "/news/today.html": page("News", words("newsflash")),
        "/news/old.html": page("Old news", words("newsflash")),
        # The two tricks: an intranet page sending Docent on to the cloud's metadata service and a private host.
        "/handbook/metadata.html": Redirect("http://169.254.169.254/latest/meta-data/iam/"),
        "/handbook/office.html": Redirect("http://10.1.2.3/admin"),
    })
    return f"{root}/handbook/"


def add_site(owner, workspace, location, **fields):
    settings = {"name": "Handbook", "kind": "site", "on_removal": "keep", "max_pages": 50, "max_depth": 2,
                "interval_minutes": 60, **fields}
    source = source_create(actor=owner, workspace=workspace, location=location, **settings)
    source.refresh_from_db()
    return source


def origins(workspace):
    return {doc.metadata["origin"]["url"]: doc for doc in WorkspaceDocument.objects.filter(workspace=workspace)}


@pytest.mark.slow  # a dozen pages, each read in its own extraction process
def test_a_site_section_is_read_by_its_links_and_sitemap_within_its_path_and_robots_txt(
    owner, workspace, intranet, handbook
):
    source = add_site(owner, workspace, handbook)
    root = intranet.root
    assert set(origins(workspace)) == {
        f"{root}/handbook/", f"{root}/handbook/leave.html", f"{root}/handbook/travel",
        f"{root}/handbook/archive/2019.html", f"{root}/handbook/forms/expenses.md",
    }
    assert "/handbook/private/salaries.html" not in intranet.requested  # robots.txt said no
    assert not {"/news/today.html", "/news/old.html"} & set(intranet.requested)  # outside the section
    assert (source.last_added, source.last_changed, source.last_removed) == (5, 0, 0)
    # Both redirects were refused, before any connection to the address they named.
    assert source.last_failed == 2 and source.last_outcome == SyncOutcome.PARTIAL
    failures = {error["item"]: error["message"] for error in source.last_errors}
    assert "169.254.169.254 is not a public address" in failures[f"{root}/handbook/metadata.html"]
    assert "10.1.2.3 is not a public address" in failures[f"{root}/handbook/office.html"]
    # The page's main content is what is read: the menu and footer are not.
    assert search_passages(workspace=workspace, query="vacation")
    assert search_passages(workspace=workspace, query="receipt")
    assert not search_passages(workspace=workspace, query="canteen")
    leave = origins(workspace)[f"{root}/handbook/leave.html"]
    assert leave.metadata["title"] == "Annual leave"


@pytest.mark.slow  # a dozen pages, each read in its own extraction process
def test_a_page_that_changes_or_vanishes_between_syncs_is_read_again_or_marked(owner, workspace, intranet, handbook):
    source = add_site(owner, workspace, handbook)
    root = intranet.root
    leave = origins(workspace)[f"{root}/handbook/leave.html"]
    intranet.pages["/handbook/leave.html"] = page("Annual leave", words("sabbatical"))
    del intranet.pages["/handbook/travel"]  # a link to it remains: it answers 404
    source_sync_request(actor=owner, source=source)
    source.refresh_from_db()
    assert (source.last_added, source.last_changed, source.last_removed, source.last_failed) == (0, 1, 1, 2)
    assert origins(workspace)[f"{root}/handbook/leave.html"].pk == leave.pk
    assert search_passages(workspace=workspace, query="sabbatical")
    assert not search_passages(workspace=workspace, query="vacation")
    travel = origins(workspace)[f"{root}/handbook/travel"]
    assert travel.metadata["removed_upstream_at"]


def test_with_the_remove_choice_a_page_gone_from_the_section_is_removed(owner, workspace, intranet, handbook):
    source = add_site(owner, workspace, handbook, on_removal="remove")
    root = intranet.root
    intranet.pages["/sitemap.xml"] = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    source_sync_request(actor=owner, source=source)
    source.refresh_from_db()
    assert source.last_removed == 1
    assert f"{root}/handbook/archive/2019.html" not in origins(workspace)
    assert not search_passages(workspace=workspace, query="archive")


def test_the_page_cap_bounds_a_walk_and_a_capped_walk_removes_nothing(owner, workspace, intranet, handbook):
    source = add_site(owner, workspace, handbook, max_pages=2, on_removal="remove")
    assert source.last_added == 2 and len(origins(workspace)) == 2
    source.max_pages = 1
    source.save()
    source_sync_request(actor=owner, source=source)
    source.refresh_from_db()
    assert source.last_removed == 0 and len(origins(workspace)) == 2


def test_the_depth_cap_stops_following_links(owner, workspace, intranet, handbook):
    add_site(owner, workspace, handbook, max_depth=0)
    root = intranet.root
    assert set(origins(workspace)) == {f"{root}/handbook/", f"{root}/handbook/archive/2019.html"}  # start, sitemap
    assert "/handbook/leave.html" not in intranet.requested


def test_one_web_page_is_read_alone(owner, workspace, intranet, handbook):
    source = add_site(owner, workspace, f"{intranet.root}/handbook/leave.html", kind="page")
    assert source.last_added == 1 and source.last_failed == 0
    assert set(origins(workspace)) == {f"{intranet.root}/handbook/leave.html"}
    assert "/handbook/travel" not in intranet.requested


def test_a_single_page_that_is_gone_says_so_and_its_document_is_marked(owner, workspace, intranet, handbook):
    address = f"{intranet.root}/handbook/leave.html"
    source = add_site(owner, workspace, address, kind="page")
    del intranet.pages["/handbook/leave.html"]
    source_sync_request(actor=owner, source=source)
    source.refresh_from_db()
    assert source.last_removed == 1
    assert source.last_errors == [{"item": address, "message": "it answered 404 Not Found"}]
    assert origins(workspace)[address].metadata["removed_upstream_at"]


@pytest.mark.slow  # a dozen pages, each read in its own extraction process
def test_a_worker_syncs_a_site_section_on_schedule(owner, workspace, intranet, handbook, settings):
    """On the database task backend, as `make run`'s worker runs it: the sweep queues the due
    source, the worker syncs it and reads its pages."""
    settings.TASKS = DATABASE_TASKS
    source = add_site(owner, workspace, handbook)
    run_worker()
    intranet.pages["/handbook/leave.html"] = page("Annual leave", words("sabbatical"))
    WorkspaceSource.objects.filter(pk=source.pk).update(next_sync_at=timezone.now())
    assert sources_enqueue_due() == 1
    run_worker()
    source.refresh_from_db()
    assert (source.last_added, source.last_changed, source.last_removed) == (0, 1, 0)
    assert search_passages(workspace=workspace, query="sabbatical")


def test_a_section_whose_first_page_redirects_elsewhere_says_so(owner, workspace, intranet, handbook):
    intranet.pages["/handbook/"] = Redirect(f"{intranet.root}/login?next=/handbook/")
    intranet.pages["/login"] = page("Sign in", words("password"))
    intranet.pages["/sitemap.xml"] = '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
    source = add_site(owner, workspace, handbook)
    assert (source.last_added, source.last_failed) == (0, 1)
    sign_in = f"{intranet.root}/login?next=/handbook/"
    assert source.last_errors[0]["message"] == f"it sent Docent outside the section, to {sign_in}"
    assert not WorkspaceDocument.objects.exists()

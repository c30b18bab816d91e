"""Single sign-on in a browser, against an OpenID Connect provider no one here wrote
(oidc-provider-mock from PyPI, in its own process): the button, the provider's page, the return
with the role and workspaces the groups give; new groups at the next sign-in; a suspended person
refused."""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.e2e.conftest import screenshot
from tests.factories import AdminFactory, GroupRoleFactory, GroupWorkspaceFactory, WorkspaceFactory
from tests.oidc_server import PROVIDER_LABEL, oidc_provider, provider_settings, set_claims


@pytest.fixture
def issuer(settings):
    with oidc_provider() as url:
        settings.SOCIALACCOUNT_PROVIDERS = provider_settings(url)
        yield url


def sign_in_at_provider(page, subject, picture=None):
    page.goto("/login/")
    if picture:
        screenshot(page, picture)
    page.get_by_role("button", name=f"Sign in with {PROVIDER_LABEL}").click()
    page.get_by_placeholder("sub").fill(subject)  # the provider's own page
    page.get_by_role("button", name="Authorize").click()


def test_signing_in_with_the_provider_brings_the_groups_role_and_workspaces(new_page, issuer):
    AdminFactory(username="root")
    research, legal = WorkspaceFactory(name="Research"), WorkspaceFactory(name="Legal")
    GroupWorkspaceFactory(group="researchers", workspace=research, role="editor")
    GroupWorkspaceFactory(group="lawyers", workspace=legal, role="viewer")
    GroupRoleFactory(group="docent-managers", role="manager")
    set_claims(issuer, "kim-1", email="kim@acme.test", email_verified=True, preferred_username="kim",
               groups=["researchers"])

    page = new_page()
    sign_in_at_provider(page, "kim-1", picture="sso-sign-in")
    expect(page.get_by_role("link", name="Research")).to_be_visible()
    expect(page.get_by_role("link", name="Legal")).to_have_count(0)
    page.goto("/account/")
    expect(page.locator("dd", has_text="Member")).to_be_visible()
    expect(page.locator("li", has_text="Research")).to_contain_text("editor")

    # The provider now puts Kim in other groups: the next sign-in follows them.
    set_claims(issuer, "kim-1", email="kim@acme.test", email_verified=True, preferred_username="kim",
               groups=["lawyers", "docent-managers"])
    page.get_by_role("button", name="Sign out").click()
    sign_in_at_provider(page, "kim-1")
    expect(page.get_by_role("link", name="Legal")).to_be_visible()
    page.goto("/account/")
    expect(page.locator("dd", has_text="Manager")).to_be_visible()
    expect(page.locator("li", has_text="Legal")).to_contain_text("viewer")
    expect(page.locator("li", has_text="Research")).not_to_contain_text("editor")
    screenshot(page, "sso-account")


def test_a_suspended_person_is_refused_and_a_stranger_is_told_why(new_page, issuer):
    AdminFactory(username="root")
    User.objects.create_user("sam", None, email="sam@acme.test", suspended=True)
    set_claims(issuer, "sam-1", email="sam@acme.test", email_verified=True)
    page = new_page(width=390, height=800)
    sign_in_at_provider(page, "sam-1")
    expect(page.get_by_role("alert")).to_contain_text("suspended")
    page.goto("/")
    expect(page).to_have_url(f"{page.url.split('/login/')[0]}/login/?next=/")

    set_claims(issuer, "stranger", email="x@elsewhere.org", email_verified=True, groups=["marketing"])
    sign_in_at_provider(page, "stranger")
    expect(page.get_by_role("alert")).to_contain_text("no account for you")
    screenshot(page, "sso-refused")

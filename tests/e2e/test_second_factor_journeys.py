"""Two-factor in a browser: an admin sets up an authenticator app from the key on the page, keeps
the recovery codes, and from then on signs in with a password and a code."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import DEFAULT_PASSWORD, AdminFactory


def code_now(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_an_admin_sets_up_an_authenticator_and_then_signs_in_with_a_code(new_page):
    AdminFactory(username="root")
    page = new_page(width=390, height=900)
    sign_in(page, "root", DEFAULT_PASSWORD)
    page.goto("/account/")
    page.get_by_role("link", name="Set up or change").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    screenshot(page, "two-factor-setup")
    secret = page.locator(".totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(code_now(secret))
    page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Turn two-factor on").click()
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_text("Recovery codes left: 10")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "root", DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", name="Your second factor")).to_be_visible()
    screenshot(page, "two-factor-sign-in")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".field-error")).to_contain_text("That code is not right")
    page.get_by_label("Code").fill(code_now(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

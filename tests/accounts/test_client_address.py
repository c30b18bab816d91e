"""The client address behind lockouts, throttles and the audit trail: X-Forwarded-For is
believed only from the proxies listed in TRUSTED_PROXY_IPS (issue 22, must-have 6)."""

import ipaddress
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from accounts.audit import client_ip
from accounts.checks import PROXY_COUNT_WITHOUT_IPS, PROXY_IPS_WITHOUT_COUNT, proxy_settings_check
from accounts.models import AuditAction, AuditEvent
from accounts.signin import LOCKED_OUT
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED_TEXT = LOCKED_OUT.split("%")[0]
DIRECT = "198.51.100.20"
PROXY = "10.0.0.5"


def networks(*entries):
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def address_of(forwarded_for: str, remote: str) -> str | None:
    return client_ip(RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR=remote))


def forty_wrong_passwords_with_rotating_forwarded_for(client, remote: str):
    for n in range(40):
        client.post("/login/", {"username": "mia", "password": f"wrong-guess-{n}"},
                    HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}", REMOTE_ADDR=remote)


@pytest.mark.parametrize("proxies", [[], networks("10.0.0.0/8")], ids=["no proxy listed", "another proxy listed"])
def test_forty_wrong_passwords_from_one_direct_address_with_rotating_forwarded_for_are_locked_out(
    client, settings, proxies
):
    """The attack: TRUSTED_PROXY_COUNT=1 and gunicorn reachable directly; each guess claims
    another address. The guesses come from one REMOTE_ADDR, so that address is locked."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = proxies
    UserFactory(username="mia")
    forty_wrong_passwords_with_rotating_forwarded_for(client, DIRECT)
    failed = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert failed.count() == settings.LOGIN_FAILURE_LIMIT
    assert set(failed.values_list("ip_address", flat=True)) == {DIRECT}
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_IN_LOCKED).count() == 40 - settings.LOGIN_FAILURE_LIMIT
    right = client.post("/login/", {"username": "mia", "password": DEFAULT_PASSWORD},
                        HTTP_X_FORWARDED_FOR="192.0.2.77", REMOTE_ADDR=DIRECT)
    assert LOCKED_TEXT in right.content.decode()


def test_from_a_listed_proxy_the_forwarded_address_is_the_client(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = networks("10.0.0.0/24")
    UserFactory(username="mia")
    forty_wrong_passwords_with_rotating_forwarded_for(client, PROXY)
    failed = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert failed.count() == 40  # forty clients behind the proxy, one guess each: no pair reaches the limit
    assert failed.filter(ip_address="203.0.113.40").count() == 1
    assert not failed.filter(ip_address=PROXY).exists()


def test_without_listed_proxies_x_forwarded_for_is_ignored_whatever_the_count(settings):
    settings.TRUSTED_PROXY_IPS = []
    settings.TRUSTED_PROXY_COUNT = 2
    assert address_of("203.0.113.9, 192.0.2.1", DIRECT) == DIRECT


def test_a_listed_proxy_network_and_the_count_pick_the_entry_the_proxies_appended(settings):
    settings.TRUSTED_PROXY_IPS = networks("10.0.0.0/8", "2001:db8::/32")
    settings.TRUSTED_PROXY_COUNT = 2
    assert address_of("6.6.6.6, 203.0.113.9, 10.1.1.1", PROXY) == "203.0.113.9"
    assert address_of("6.6.6.6, 2001:db8:1::9, 10.1.1.1", "2001:db8::1") == "2001:db8:1::9"
    assert address_of("6.6.6.6, 203.0.113.9, 10.1.1.1", DIRECT) == DIRECT


def test_an_ipv4_proxy_seen_as_an_ipv6_mapped_address_is_still_listed(settings):
    settings.TRUSTED_PROXY_IPS = networks(PROXY)
    settings.TRUSTED_PROXY_COUNT = 1
    assert address_of("203.0.113.9", f"::ffff:{PROXY}") == "203.0.113.9"


@pytest.mark.parametrize("forwarded_for", ["", "not-an-address", "203.0.113.9:4711"])
def test_a_missing_or_malformed_forwarded_address_from_a_proxy_counts_as_the_proxy(settings, forwarded_for):
    settings.TRUSTED_PROXY_IPS = networks(PROXY)
    settings.TRUSTED_PROXY_COUNT = 1
    assert address_of(forwarded_for, PROXY) == PROXY


def test_the_count_without_listed_proxies_is_a_system_check_warning(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = []
    assert [warning.msg for warning in proxy_settings_check()] == [PROXY_COUNT_WITHOUT_IPS]
    settings.TRUSTED_PROXY_IPS = networks(PROXY)
    assert proxy_settings_check() == []
    settings.TRUSTED_PROXY_COUNT = 0
    assert [warning.msg for warning in proxy_settings_check()] == [PROXY_IPS_WITHOUT_COUNT]


def test_manage_py_check_shows_the_warning(settings, capsys):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = []
    call_command("check")
    assert PROXY_COUNT_WITHOUT_IPS in capsys.readouterr().err


@pytest.mark.slow
def test_a_proxy_entry_that_is_not_an_address_stops_the_start():
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings",
                   "TRUSTED_PROXY_IPS": "10.0.0.1,proxy.lan"}
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], capture_output=True, text=True, env=environment,
    )
    assert started.returncode != 0 and "'proxy.lan' does not appear to be an IPv4 or IPv6 network" in started.stderr

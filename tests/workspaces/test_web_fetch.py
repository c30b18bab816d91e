"""The web sources' fetch client: the SSRF guard on every connection and redirect, the caps."""

import ipaddress
import socket

import pytest

from tests.intranet_server import Redirect, intranet_fixture, page  # noqa: F401  (the fixture `intranet`)
from workspaces.outgoing import Failure, OutgoingError
from workspaces.web_fetch import address_refusal, is_public, page_fetch


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.100.100.200",
    "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1",  # noqa: S104
    "::ffff:169.254.169.254", "::",
    # IPv6 that carries a private IPv4 address to a gateway: NAT64, 6to4, IPv4-compatible
    "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1", "::127.0.0.1", "2002:0a01:0203::1",
])
def test_loopback_private_link_local_metadata_and_other_non_global_addresses_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_global_unicast_addresses_are_public(address):
    assert is_public(ipaddress.ip_address(address))


@pytest.fixture
def resolver(monkeypatch):
    """Host names of the test's own choosing and the DNS answers they get (counted per name)."""
    answers, asked = {}, []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            asked.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in answers[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, asked


def test_a_page_on_a_private_address_is_refused_before_anything_is_sent(intranet, settings):
    settings.SOURCE_ALLOWED_HOSTS = []
    intranet.pages["/"] = page("Home", "Hello.")
    for url in (f"{intranet.root}/", f"http://localhost:{intranet.server.server_address[1]}/"):
        with pytest.raises(OutgoingError) as refused:
            page_fetch(url)
        assert refused.value.failure == Failure.BLOCKED
        assert "is not a public address (127.0.0.1)" in refused.value.message
    assert intranet.requested == []


def test_the_operator_allows_a_host_by_name_address_or_network(intranet, settings, resolver):
    answers, _ = resolver
    answers["intranet.test"] = ["127.0.0.1"]
    port = intranet.server.server_address[1]
    intranet.pages["/"] = page("Home", "Hello.")
    for allowed, url in ((["127.0.0.1"], f"{intranet.root}/"), (["127.0.0.0/8"], f"{intranet.root}/"),
                         (["intranet.test"], f"http://intranet.test:{port}/")):
        settings.SOURCE_ALLOWED_HOSTS = allowed
        assert b"Hello." in page_fetch(url).body
    settings.SOURCE_ALLOWED_HOSTS = ["other.test"]
    with pytest.raises(OutgoingError):
        page_fetch(f"http://intranet.test:{port}/")


def test_the_connection_goes_to_the_address_that_was_checked_after_one_lookup(intranet, settings, resolver):
    """No second DNS lookup between the check and the connection (a rebinding DNS server would
    answer it differently): the socket connects to the checked answer; the request names the host."""
    answers, asked = resolver
    answers["intranet.test"] = ["127.0.0.1"]
    settings.SOURCE_ALLOWED_HOSTS = ["intranet.test"]
    port = intranet.server.server_address[1]
    intranet.pages["/"] = page("Home", "Hello.")
    assert page_fetch(f"http://intranet.test:{port}/").url == f"http://intranet.test:{port}/"
    assert asked == ["intranet.test"]
    assert intranet.hosts == [f"intranet.test:{port}"]


def test_a_dns_answer_holding_any_private_address_is_refused(intranet, settings, resolver):
    answers, _ = resolver
    answers["mixed.test"] = ["93.184.216.34", "127.0.0.1"]
    answers["meta.test"] = ["169.254.169.254"]
    settings.SOURCE_ALLOWED_HOSTS = []
    for host in ("mixed.test", "meta.test"):
        with pytest.raises(OutgoingError) as refused:
            page_fetch(f"http://{host}:{intranet.server.server_address[1]}/")
        assert refused.value.failure == Failure.BLOCKED


@pytest.mark.parametrize("target", [
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/", "http://[::1]:{port}/",
    "http://metadata.test/computeMetadata/v1/",
])
def test_every_redirect_is_checked_again(intranet, settings, resolver, target):
    answers, _ = resolver
    answers["metadata.test"] = ["169.254.169.254"]
    settings.SOURCE_ALLOWED_HOSTS = ["127.0.0.1"]  # the intranet itself (and any name answering 127.0.0.1)
    port = intranet.server.server_address[1]
    intranet.pages["/go"] = Redirect(target.format(port=port))
    with pytest.raises(OutgoingError) as refused:
        page_fetch(f"{intranet.root}/go")
    assert refused.value.failure == Failure.BLOCKED
    assert intranet.requested == ["/go"]


def test_a_page_larger_than_the_cap_is_refused(intranet, settings):
    settings.SOURCE_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SOURCE_PAGE_MAX_BYTES = 10_000
    intranet.pages["/big.html"] = page("Big", "x" * 20_000)
    with pytest.raises(OutgoingError) as refused:
        page_fetch(f"{intranet.root}/big.html")
    assert refused.value.failure == Failure.TOO_LARGE


def test_the_form_refuses_addresses_the_fetch_would_refuse(settings):
    settings.SOURCE_ALLOWED_HOSTS = []
    assert "not a public address" in address_refusal("http://127.0.0.1/handbook/")
    assert "not a public address" in address_refusal("http://169.254.169.254/")
    for wrong in ("ftp://example.com/", "http://user:secret@example.com/", "handbook", "http:///"):
        assert address_refusal(wrong), wrong

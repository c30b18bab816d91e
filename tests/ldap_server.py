"""An LDAP directory for tests: Debian's OpenLDAP `slapd`, started unprivileged in a temporary
folder on a free port of 127.0.0.1, with a few people and groupOfNames groups.

Docent talks to it over LDAP exactly as to a company's directory; django-auth-ldap and
python-ldap are not mocked. `apt-get install slapd` provides it (.ci/run installs it when missing).
"""

import contextlib
import shutil
import subprocess
import time
from pathlib import Path

import ldap
import ldap.modlist

from tests.ports import free_port

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SCHEMAS = Path("/etc/ldap/schema")
MODULES = Path("/usr/lib/ldap")
BASE = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{BASE}"
ROOT_PASSWORD = "directory-secret"  # noqa: S105 - a throwaway test directory
PEOPLE = f"ou=people,{BASE}"
GROUPS = f"ou=groups,{BASE}"

CONFIG = """\
include {schemas}/core.schema
include {schemas}/cosine.schema
include {schemas}/inetorgperson.schema
include {schemas}/nis.schema
pidfile {folder}/slapd.pid
modulepath {modules}
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{base}"
rootdn "{root_dn}"
rootpw {root_password}
directory {folder}/data
"""


@contextlib.contextmanager
def ldap_directory(folder: Path):
    """Start slapd with its configuration and data in `folder`; yield its URI."""
    (folder / "data").mkdir(parents=True)
    config = folder / "slapd.conf"
    config.write_text(CONFIG.format(schemas=SCHEMAS, folder=folder, modules=MODULES, base=BASE, root_dn=ROOT_DN,
                                    root_password=ROOT_PASSWORD))
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen(  # noqa: S603 - a fixed command
        [SLAPD, "-f", str(config), "-h", f"{uri}/", "-d", "0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = _bind(uri)
            break
        except ldap.SERVER_DOWN:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"slapd did not start: {process.stderr.read().decode()[-500:]}") from None
            time.sleep(0.1)
    for dn, attrs in (
        (BASE, {"objectClass": [b"dcObject", b"organization"], "dc": [b"example"], "o": [b"Example"]}),
        (PEOPLE, {"objectClass": [b"organizationalUnit"], "ou": [b"people"]}),
        (GROUPS, {"objectClass": [b"organizationalUnit"], "ou": [b"groups"]}),
    ):
        connection.add_s(dn, ldap.modlist.addModlist(attrs))
    connection.unbind_s()
    try:
        yield uri
    finally:
        process.terminate()
        process.wait(timeout=10)


def _bind(uri: str):
    connection = ldap.initialize(uri)
    connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
    return connection


def add_person(uri: str, uid: str, password: str, mail: str = "") -> str:
    dn = f"uid={uid},{PEOPLE}"
    attrs = {"objectClass": [b"inetOrgPerson"], "uid": [uid.encode()], "cn": [uid.encode()], "sn": [uid.encode()],
             "userPassword": [password.encode()]}
    if mail:
        attrs["mail"] = [mail.encode()]
    connection = _bind(uri)
    connection.add_s(dn, ldap.modlist.addModlist(attrs))
    connection.unbind_s()
    return dn


def set_group(uri: str, name: str, member_dns: list[str]) -> None:
    """Create or replace the groupOfNames `name` with these members."""
    dn = f"cn={name},{GROUPS}"
    connection = _bind(uri)
    with contextlib.suppress(ldap.NO_SUCH_OBJECT):
        connection.delete_s(dn)
    members = [member.encode() for member in member_dns] or [ROOT_DN.encode()]  # groupOfNames needs one
    connection.add_s(dn, ldap.modlist.addModlist({"objectClass": [b"groupOfNames"], "cn": [name.encode()],
                                                  "member": members}))
    connection.unbind_s()


def ldap_settings(uri: str) -> dict:
    """The AUTH_LDAP_* settings config/settings.py builds from LDAP_* variables."""
    from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

    return {
        "LDAP_SERVER_URI": uri, "AUTH_LDAP_SERVER_URI": uri, "AUTH_LDAP_BIND_DN": ROOT_DN,
        "AUTH_LDAP_BIND_PASSWORD": ROOT_PASSWORD,
        "AUTH_LDAP_USER_SEARCH": LDAPSearch(PEOPLE, ldap.SCOPE_SUBTREE, "(uid=%(user)s)"),
        "AUTH_LDAP_GROUP_SEARCH": LDAPSearch(GROUPS, ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)"),
        "AUTH_LDAP_GROUP_TYPE": GroupOfNamesType(name_attr="cn"),
        "AUTH_LDAP_USER_ATTR_MAP": {"email": "mail"}, "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
    }

"""django-auth-ldap's backend as Docent uses it: it finds and binds the user and reads their
groups, and never creates an account itself (accounts.directory decides, by accounts.sso's rules).
Imported only when LDAP_SERVER_URI is set: python-ldap is an optional package (requirements-ldap.txt)."""

from django_auth_ldap.backend import LDAPBackend
from ldap import LDAPError  # noqa: F401  (accounts.directory catches it)

from accounts.models import User


class UnknownToDocent(Exception):
    """The directory vouched for someone Docent has no account for."""

    def __init__(self, ldap_user):
        super().__init__(ldap_user.dn)
        self.ldap_user = ldap_user


class DirectoryBackend(LDAPBackend):
    def get_or_build_user(self, username, ldap_user):
        user = User.objects.filter(username=username.strip().lower()).first()
        if user is None:
            raise UnknownToDocent(ldap_user)
        return user, False

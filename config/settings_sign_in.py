"""Settings of single sign-on (OpenID Connect through django-allauth, LDAP) and two-factor,
read by config/settings.py from the same environment (its .env already loaded)."""

import environ

env = environ.Env()

# SINGLE SIGN-ON AND TWO-FACTOR (accounts/sso.py, accounts/ldap.py, accounts/second_factor.py)
# ------------------------------------------------------------------------------
# Local passwords sign in through Docent's own page (lockout, audit); OpenID Connect providers
# through django-allauth's `openid_connect` provider. Each provider is named in OIDC_PROVIDERS
# and described by OIDC_<NAME>_ISSUER, _CLIENT_ID, _SECRET and _LABEL (the button's text), e.g.
# OIDC_PROVIDERS=keycloak with OIDC_KEYCLOAK_ISSUER=https://id.example.com/realms/staff.
# One backend keeps sessions: whoever vouched for a person (a password, a provider, the directory),
# the session holds a Docent account.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
OIDC_PROVIDERS = env.list("OIDC_PROVIDERS", default=[])
# The claim that lists a person's groups (Keycloak, Authentik: groups; Entra ID: groups or roles).
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="groups")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [
            {
                "provider_id": name.lower(),
                "name": env(f"OIDC_{name.upper()}_LABEL", default=name.title()),
                "client_id": env(f"OIDC_{name.upper()}_CLIENT_ID"),
                "secret": env(f"OIDC_{name.upper()}_SECRET", default=""),
                "settings": {
                    "server_url": env(f"OIDC_{name.upper()}_ISSUER"),
                    "scope": env.list(f"OIDC_{name.upper()}_SCOPES", default=["openid", "profile", "email"]),
                },
            }
            for name in OIDC_PROVIDERS
        ],
    }
}
ACCOUNT_ADAPTER = "accounts.sso_adapters.DocentAccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.sso_adapters.DocentSocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # the sign-in page's buttons post (CSRF); a GET asks first
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "oidc"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("MFA_TOTP_ISSUER", default="Docent")
MFA_TOTP_TOLERANCE = 1  # a code of the 30 s before or after is accepted too (a phone's clock drifts)
# LDAP (django-auth-ldap): a password that is not a local one is tried against the directory when
# LDAP_SERVER_URI is set. Users are found under LDAP_USER_SEARCH_BASE with LDAP_USER_FILTER, their
# groups (groupOfNames) under LDAP_GROUP_SEARCH_BASE; the group mapping is the one OIDC uses.
LDAP_SERVER_URI = env("LDAP_SERVER_URI", default="")
if LDAP_SERVER_URI:
    try:
        import ldap
        from django_auth_ldap.config import GroupOfNamesType, LDAPSearch
    except ImportError as missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set but the LDAP packages are not installed: "
            "apt-get install gcc libldap-dev libsasl2-dev python3-dev, then "
            ".venv/bin/pip install -r requirements-ldap.txt"
        ) from missing

    AUTH_LDAP_SERVER_URI = LDAP_SERVER_URI
    AUTH_LDAP_BIND_DN = env("LDAP_BIND_DN", default="")
    AUTH_LDAP_BIND_PASSWORD = env("LDAP_BIND_PASSWORD", default="")
    AUTH_LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        env("LDAP_USER_SEARCH_BASE"), ldap.SCOPE_SUBTREE, env("LDAP_USER_FILTER", default="(uid=%(user)s)")
    )
    AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        env("LDAP_GROUP_SEARCH_BASE", default=env("LDAP_USER_SEARCH_BASE")), ldap.SCOPE_SUBTREE,
        "(objectClass=groupOfNames)",
    )
    AUTH_LDAP_GROUP_TYPE = GroupOfNamesType(name_attr="cn")
    AUTH_LDAP_REQUIRE_GROUP = env("LDAP_REQUIRE_GROUP", default=None)
    AUTH_LDAP_USER_ATTR_MAP = {"email": "mail"}
    AUTH_LDAP_ALWAYS_UPDATE_USER = True
    AUTH_LDAP_MIRROR_GROUPS = False
    AUTH_LDAP_CONNECTION_OPTIONS = {ldap.OPT_NETWORK_TIMEOUT: 5, ldap.OPT_TIMEOUT: 10}

"""System checks of a safe configuration, and the refusals of production to start.

=========  =====================================================================  ==============
id         problem                                                                runs
=========  =====================================================================  ==============
cms.E001   CONTACT_ENCRYPTION_KEY does not work as a Fernet key (every opinion   every check;
           with a contact would fail with HTTP 500)                              production start
cms.E002   WAGTAILADMIN_BASE_URL or PUBLIC_BASE_URL is not the public https://  ``--deploy``;
           address of the site                                                   production start
cms.E003   a demo account of ``seed_demo`` still has the published password     ``--deploy``;
                                                                                 gunicorn start
cms.E004   the database connection is a superuser, or owns the database, the    ``--deploy``;
           schema or a table (it could rewrite or empty the audit trail)         every process
                                                                                 in production
cms.E005   DATABASE_ROLE=owner for the web server (only migrations use it)       gunicorn start
=========  =====================================================================  ==============

Production (``REFUSE_UNSAFE_START`` in cms/config/settings/production.py) refuses to start:
``CmsConfig.ready`` raises on E001 and E002 in every process; cms/config/wsgi.py runs every
deploy check with the database before gunicorn serves (E003, E004 and Django's own); and the
first database connection of every process (task worker, commands) is checked for E004, except
with ``DATABASE_ROLE=owner`` (migrations). docs/deployment.md explains each.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104 - a name


def contact_key_problems() -> list[checks.CheckMessage]:
    """Encrypt and decrypt a probe exactly as the opinion form does (feedback.privacy.crypto)."""
    from feedback.privacy.crypto import get_fernet

    try:
        fernet = get_fernet()
        ok = fernet.decrypt(fernet.encrypt(b"probe")) == b"probe"
    except Exception as exc:  # noqa: BLE001 - any failure here is the same configuration error
        reason = str(exc) or exc.__class__.__name__
        ok = False
    else:
        reason = "the round trip failed"
    if ok:
        return []
    return [
        checks.Error(
            f"CONTACT_ENCRYPTION_KEY does not work ({reason}): every opinion that leaves a "
            "contact for the reply would fail.",
            hint="Set it to a Fernet key (urlsafe base64 of 32 bytes; several keys separated "
            "by commas for rotation): python manage.py contact_key prints a new one.",
            id="cms.E001",
        )
    ]


def base_url_problems() -> list[checks.CheckMessage]:
    problems = []
    for name in ("WAGTAILADMIN_BASE_URL", "PUBLIC_BASE_URL"):
        value = getattr(settings, name, "") or ""
        url = urlsplit(value)
        if url.scheme != "https" or not url.hostname or url.hostname.lower() in LOCAL_HOSTS:
            problems.append(
                checks.Error(
                    f"{name} must be set to the public https:// address of the site "
                    f"(it is {value or 'not set'}): links in e-mails, notifications and the "
                    "admin are built from it.",
                    hint=f"For example {name}=https://consult.example.gov.cn",
                    id="cms.E002",
                )
            )
    return problems


def demo_account_problems() -> list[checks.CheckMessage]:
    """Accounts named like seed_demo's that still accept the published demo password."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password

    from cms.demo_content import DEMO_PASSWORD, USERS

    names = [spec[0] for spec in USERS]
    user_model = get_user_model()
    try:
        rows = list(
            user_model._default_manager.filter(
                **{f"{user_model.USERNAME_FIELD}__in": names}, is_active=True
            ).values_list(user_model.USERNAME_FIELD, "password")
        )
    except DatabaseError:  # no tables yet (before the first migrate)
        return []
    # check_password without a user: never re-hashes, never writes.
    found = sorted(name for name, hashed in rows if check_password(DEMO_PASSWORD, hashed))
    if not found:
        return []
    return [
        checks.Error(
            f"Demo accounts with the published password are present: {', '.join(found)}. "
            "Anyone could sign in to the admin with them.",
            hint="Delete them (or give each a new password: python manage.py changepassword "
            "<name>). Never run seed_demo in production.",
            id="cms.E003",
        )
    ]


ROLE_QUERY = """
SELECT r.rolsuper,
       pg_has_role(current_user, d.datdba, 'MEMBER'),
       pg_has_role(current_user, n.nspowner, 'MEMBER'),
       (SELECT count(*) FROM pg_class c
         WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
           AND pg_has_role(current_user, c.relowner, 'MEMBER')),
       current_user
  FROM pg_roles r, pg_database d, pg_namespace n
 WHERE r.rolname = current_user AND d.datname = current_database()
   AND n.nspname = coalesce(current_schema(), 'public')
"""


def database_role_problems(alias: str = DEFAULT_DB_ALIAS) -> list[checks.CheckMessage]:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(ROLE_QUERY)
        row = cursor.fetchone()
    if row is None:
        return []
    superuser, owns_database, owns_schema, owned, user = row
    reasons = []
    if superuser:
        reasons.append("is a superuser")
    elif owns_database:
        reasons.append("owns the database")
    if owns_schema:
        reasons.append("owns the schema")
    if owned:
        reasons.append(f"owns {owned} tables or sequences")
    if not reasons:
        return []
    return [
        checks.Error(
            f"The site connects to the database as {user}, which {', '.join(reasons)}: it could "
            "rewrite or empty the audit trail and drop tables.",
            hint="Connect the site (DATABASE_URL) as an application role that owns nothing and "
            "is no superuser, and run migrations as the owner (DATABASE_ROLE=owner with "
            "DATABASE_MIGRATE_URL): docs/deployment.md, 'Database roles'.",
            id="cms.E004",
        )
    ]


def _silenced(problems: list[checks.CheckMessage]) -> list[checks.CheckMessage]:
    silenced = set(getattr(settings, "SILENCED_SYSTEM_CHECKS", []))
    return [p for p in problems if p.id not in silenced]


@checks.register(checks.Tags.security)
def check_contact_key(app_configs=None, **kwargs):
    return contact_key_problems()


@checks.register(checks.Tags.security, deploy=True)
def check_base_urls(app_configs=None, **kwargs):
    return base_url_problems()


@checks.register(checks.Tags.security, checks.Tags.database, deploy=True)
def check_demo_accounts(app_configs=None, databases=None, **kwargs):
    if not databases or DEFAULT_DB_ALIAS not in databases:
        return []
    return demo_account_problems()


@checks.register(checks.Tags.security, checks.Tags.database, deploy=True)
def check_database_role(app_configs=None, databases=None, **kwargs):
    if not databases or DEFAULT_DB_ALIAS not in databases:
        return []
    if getattr(settings, "DATABASE_ROLE", "app") == "owner":
        return []  # the migrations' connection: the owner on purpose
    return database_role_problems()


def _raise(problems: list[checks.CheckMessage], what: str) -> None:
    if problems:
        lines = [f"{p.id}: {p.msg}" + (f" {p.hint}" if p.hint else "") for p in problems]
        raise ImproperlyConfigured(f"{what}:\n" + "\n".join(lines))


def refuse_unsafe_start() -> None:
    """Production, every process (from CmsConfig.ready): no start with a contact key that does
    not work or without the site's public https addresses."""
    if not getattr(settings, "REFUSE_UNSAFE_START", False):
        return
    _raise(_silenced(contact_key_problems() + base_url_problems()), "Unsafe configuration")


def refuse_unsafe_database(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver in production: the first connection of each process to
    the default database must not be a superuser's or an owner's (cms.E004)."""
    if connection.alias != DEFAULT_DB_ALIAS or getattr(connection, "_tingjian_role_checked", 0):
        return
    if getattr(settings, "DATABASE_ROLE", "app") == "owner":
        return
    problems = _silenced(database_role_problems(connection.alias))
    if problems:
        connection.close()  # or the next query would use it unchecked
        _raise(problems, "Unsafe database connection")
    connection._tingjian_role_checked = 1


def refuse_to_serve() -> None:
    """cms/config/wsgi.py, production: every deploy check with the database, before serving."""
    from django.core.checks.registry import registry

    if getattr(settings, "DATABASE_ROLE", "app") == "owner":
        raise ImproperlyConfigured(
            "cms.E005: DATABASE_ROLE=owner is for migrations only; the web server connects as "
            "the application role (unset DATABASE_ROLE)."
        )
    messages = registry.run_checks(include_deployment_checks=True, databases=[DEFAULT_DB_ALIAS])
    errors = [m for m in messages if m.is_serious() and not m.is_silenced()]
    _raise(errors, "The site refuses to serve with these problems")

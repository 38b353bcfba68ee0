"""Fill an empty development database with the fictional city of 示例市 (cms/demo_content/).

Consultations are published through the real path (``save_revision().publish()``), so the
rules of each kind are checked exactly as for an official; extensions and later stages go
through the consultation services, so the public change log shows them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model

from cms import demo_content
from cms.demo_content import activity
from cms.staff_auth.demo import ensure_demo_device
from consultations.models import (
    Alternative,
    Attachment,
    ChangeLogEntry,
    Consultation,
    Department,
    District,
    DraftClause,
    Question,
    StaffProfile,
)
from feedback.audit.checkpoints import take_checkpoint

Document = get_document_model()
OPENING_HOUR = time(9, 0)
RESPONSE_AFTER_DAYS = 18


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.CONSULTATION_TIME_ZONE)


def opening_time(now: datetime, days: int) -> datetime:
    """09:00 local time ``days`` days from today (negative: in the past)."""
    day = timezone.localtime(now, local_zone()).date() + timedelta(days=days)
    return datetime.combine(day, OPENING_HOUR, tzinfo=local_zone())


def seed_departments() -> dict[str, Department]:
    departments = {}
    for spec in demo_content.DEPARTMENTS:
        values = {k: v for k, v in spec.items() if k != "slug"}
        departments[spec["slug"]], _created = Department.objects.update_or_create(
            slug=spec["slug"], defaults=values
        )
    return departments


def seed_districts() -> dict[str, District]:
    districts: dict[str, District] = {}
    for code, name, name_en, level, parent in demo_content.DISTRICTS:
        districts[code], _created = District.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "level": level,
                "parent": districts.get(parent) if parent else None,
            },
        )
    return districts


def seed_users(departments: dict[str, Department]) -> dict[str, object]:
    """One account per role; the password is the shared dev-only demo password."""
    user_model = get_user_model()
    users = {}
    # One hash for the one shared password: hashing it per account took seconds of the seed.
    password = make_password(demo_content.DEMO_PASSWORD)
    for username, roles, department, superuser, display in demo_content.USERS:
        user, _created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@shili.example.gov.cn"}
        )
        user.first_name = display
        user.is_staff = True
        user.is_superuser = superuser
        user.password = password
        user.save()
        for role in roles:
            group, _created = Group.objects.get_or_create(name=role)
            user.groups.add(group)
        StaffProfile.objects.update_or_create(
            user=user, defaults={"department": departments.get(department)}
        )
        if settings.DEBUG:
            # The second factor without a phone: `make otp USER=<name>` prints the code.
            ensure_demo_device(user)
        users[username] = user
    return users


def closing_time(spec: dict, opens_at: datetime) -> datetime:
    """The spec's period counted as the law counts it, never below the kind's floor unless the
    spec states a reason for shortening (then the rules check the reason instead)."""
    from consultations.periods import CALENDAR, close_after
    from consultations.rules import earliest_close

    closes_at = close_after(opens_at, days=spec["period_days"], unit=CALENDAR)
    if spec["fields"].get("shortened_reason"):
        return closes_at
    floor = earliest_close(
        kind=spec["kind"],
        opens_at=opens_at,
        affects_businesses=spec["fields"].get("affects_businesses", False),
    )
    return max(closes_at, floor)


def attachment_row(spec: dict, *, sort_order: int, department: Department) -> Attachment:
    """A small text document stored as a Wagtail document, so the demo shows attachments.

    In the department's collection, under a random stored name (consultations/documents.py)."""
    document = Document(title=spec["title"])
    if department.document_collection_id:
        document.collection_id = department.document_collection_id
    document.file = ContentFile(spec["content"].encode(), name=spec["filename"])
    document.save()
    return Attachment(
        document=document,
        title=spec["title"],
        title_en=spec["title_en"],
        type=spec["type"],
        sort_order=sort_order,
    )


def build_consultation(
    spec: dict,
    *,
    departments: dict[str, Department],
    districts: dict[str, District],
    now: datetime,
) -> Consultation:
    """An unpublished consultation with its draft clauses, alternatives and questions."""
    opens_at = opening_time(now, spec["opens_in_days"])
    closes_at = closing_time(spec, opens_at)
    consultation = Consultation(
        slug=spec["slug"],
        kind=spec["kind"],
        department=departments[spec["department"]],
        opens_at=opens_at,
        closes_at=closes_at,
        live=False,
        **spec["fields"],
    )
    for order, (heading, heading_en, text, text_en) in enumerate(spec["clauses"]):
        consultation.draft_clauses.add(
            DraftClause(
                heading=heading, heading_en=heading_en, text=text, text_en=text_en, sort_order=order
            )
        )
    for order, alternative in enumerate(spec["alternatives"]):
        consultation.alternatives.add(Alternative(sort_order=order, **alternative))
    for order, attachment in enumerate(spec.get("attachments", [])):
        consultation.attachments.add(
            attachment_row(attachment, sort_order=order, department=consultation.department)
        )
    for order, question in enumerate(spec["questions"]):
        row = Question(sort_order=order, **question)
        row.clean()
        consultation.questions.add(row)
    consultation.districts.set([districts[code] for code in spec["districts"]])
    consultation.save()
    return consultation


def publish(consultation: Consultation, user) -> Consultation:
    """The same path as an approver's publish in the admin, so the kind's rules run."""
    revision = consultation.save_revision(user=user, log_action=True)
    revision.publish(user=user, skip_permission_checks=True)
    consultation.refresh_from_db()
    return consultation


def backdate_history(consultation: Consultation) -> None:
    """Demo history that matches the dates: a consultation that opened weeks ago was published
    the day before it opened, and its response some days after it closed."""
    now = timezone.now()
    published = consultation.opens_at - timedelta(days=1)
    if published < now:
        Consultation.objects.filter(pk=consultation.pk).update(
            first_published_at=published, last_published_at=published
        )
        consultation.draft_versions.update(created_at=published)
        consultation.change_log.filter(type=ChangeLogEntry.Type.PUBLISHED).update(
            created_at=published
        )
    answered = consultation.closes_at + timedelta(days=RESPONSE_AFTER_DAYS)
    if answered < now:
        consultation.change_log.filter(type=ChangeLogEntry.Type.STAGE).update(created_at=answered)


def seed_consultation(
    spec: dict,
    *,
    departments: dict[str, Department],
    districts: dict[str, District],
    users: dict[str, object] | None = None,
    now: datetime | None = None,
) -> Consultation:
    """Build, publish and (where the spec says so) extend or advance one demo consultation."""
    from consultations import services

    now = now or timezone.now()
    users = users or {}
    publisher = users.get(spec.get("publisher") or "admin")
    consultation = build_consultation(spec, departments=departments, districts=districts, now=now)
    consultation = publish(consultation, publisher)
    if spec.get("extend_days"):
        services.consultation_extend(
            consultation=consultation,
            closes_at=consultation.closes_at + timedelta(days=spec["extend_days"]),
            reason=spec["extend_reason"],
            user=publisher,
        )
    if spec.get("stage"):
        services.consultation_set_stage(
            consultation=consultation, stage=spec["stage"], user=publisher
        )
    backdate_history(consultation)
    consultation.refresh_from_db()
    return consultation


def ensure_site() -> None:
    from cms.site_setup import ensure_site_tree

    ensure_site_tree()


class Command(BaseCommand):
    help = (
        "Create demo departments, districts, staff accounts and consultations (development only)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any consultation already exists.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even when DEBUG is off (the demo passwords are public: never in production).",
        )

    def handle(self, *args, if_empty: bool = False, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _("seed_demo creates accounts with a public password; it runs only with DEBUG on.")
            )
        if if_empty and Consultation.objects.exists():
            self.stdout.write(_("Consultations already exist; demo content not added."))
            return
        with transaction.atomic():
            ensure_site()
            departments = seed_departments()
            districts = seed_districts()
            users = seed_users(departments)
            created = []
            for spec in demo_content.CONSULTATIONS:
                if Consultation.objects.filter(slug=spec["slug"]).exists():
                    continue
                created.append(
                    seed_consultation(
                        spec, departments=departments, districts=districts, users=users
                    )
                )
        # Opinions, hearings, responses, decisions: every screen has something to show.
        activity.seed_all(users)
        # The public page of the audit trail's daily checkpoints shows one from the start (the
        # task worker takes the next ones daily).
        take_checkpoint()
        self.stdout.write(
            _("Demo content ready: %(count)s consultations added.") % {"count": len(created)}
        )
        self.print_logins()

    def print_logins(self) -> None:
        self.stdout.write(
            _("Demo logins (development only; password for all: %(password)s):")
            % {"password": demo_content.DEMO_PASSWORD}
        )
        for username, roles, department, _superuser, _display in demo_content.USERS:
            dept = next(
                (d["name"] for d in demo_content.DEPARTMENTS if d["slug"] == department), ""
            )
            self.stdout.write(f"  {username:<10} {', '.join(roles):<16} {dept}")

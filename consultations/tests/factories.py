"""factory_boy factories for the consultation domain, shared by every app's tests.

``make_openable`` fills in everything the publication rules ask for, so a test that is not
about a rule can publish a valid consultation; ``published_consultation`` goes through the real
publication path (``save_revision().publish()``), so the rules and change log always run.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from consultations.models import (
    Alternative,
    Consultation,
    Department,
    District,
    DraftClause,
    Kind,
    Question,
    StabilityStatus,
    StaffProfile,
)

# More than every kind's floor, including ten working days across a long holiday.
OPENABLE_PERIOD_DAYS = 45


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"第{n}局")
    name_en = factory.Sequence(lambda n: f"Bureau {n}")
    slug = factory.Sequence(lambda n: f"bureau-{n}")
    phone = "010-12345678"
    address = "北京市东城区示例路1号"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"区域{n}")
    name_en = factory.Sequence(lambda n: f"Area {n}")
    code = factory.Sequence(lambda n: f"D{n:06d}")
    level = District.Level.DISTRICT
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    """A user with password ``pw``. ``roles=[Role.EDITOR]`` and ``department=dept`` are optional."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw")
    is_active = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                add_role(self, role)

    @factory.post_generation
    def department(self, create, extracted, **kwargs):
        if create and extracted is not None:
            StaffProfile.objects.update_or_create(user=self, defaults={"department": extracted})

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()

    @classmethod
    def with_role(cls, role: str, department: Department | None = None, **kwargs):
        """A staff user in ``role`` (a ``consultations.roles.Role`` value) and ``department``."""
        user = cls(is_staff=True, **kwargs)
        add_role(user, role)
        StaffProfile.objects.update_or_create(user=user, defaults={"department": department})
        return user


def add_role(user, role: str) -> None:
    group, _created = Group.objects.get_or_create(name=str(role))
    user.groups.add(group)
    if hasattr(user, "_tingjian_roles"):
        del user._tingjian_roles


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    title = factory.Sequence(lambda n: f"关于示例事项的征求意见稿{n}")
    title_en = factory.Sequence(lambda n: f"Example proposal {n}")
    slug = factory.Sequence(lambda n: f"consultation-{n}")
    kind = Kind.MAJOR_DECISION
    department = factory.SubFactory(DepartmentFactory)
    live = False

    class Params:
        openable = factory.Trait(
            plain_summary="本方案的主要内容是……",
            explanatory_note="起草说明：为什么要制定本方案……",
            contact_phone="010-12345678",
            postal_address="北京市东城区示例路1号",
            stability_status=StabilityStatus.DONE,
        )


class DraftClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DraftClause

    consultation = factory.SubFactory(ConsultationFactory)
    heading = factory.Sequence(lambda n: f"第{n}条")
    text = factory.Sequence(lambda n: f"本条规定第{n}项内容，适用于本市行政区域。")
    sort_order = factory.Sequence(lambda n: n)


class AlternativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alternative

    consultation = factory.SubFactory(ConsultationFactory)
    title = factory.Sequence(lambda n: f"方案{n}")
    summary = "方案说明。"
    sort_order = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    consultation = factory.SubFactory(ConsultationFactory)
    type = Question.Type.SINGLE
    text = factory.Sequence(lambda n: f"问题{n}：您是否同意？")
    options = "同意\n不同意"
    sort_order = factory.Sequence(lambda n: n)


LAND_FIELDS = (
    "requisition_scope",
    "requisition_purpose",
    "land_survey_arrangement",
    "land_status",
    "compensation_standard",
    "resettlement_targets",
    "resettlement_method",
    "social_security",
    "compensation_registration",
    "objection_channel",
)


def local_midnight_after(opens_at: datetime, days: int) -> datetime:
    """24:00 local time of the ``days``-th day after the opening date, in UTC."""
    tz = ZoneInfo(settings.CONSULTATION_TIME_ZONE)
    day = timezone.localtime(opens_at, tz).date() + timedelta(days=days + 1)
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(ZoneInfo("UTC"))


def make_openable(
    consultation: Consultation,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    clauses: int = 2,
    save: bool = True,
) -> Consultation:
    """Fill every part the rules require for the consultation's kind (not yet published).

    Defaults: opens now, closes at 24:00 local 45 days later, two draft clauses.
    """
    c = consultation
    c.plain_summary = c.plain_summary or "本方案的主要内容是……"
    c.explanatory_note = c.explanatory_note or "起草说明：为什么要制定本方案……"
    c.contact_phone = c.contact_phone or "010-12345678"
    if not (c.postal_address or c.visit_address):
        c.postal_address = "北京市东城区示例路1号"
    if not c.stability_status:
        c.stability_status = StabilityStatus.DONE
    if c.kind in (Kind.LAND_PRE_NOTICE, Kind.LAND_COMPENSATION, Kind.HOUSING_EXPROPRIATION):
        for name in LAND_FIELDS:
            if not getattr(c, name):
                setattr(c, name, f"{c._meta.get_field(name).verbose_name}：示例内容。")
    c.opens_at = opens_at or c.opens_at or timezone.now()
    c.closes_at = closes_at or c.closes_at or local_midnight_after(c.opens_at, OPENABLE_PERIOD_DAYS)
    if save:
        c.save()
        existing = c.draft_clauses.count()
        for i in range(existing, clauses):
            DraftClauseFactory(consultation=c, sort_order=i, heading=f"第{i + 1}条")
    return c


def published_consultation(*, user=None, clauses: int = 2, **kwargs) -> Consultation:
    """Create an openable consultation and publish it the real way (runs the rules)."""
    opens_at = kwargs.pop("opens_at", None)
    closes_at = kwargs.pop("closes_at", None)
    districts = kwargs.pop("districts", None)
    consultation = ConsultationFactory(**kwargs)
    make_openable(consultation, opens_at=opens_at, closes_at=closes_at, clauses=clauses)
    if districts:
        consultation.districts.set(districts)
        consultation.save()
    revision = consultation.save_revision(user=user)
    revision.publish(user=user, skip_permission_checks=True)
    consultation.refresh_from_db()
    return consultation

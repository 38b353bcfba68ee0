"""Public reads: filters, home sections, the detail query budget, boundary-second status."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document

from consultations.models import Attachment, Consultation, Kind, Stage
from consultations.selectors import (
    consultation_get_public,
    consultation_list_public,
    home_sections,
)
from consultations.services import consultation_extend
from consultations.tests.factories import (
    AlternativeFactory,
    ConsultationFactory,
    DepartmentFactory,
    DistrictFactory,
    QuestionFactory,
    make_openable,
    published_consultation,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 6, 2, 12, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW - timedelta(days=60), tick=False)
    return time_machine


def make(opens_days, length=40, **kw):
    """Published consultation opening ``opens_days`` from NOW and closing ``length`` days later."""
    opens = NOW + timedelta(days=opens_days)
    return published_consultation(opens_at=opens, closes_at=opens + timedelta(days=length), **kw)


def slugs(qs):
    return sorted(c.slug for c in qs)


def test_status_is_derived_at_the_exact_boundary_seconds():
    c = make(1)
    one = timedelta(seconds=1)
    assert c.status_at(c.opens_at - one) == Consultation.Status.UPCOMING
    assert c.status_at(c.opens_at) == Consultation.Status.OPEN
    assert c.status_at(c.closes_at - one) == Consultation.Status.OPEN
    assert c.status_at(c.closes_at) == Consultation.Status.CLOSED
    for moment, status in [
        (c.opens_at - one, "upcoming"),
        (c.opens_at, "open"),
        (c.closes_at - one, "open"),
        (c.closes_at, "closed"),
    ]:
        assert list(consultation_list_public(status=status, now=moment)) == [c], (moment, status)


def test_drafts_are_never_listed_or_shown():
    draft = make_openable(ConsultationFactory(), opens_at=NOW)
    assert draft not in consultation_list_public()
    with pytest.raises(Consultation.DoesNotExist):
        consultation_get_public(draft.slug)


def test_status_filter_and_kind_filter():
    upcoming, open_, closed = make(5), make(-5), make(-50, length=40)
    rules = make(-5, kind=Kind.DRAFT_RULES)
    assert slugs(consultation_list_public(status="upcoming", now=NOW)) == [upcoming.slug]
    assert slugs(consultation_list_public(status="open", now=NOW)) == slugs([open_, rules])
    assert slugs(consultation_list_public(status="closed", now=NOW)) == [closed.slug]
    assert slugs(consultation_list_public(kind=Kind.DRAFT_RULES)) == [rules.slug]


def test_district_filter_includes_descendants():
    city = DistrictFactory(level="city")
    district = DistrictFactory(parent=city)
    street = DistrictFactory(parent=district, level="subdistrict")
    other = DistrictFactory()
    in_street, in_district, elsewhere = make(1), make(1), make(1)
    in_street.districts.set([street])
    in_street.save()
    in_district.districts.set([district, street])
    in_district.save()
    elsewhere.districts.set([other])
    elsewhere.save()
    assert slugs(consultation_list_public(district=city)) == slugs([in_street, in_district])
    assert slugs(consultation_list_public(district=district.code)) == slugs(
        [in_street, in_district]
    )
    assert slugs(consultation_list_public(district=street.pk)) == slugs([in_street, in_district])
    assert slugs(consultation_list_public(district=other)) == [elsewhere.slug]


def test_department_and_text_search():
    dept = DepartmentFactory(slug="env")
    mine = make(1, department=dept, title="垃圾焚烧发电厂选址方案")
    theirs = make(1, title_en="Bus routes", plain_summary="调整公交线路")
    assert slugs(consultation_list_public(department=dept)) == [mine.slug]
    assert slugs(consultation_list_public(department="env")) == [mine.slug]
    assert slugs(consultation_list_public(department=dept.pk)) == [mine.slug]
    assert slugs(consultation_list_public(q="焚烧")) == [mine.slug]
    assert slugs(consultation_list_public(q="bus")) == [theirs.slug]
    assert slugs(consultation_list_public(q="公交")) == [theirs.slug]


def test_home_sections():
    soon = make(-35, length=38)  # closes in 3 days
    later = make(-5)
    upcoming = make(3)
    answered = []
    for i in range(6):
        c = make(-100 - i, length=40)
        Consultation.objects.filter(pk=c.pk).update(stage=Stage.RESPONSE_PUBLISHED, decided_at=None)
        answered.append(c)
    Consultation.objects.filter(pk=answered[5].pk).update(
        stage=Stage.DECIDED, decided_at=NOW - timedelta(days=1)
    )
    closed_unanswered = make(-100, length=40)
    sections = home_sections(now=NOW)
    assert [c.slug for c in sections["open"]] == [soon.slug, later.slug]
    assert [c.slug for c in sections["closing_soon"]] == [soon.slug]
    assert [c.slug for c in sections["upcoming"]] == [upcoming.slug]
    recent = [c.slug for c in sections["recently_answered"]]
    assert len(recent) == 5 and recent[0] == answered[5].slug
    assert answered[4].slug not in recent and closed_unanswered.slug not in recent


def test_home_sections_query_count(django_assert_max_num_queries):
    for i in range(4):
        make(-5 + i)
    with django_assert_max_num_queries(8):
        sections = home_sections(now=NOW)
        for c in sections["open"] + sections["upcoming"]:
            assert c.department.name
            list(c.districts.all())


def test_detail_prefetches_everything_in_a_constant_number_of_queries(
    django_assert_max_num_queries, clock
):
    c = make(-5, clauses=5)
    c.districts.set([DistrictFactory(), DistrictFactory()])
    c.save()
    AlternativeFactory(consultation=c)
    AlternativeFactory(consultation=c)
    QuestionFactory(consultation=c)
    doc = Document.objects.create(title="说明", file=ContentFile(b"%PDF-1.4", name="a.pdf"))
    Attachment.objects.create(consultation=c, document=doc, title="起草说明")
    clock.move_to(NOW, tick=False)
    consultation_extend(
        consultation=c, closes_at=c.closes_at + timedelta(days=5), reason="延长", user=None
    )
    with django_assert_max_num_queries(8):
        d = consultation_get_public(c.slug)
        assert d.department.name
        assert len(d.districts.all()) == 2
        assert len(d.alternatives.all()) == 2
        assert len(d.questions.all()) == 1
        assert [a.document.title for a in d.attachments.all()] == ["说明"]
        assert d.latest_draft_version.number == 1
        assert len(d.latest_draft_version.clauses.all()) == 5
        assert [e.type for e in d.change_log.all()] == ["extended", "published"]

"""Issue 12, point 5: intake reveals nothing.

Each test plays an adversary: a clerk of another department, a clerk probing with crafted rows
or a reused form, a clerk re-uploading after a crash, someone reading the audit trail, and a
clerk entering opinions after the response was published.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import DepartmentFactory, UserFactory
from feedback.audit import trail
from feedback.models import AuditAction, AuditEntry, Submission

pytestmark = pytest.mark.django_db

PHONE = "13812345678"
SECRET_TEXT = "张三在东门说：坚决反对选址"


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("utf-8")


HEADER = ["渠道", "收到日期", "总体态度", "意见", "手机"]


def _row(comment: str = SECRET_TEXT, phone: str = PHONE, channel: str = "来信") -> list[str]:
    return [channel, timezone.localdate().isoformat(), "反对", comment, phone]


BAD_ROW = ["pigeon", "2001-01-01", "maybe", "", "123"]


def _upload(client, consultation, content: bytes, name: str = "forms.csv", follow=True, **extra):
    return client.post(
        f"/admin/intake/{consultation.pk}/import/",
        {"file": SimpleUploadedFile(name, content), **extra},
        follow=follow,
    )


def _counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def _codes(html: str) -> list[str]:
    return re.findall(r'class="tj-receipt-code(?:-small)?">([0-9A-Z-]+)<', html)


def _clerk(department, **kwargs):
    return UserFactory.with_role(Role.INTAKE_CLERK, department, **kwargs)


def _form_token(client, consultation) -> str:
    html = client.get(f"/admin/intake/{consultation.pk}/").content.decode()
    return re.search(r'name="token" value="([0-9a-f-]{36})"', html).group(1)


def _letter(token: str, **extra) -> dict:
    return {
        "token": token,
        "channel": "letter",
        "submitted_on": timezone.localdate().isoformat(),
        "stance": "oppose",
        "comment": SECRET_TEXT,
        "contact_phone": PHONE,
        **extra,
    }


# -- a clerk of another department ---------------------------------------------------------


def test_clerk_of_another_department_gets_403_stores_nothing_and_sees_nothing(
    client, open_consultation
):
    owner = _clerk(open_consultation.department)
    client.force_login(owner)
    _upload(client, open_consultation, _csv([HEADER, _row()]))
    upload = AuditEntry.objects.get(action=AuditAction.INTAKE_IMPORT)
    stored = Submission.objects.count()
    assert stored == 1

    other = _clerk(DepartmentFactory(slug="elsewhere"))
    client.force_login(other)
    base = f"/admin/intake/{open_consultation.pk}/"
    assert client.get(base).status_code == 403
    assert client.get(base + "import/").status_code == 403
    posted = client.post(base, _letter("6a3c1f2e-0000-4000-8000-000000000001"))
    assert posted.status_code == 403
    assert 'data-intake-refused="department"' in posted.content.decode()
    assert _upload(client, open_consultation, _csv([HEADER, _row("别的")])).status_code == 403
    assert Submission.objects.count() == stored
    # Nothing listed: not the consultation, not the owner's upload.
    listing = client.get("/admin/intake/").content.decode()
    assert open_consultation.title not in listing
    assert client.get(f"/admin/intake/entries/{upload.pk}/").status_code == 404
    assert client.post(f"/admin/intake/entries/{upload.pk}/close/").status_code == 404
    assert not AuditEntry.objects.filter(actor=other).exists()


def test_clerk_without_a_department_enters_nothing(client, open_consultation):
    client.force_login(_clerk(None))
    response = client.get(f"/admin/intake/{open_consultation.pk}/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/intake/").status_code == 302


# -- a clerk probing for who said what -----------------------------------------------------


def test_crafted_row_cannot_tell_whether_someone_else_already_gave_that_opinion(
    client, open_consultation
):
    department = open_consultation.department
    alice, mallory = _clerk(department), _clerk(department)
    client.force_login(alice)
    first = _upload(client, open_consultation, _csv([HEADER, _row()])).content.decode()
    (alices_code,) = _codes(first)

    # Mallory, in the same department, crafts the row she suspects, with a bad row (the
    # scenario of the issue), and a control row nobody wrote. Since issue 15 the valid row of
    # each upload is imported at once: each is Mallory's own new opinion, never "already".
    client.force_login(mallory)
    probe = _upload(client, open_consultation, _csv([HEADER, _row(), BAD_ROW]))
    control = _upload(client, open_consultation, _csv([HEADER, _row("无人写过的意见"), BAD_ROW]))
    assert probe.status_code == control.status_code == 200
    probe_html, control_html = probe.content.decode(), control.content.decode()
    assert _counts(probe_html) == _counts(control_html) == {"new": 1, "already": 0, "invalid": 1}
    assert "data-earlier-uploads" not in probe_html
    # Mallory sees her own new code only, never Alice's.
    assert alices_code not in probe_html and len(_codes(probe_html)) == 1
    # The reports are the same, apart from the receipt code, the times and the CSRF tokens.
    strip = re.compile(
        r"\b[A-Za-z0-9]{64}\b|[0-9A-Z]{4}-[0-9A-Z]{4}(?:-[0-9A-Z]{4})*|[0-9:-]{5,}|entries/\d+/"
    )

    def report(html):
        return strip.sub("", html[html.index("nice-padding") : html.index("data-row-problems")])

    assert report(probe_html) == report(control_html)
    assert Submission.objects.filter(comment=SECRET_TEXT).count() == 2


def test_rows_stored_with_the_old_token_count_only_for_the_clerk_who_stored_them(
    client, open_consultation
):
    """Tokens made before they named the clerk still stop the same clerk's re-import, and
    still tell another clerk nothing."""
    from feedback.intake.bulk_import import validate_file
    from feedback.intake.services import submission_create

    department = open_consultation.department
    alice, mallory = _clerk(department), _clerk(department)
    content = _csv([HEADER, _row()])
    row = validate_file(open_consultation, "old.csv", content, clerk=alice).rows[0]
    submission_create(
        consultation=open_consultation,
        data=row.form.to_data(),
        token=row.legacy_token,
        channel="letter",
        submitted_on=timezone.localdate(),
        entered_by=alice,
    )
    client.force_login(mallory)
    assert _counts(_upload(client, open_consultation, content).content.decode())["already"] == 0
    client.force_login(alice)
    again = _upload(client, open_consultation, content).content.decode()
    assert _counts(again) == {"new": 0, "already": 1, "invalid": 0}
    assert Submission.objects.count() == 2  # Alice's old one and Mallory's own


def test_another_clerks_form_token_shows_nothing_and_stores_nothing(client, open_consultation):
    department = open_consultation.department
    alice, mallory = _clerk(department), _clerk(department)
    client.force_login(alice)
    token = _form_token(client, open_consultation)
    entered = client.post(f"/admin/intake/{open_consultation.pk}/", _letter(token), follow=True)
    (alices_code,) = _codes(entered.content.decode())

    client.force_login(mallory)
    reused = client.post(f"/admin/intake/{open_consultation.pk}/", _letter(token, comment="x"))
    assert reused.status_code == 400
    assert alices_code not in reused.content.decode()
    assert Submission.objects.count() == 1
    entry = AuditEntry.objects.get(action=AuditAction.INTAKE)
    assert client.get(f"/admin/intake/entries/{entry.pk}/").status_code == 404


def test_no_receipt_code_in_any_intake_url(client, open_consultation):
    client.force_login(_clerk(open_consultation.department))
    token = _form_token(client, open_consultation)
    entered = client.post(f"/admin/intake/{open_consultation.pk}/", _letter(token), follow=True)
    submission = Submission.objects.get()
    for url, _status in entered.redirect_chain:
        assert submission.receipt not in url.replace("-", "")
    assert client.get(f"/admin/intake/receipt/{submission.formatted_receipt}/").status_code == 404


# -- a re-upload after a crash ----------------------------------------------------------------


def test_reupload_after_a_lost_response_stores_nothing_twice_and_shows_no_codes(
    client, open_consultation
):
    client.force_login(_clerk(open_consultation.department))
    content = _csv([HEADER, _row(), _row("第二张意见表", "13900001111")])
    lost = _upload(client, open_consultation, content, follow=False)  # the answer never arrived
    assert lost.status_code == 302
    codes = {s.formatted_receipt for s in Submission.objects.all()}
    assert len(codes) == 2

    again = _upload(client, open_consultation, content, name="forms-again.csv")
    html = again.content.decode()
    assert Submission.objects.count() == 2
    assert _counts(html) == {"new": 0, "already": 2, "invalid": 0}
    assert not any(code in html for code in codes)
    assert 'data-receipts="none"' in html
    # The codes are on the first upload's page, which the re-upload links to.
    earlier = re.search(r'data-earlier-uploads>.*?href="([^"]+)"', html, re.S).group(1)
    assert earlier == lost["Location"]
    assert set(_codes(client.get(earlier).content.decode())) == codes


def test_a_crash_during_the_import_stores_nothing_then_the_upload_works_once(
    client, open_consultation, monkeypatch
):
    from feedback.intake import bulk_import

    client.force_login(_clerk(open_consultation.department))
    content = _csv([HEADER, _row(), _row("第二张意见表", "13900001111")])

    def crash(**kwargs):
        raise RuntimeError("the worker died after the rows were written")

    monkeypatch.setattr(bulk_import, "upload_record", crash)
    # The import runs in the task worker (issue 13): its job fails and the clerk is told.
    failed = _upload(client, open_consultation, content).content.decode()
    assert 'data-import-refused="crashed"' in failed
    assert Submission.objects.count() == 0 and AuditEntry.objects.count() == 0
    monkeypatch.undo()
    assert _counts(_upload(client, open_consultation, content).content.decode())["new"] == 2
    assert _counts(_upload(client, open_consultation, content).content.decode())["already"] == 2
    assert Submission.objects.count() == 2


def test_receipt_codes_are_shown_for_a_limited_time_or_until_closed(
    client, open_consultation, time_machine
):
    clerk = _clerk(open_consultation.department)
    client.force_login(clerk)
    page = _upload(client, open_consultation, _csv([HEADER, _row()]))
    url = page.redirect_chain[-1][0]
    (code,) = _codes(page.content.decode())
    assert code in client.get(url).content.decode()  # a reload within the window

    closed = client.post(url.rstrip("/") + "/close/", follow=True).content.decode()
    assert code not in closed and 'data-receipts="closed"' in closed

    token = _form_token(client, open_consultation)
    entered = client.post(f"/admin/intake/{open_consultation.pk}/", _letter(token), follow=True)
    entry_url = entered.redirect_chain[-1][0]
    (typed_code,) = _codes(entered.content.decode())
    time_machine.move_to(timezone.now() + timedelta(hours=25))
    client.force_login(clerk)
    later = client.get(entry_url).content.decode()
    assert typed_code not in later and SECRET_TEXT not in later
    assert 'data-receipts="closed"' in later


# -- the audit chain -------------------------------------------------------------------------


def test_every_entry_and_upload_is_in_the_audit_chain_without_personal_data(
    client, open_consultation
):
    clerk = _clerk(open_consultation.department)
    client.force_login(clerk)
    token = _form_token(client, open_consultation)
    client.post(f"/admin/intake/{open_consultation.pk}/", _letter(token), follow=True)
    email_row = ["来访", timezone.localdate().isoformat(), "支持", "第二条意见", ""]
    _upload(client, open_consultation, _csv([HEADER, _row("第三条意见"), email_row]), "张三.csv")
    _upload(client, open_consultation, _csv([HEADER, _row("第四条意见"), BAD_ROW]), "李四.csv")

    entries = list(AuditEntry.objects.order_by("pk"))
    actions = [e.action for e in entries]
    assert actions.count(AuditAction.INTAKE) == 1
    assert actions.count(AuditAction.INTAKE_IMPORT) == 2
    assert AuditAction.INTAKE_RECEIPTS in actions  # the codes were displayed
    typed = next(e for e in entries if e.action == AuditAction.INTAKE)
    assert typed.actor == clerk and typed.consultation_id == open_consultation.pk
    imported, partly = [e for e in entries if e.action == AuditAction.INTAKE_IMPORT]
    assert imported.detail["created"] == 2 and imported.detail["imported"] is True
    # Issue 15: the valid row of a file with an invalid one is imported at once.
    assert partly.detail["imported"] is True
    assert (partly.detail["created"], partly.detail["invalid"]) == (1, 1)
    assert Submission.objects.count() == 4
    assert sorted(
        imported.detail["opinions"] + partly.detail["opinions"] + typed.detail["opinions"]
    ) == sorted(Submission.objects.values_list("pk", flat=True))
    everything = json.dumps(
        [[e.object_type, e.object_id, e.detail] for e in entries], ensure_ascii=False
    )
    forbidden = [PHONE, "张三", "李四", "意见", ".csv", SECRET_TEXT]
    for s in Submission.objects.all():
        forbidden += [s.receipt, s.formatted_receipt]
    assert not [word for word in forbidden if word in everything]
    assert trail.verify().ok


# -- after the response is published --------------------------------------------------------


@pytest.fixture
def answered(open_consultation, time_machine):
    """The consultation after its close, with the response published."""
    received_on = timezone.localdate()
    time_machine.move_to(open_consultation.closes_at + timedelta(days=2))
    Consultation.objects.filter(pk=open_consultation.pk).update(stage="response_published")
    open_consultation.refresh_from_db()
    return open_consultation, received_on


def test_offline_opinions_are_refused_once_the_response_is_published(client, answered):
    consultation, received_on = answered
    client.force_login(_clerk(consultation.department))
    listing = client.get("/admin/intake/").content.decode()
    assert consultation.title in listing
    assert f'href="/admin/intake/{consultation.pk}/"' not in listing
    form = client.get(f"/admin/intake/{consultation.pk}/").content.decode()
    assert 'data-intake-refused="response"' in form and 'name="token"' not in form
    data = _letter("6a3c1f2e-0000-4000-8000-000000000002", submitted_on=received_on.isoformat())
    posted = client.post(f"/admin/intake/{consultation.pk}/", data)
    assert posted.status_code == 400
    assert 'data-intake-refused="response"' in posted.content.decode()
    row = ["来信", received_on.isoformat(), "反对", "迟到的来信", ""]
    refused = _upload(client, consultation, _csv([HEADER, row]))
    assert refused.status_code == 400
    assert 'data-intake-refused="response"' in refused.content.decode()
    assert Submission.objects.count() == 0


def test_response_published_between_check_and_import_stores_nothing(open_consultation):
    from feedback.intake.bulk_import import import_rows, validate_file
    from feedback.intake.services import NotAcceptingOpinions

    clerk = _clerk(open_consultation.department)
    report = validate_file(open_consultation, "f.csv", _csv([HEADER, _row()]), clerk=clerk)
    assert len(report.new_rows) == 1
    Consultation.objects.filter(pk=open_consultation.pk).update(stage="response_published")
    with pytest.raises(NotAcceptingOpinions):
        import_rows(consultation=open_consultation, report=report, entered_by=clerk)
    assert Submission.objects.count() == 0
    assert not AuditEntry.objects.filter(action=AuditAction.INTAKE_IMPORT).exists()


# -- the 12345 centre ------------------------------------------------------------------------


def test_the_12345_centre_enters_for_every_department_only_when_configured_and_only_hotline(
    client, open_consultation, settings
):
    centre = DepartmentFactory(slug="shili-12345")
    client.force_login(_clerk(centre))
    url = f"/admin/intake/{open_consultation.pk}/"
    assert client.get(url).status_code == 403  # not configured: an ordinary department

    settings.INTAKE_HOTLINE_DEPARTMENTS = ["shili-12345"]
    assert open_consultation.title in client.get("/admin/intake/").content.decode()
    letter = client.post(url, _letter(_form_token(client, open_consultation)))
    assert letter.status_code == 400 and Submission.objects.count() == 0
    call = client.post(
        url, _letter(_form_token(client, open_consultation), channel="hotline_12345")
    )
    assert call.status_code == 302
    assert Submission.objects.get().channel == "hotline_12345"
    rows = _csv([HEADER, _row("来信一", channel="来信")])
    assert _counts(_upload(client, open_consultation, rows).content.decode())["invalid"] == 1
    hotline_rows = _csv([HEADER, _row("热线一", channel="12345热线")])
    imported = _upload(client, open_consultation, hotline_rows)
    assert _counts(imported.content.decode())["new"] == 1
    assert Submission.objects.count() == 2
    entry = AuditEntry.objects.filter(action=AuditAction.INTAKE_IMPORT).latest("pk")
    assert entry.detail["hotline_centre"] is True

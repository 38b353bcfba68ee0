"""The analysts' dashboard and exports: role matrix, suppression, streaming, task, audit."""

from __future__ import annotations

import io

import pytest
from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from consultations.roles import Role
from consultations.tests.factories import DepartmentFactory, UserFactory
from feedback.models import AuditAction, AuditEntry, StaffJob
from feedback.permissions import EXACT, SUPPRESSED, analysis_access
from feedback.tests._analysis_data import EMAIL, PHONE, build_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(open_consultation):
    return build_register(open_consultation)


def dashboard_url(c):
    return f"/admin/analysis/{c.pk}/"


def denied(response) -> bool:
    """Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def make_user(role, consultation, own=True):
    department = consultation.department if own else DepartmentFactory()
    if role == "superuser":
        return UserFactory(is_staff=True, is_superuser=True)
    return UserFactory.with_role(role, department=department)


# (role, own department?) → access to the dashboard
MATRIX = [
    (Role.ANALYST, True, EXACT),
    (Role.ANALYST, False, SUPPRESSED),
    (Role.EDITOR, True, SUPPRESSED),
    (Role.APPROVER, True, SUPPRESSED),
    (Role.EDITOR, False, None),
    (Role.SITE_ADMIN, False, SUPPRESSED),
    ("superuser", False, SUPPRESSED),
    (Role.INTAKE_CLERK, True, None),
    (Role.PRIVACY_OFFICER, True, None),
    (Role.ASSESSOR, True, None),
]


@pytest.mark.parametrize(("role", "own", "expected"), MATRIX)
def test_role_matrix(client, open_consultation, register, role, own, expected):
    user = make_user(role, open_consultation, own)
    assert analysis_access(user, open_consultation) == expected
    client.force_login(user)
    response = client.get(dashboard_url(open_consultation))
    register_csv = client.get(f"/admin/analysis/{open_consultation.pk}/export/register.csv")
    aggregates_csv = client.get(f"/admin/analysis/{open_consultation.pk}/export/aggregates.csv")
    if expected is None:
        assert denied(response)
        assert denied(register_csv) and denied(aggregates_csv)
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert aggregates_csv.status_code == 200
    if expected == EXACT:
        assert "&lt;5" not in html and register_csv.status_code == 200
        assert "export/register.csv" in html
    else:
        assert "&lt;5" in html  # every cell of the small fixture is under 5
        assert denied(register_csv)  # record-level data stays with the analysts
        assert "export/register.csv" not in html
        agg = b"".join(aggregates_csv.streaming_content).decode()
        assert "<5" in agg


def test_dashboard_shows_charts_tables_and_exact_counts(client, open_consultation, register):
    client.force_login(register["analyst"])
    html = client.get(dashboard_url(open_consultation)).content.decode()
    assert html.count("<svg") >= 6 and "<title id=" in html and "<desc id=" in html
    assert "style=" not in html.split('class="nice-padding ta-dashboard"')[1].split("</main>")[0]
    assert "<caption>" in html
    response = client.get(dashboard_url(open_consultation))
    assert response.context["data"]["totals"]["received"] == 7
    stance = {i.key: i.count for i in response.context["data"]["stance"].items}
    assert stance["oppose"] == 2 and not response.context["suppressed"]
    assert "健康" in html and "第1条" in html
    for needle in (PHONE, EMAIL, register["s"][1].receipt):
        assert needle not in html


def test_register_csv_is_streamed_audited_and_clean(client, open_consultation, register):
    client.force_login(register["analyst"])
    before = AuditEntry.objects.filter(action=AuditAction.EXPORT).count()
    response = client.get(f"/admin/analysis/{open_consultation.pk}/export/register.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode()
    assert body.count("\n") == 8
    for needle in (PHONE, EMAIL, register["contact"].ref, register["s"][1].receipt):
        assert needle not in body
    entries = AuditEntry.objects.filter(action=AuditAction.EXPORT)
    assert entries.count() == before + 1
    entry = entries.last()
    assert entry.actor == register["analyst"] and entry.consultation_id == open_consultation.pk
    assert entry.detail["scope"] == "register" and entry.detail["suppressed"] is False


def test_xlsx_export_task_progress_and_download(
    client, open_consultation, register, django_capture_on_commit_callbacks
):
    client.force_login(register["analyst"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/analysis/{open_consultation.pk}/export/",
            {"scope": "register", "format": "xlsx"},
        )
    assert response.status_code == 302
    job = StaffJob.objects.get()
    assert response["Location"].endswith(f"/admin/analysis/export/{job.pk}/")
    assert job.status == StaffJob.Status.DONE and (job.done, job.total) == (7, 7)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Refresh" not in page
    assert f"/admin/analysis/export/{job.pk}/download/" in page.content.decode()
    download = client.get(f"/admin/analysis/export/{job.pk}/download/")
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    rows = list(
        load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
    )
    assert len(rows) == 8
    flat = "\n".join(str(v) for row in rows for v in row if v is not None)
    assert PHONE not in flat and register["s"][1].receipt not in flat
    details = [e.detail["via"] for e in AuditEntry.objects.filter(action=AuditAction.EXPORT)]
    assert details == ["task", "download"]


def test_progress_page_reloads_while_running(client, open_consultation, register):
    job = StaffJob.objects.create(
        kind="export",
        consultation=open_consultation,
        requested_by=register["analyst"],
        params={"scope": "register", "format": "xlsx", "suppressed": False},
        status=StaffJob.Status.RUNNING,
        done=3,
        total=7,
    )
    client.force_login(register["analyst"])
    page = client.get(f"/admin/analysis/export/{job.pk}/")
    assert page["Refresh"] == "2"
    assert '<progress max="7" value="3"' in page.content.decode()
    assert client.get(f"/admin/analysis/export/{job.pk}/download/").status_code == 404


def test_someone_elses_job_is_not_reachable(client, open_consultation, register):
    job = StaffJob.objects.create(
        kind="export",
        consultation=open_consultation,
        requested_by=register["analyst"],
        params={"scope": "register", "format": "xlsx", "suppressed": False},
    )
    other = UserFactory.with_role(Role.ANALYST, department=open_consultation.department)
    client.force_login(other)
    assert client.get(f"/admin/analysis/export/{job.pk}/").status_code == 404
    assert client.get(f"/admin/analysis/export/{job.pk}/download/").status_code == 404


def test_suppressed_users_cannot_start_a_register_export(client, open_consultation, register):
    editor = UserFactory.with_role(Role.EDITOR, department=open_consultation.department)
    client.force_login(editor)
    response = client.post(
        f"/admin/analysis/{open_consultation.pk}/export/", {"scope": "register", "format": "xlsx"}
    )
    assert denied(response) and not StaffJob.objects.exists()
    ok = client.post(
        f"/admin/analysis/{open_consultation.pk}/export/", {"scope": "aggregates", "format": "csv"}
    )
    assert ok.status_code == 302
    assert StaffJob.objects.get().params["suppressed"] is True


def test_choose_lists_consultations(client, open_consultation, register):
    client.force_login(register["analyst"])
    html = client.get("/admin/analysis/").content.decode()
    assert open_consultation.title in html


def test_charts_escape_labels_and_use_no_style_attributes():
    from feedback.analysis import charts

    svg = charts.bar_chart("<b>t</b>", [("<script>x</script>", 3), ("ok", None)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "style=" not in svg and "<title id=" in svg and "&lt;5" in svg


def test_dashboard_says_n_opinions_m_distinct_texts_k_groups(client, open_consultation, register):
    from feedback.analysis.aggregates import register_totals

    client.force_login(register["analyst"])
    html = client.get(dashboard_url(open_consultation)).content.decode()
    totals = register_totals(open_consultation)
    assert (
        f'id="campaign-summary" data-opinions="{totals["received"]}" '
        f'data-distinct-texts="{totals["distinct_texts"]}" '
        f'data-groups="{totals["campaign_groups"]}"'
    ) in html

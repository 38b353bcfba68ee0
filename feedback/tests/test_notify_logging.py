"""The log reader learns nothing (issue 12, point 3): every log record of every logger, at DEBUG,
from a resident's web opinion with a phone number and an e-mail address, through the response's
publication on the staff screen, the notification (refused by the mail server, refused once by
the SMS gateway, retried and delivered) and the purge 91 days later, holds no phone number,
e-mail address, receipt code (either format) or opinion text.

Both processes run for real: the web requests through Django's test client, and the task side
through the database task backend and `manage.py db_worker` run in this process (as the worker
process runs it), on committed rows. The task queue's rows (arguments, return values,
tracebacks) and standard output and error are searched as well."""

from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.models import Coding, Contact, Disposition, Notification, Submission, Theme
from feedback.privacy.tasks import purge_schedule
from feedback.response.services import disposition_set
from feedback.tests.conftest import form_url, fresh_token
from feedback.tests.test_retention import _worker

PHONE = "13912345678"
EMAIL = "wang.resident@example.org"
OPINION = "我家就在项目东侧三十米，夜间施工噪音让老人无法入睡，请调整施工时间。"
BASE = "https://consult.example.gov.cn"
EXTRA_LOGGERS = (
    "django",
    "django.request",
    "django.server",
    "django.security",
    "django.db.backends",
    "django.tasks",
    "django_tasks",
    "django_tasks_db",
    "gunicorn",
    "gunicorn.error",
    "gunicorn.access",
    "feedback",
    "cms",
    "consultations",
    "wagtail",
)


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record):
        self.records.append(record)


@contextmanager
def every_log_record():
    """A handler on the root logger and on every named logger, each at DEBUG and enabled."""
    handler = _Capture()
    names = {"", *EXTRA_LOGGERS, *logging.root.manager.loggerDict}
    saved = {}
    for name in names:
        logger = logging.getLogger(name) if name else logging.root
        if not isinstance(logger, logging.Logger):
            continue
        saved[name] = (logger, logger.level, logger.disabled)
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger, level, disabled in saved.values():
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.disabled = disabled


def leaks(texts, secrets) -> list[str]:
    found = []
    for text in texts:
        folded = re.sub(r"[\s-]", "", text)
        for secret in secrets:
            if secret in text or re.sub(r"[\s-]", "", secret) in folded:
                found.append(f"{secret!r} in {text[:300]!r}")
    return found


def record_texts(handler: _Capture) -> list[str]:
    texts = []
    for record in handler.records:
        texts.append(handler.format(record))  # message with its args, and any traceback
        texts.append(repr(record.args))
        texts.append(repr(getattr(record, "request", "")))
    return texts


def test_the_leak_finder_finds_a_leak():
    with every_log_record() as handler:
        logging.getLogger("feedback.anything").debug("sent to %s", "139 1234 5678")
    assert leaks(record_texts(handler), [PHONE])


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 503

    def do_POST(self):  # noqa: N802
        import json

        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Gateway.received.append(body)
        self.send_response(_Gateway.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    _Gateway.received, _Gateway.status = [], 503
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SMS_BACKEND = "feedback.response.sms.HttpSMSBackend"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.SMS_HTTP_TOKEN = "gateway-token"
    yield _Gateway
    server.shutdown()
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_no_log_record_names_the_resident(
    client, consultation_index_transactional, open_consultation, gateway, settings, capfd
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PUBLIC_BASE_URL = BASE
    # The mail server refuses the address and names it in its error, as real ones do.
    settings.EMAIL_BACKEND = "feedback.tests.test_notify.RefusingEmailBackend"
    consultation = open_consultation
    editor = UserFactory.with_role(Role.EDITOR, department=consultation.department)
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    capfd.readouterr()

    with every_log_record() as handler:
        purge_schedule()
        # The web process: the resident's opinion, then the receipt page it leads to.
        answer = client.post(
            form_url(consultation),
            {
                "token": fresh_token(client, consultation),
                "stance": "oppose",
                "comment": OPINION,
                "affected_status": "live",
                "contact_email": EMAIL,
                "contact_phone": PHONE,
            },
            follow=True,
        )
        assert answer.status_code == 200
        submission = Submission.objects.get(consultation=consultation)
        assert submission.contact_ref
        _worker(verbosity=2)  # grouping and search indexing of the new opinion

        # Staff: close, code, answer and publish on the screen.
        now = timezone.now()
        Consultation.objects.filter(pk=consultation.pk).update(
            opens_at=now - timedelta(days=30), closes_at=now - timedelta(minutes=1)
        )
        consultation.refresh_from_db()
        theme = Theme.objects.create(consultation=consultation, name="施工噪音")
        Coding.objects.create(submission=submission, theme=theme, coded_by=editor)
        disposition_set(
            user=editor, theme=theme, disposition=Disposition.PARTLY, reason="夜间施工时间缩短。"
        )
        client.force_login(editor)
        submitted = client.post(
            f"/admin/response/{consultation.pk}/submit/",
            {"summary": "感谢参与。", "confirm": "on"},
        )
        assert submitted.status_code == 302, submitted.content.decode()[:2000]
        # Two people (issue 13): an approver of the department approves, which publishes it.
        client.force_login(UserFactory.with_role(Role.APPROVER, department=consultation.department))
        published = client.post(f"/admin/response/{consultation.pk}/approve/", {"confirm": "on"})
        assert published.status_code == 302, published.content.decode()[:2000]
        client.force_login(editor)

        # The task process: e-mail refused, SMS refused once (503): failed, retry queued.
        _worker(verbosity=2)
        row = Notification.objects.get(submission=submission)
        assert (row.status, row.attempts, row.last_error) == ("failed", 1, "sms:http_503")
        assert client.get(f"/admin/response/{consultation.pk}/").status_code == 200
        # Six minutes later the gateway accepts: the queued retry delivers it by SMS.
        gateway.status = 200
        with time_machine.travel(timezone.now() + timedelta(minutes=6)):
            _worker(verbosity=2)
        row.refresh_from_db()
        assert (row.status, row.medium, row.attempts) == ("sent", "sms", 2)
        # 91 days on, the worker's daily purge deletes the contact (and cron finds nothing).
        with time_machine.travel(timezone.now() + timedelta(days=91, hours=1)):
            _worker(verbosity=2)
            from django.core.management import call_command

            call_command("purge_contacts")
        assert not Contact.objects.exists()

    secrets = [
        PHONE,
        EMAIL,
        submission.receipt,
        submission.formatted_receipt,
        OPINION,
        OPINION[:12],
    ]
    texts = record_texts(handler)
    assert len(handler.records) > 10  # the capture saw the traffic: requests, tasks
    assert any("state=SUCCESSFUL" in t for t in texts)
    found = leaks(texts, secrets)
    assert not found, found[:5]
    # Nor the task queue's rows (arguments, return values, tracebacks), nor stdout/stderr.
    queue = [f"{r.args_kwargs} {r.return_value} {r.traceback}" for r in DBTaskResult.objects.all()]
    assert {r.task_path.rsplit(".", 1)[1] for r in DBTaskResult.objects.all()} >= {
        "opinions_arrived",
        "notify_response",
        "render_response_pdfs",
        "contacts_purge_daily",
    }
    assert not leaks(queue, secrets)
    out, err = capfd.readouterr()
    assert not leaks([out, err], secrets)
    # What left the building: the SMS text has the public link and nothing else of the resident.
    texts_sent = [m["text"] for m in gateway.received]
    assert len(texts_sent) == 2 and all(m["to"] == PHONE for m in gateway.received)
    assert f"{BASE}/consultations/{consultation.slug}/response/" in texts_sent[-1]
    assert not leaks(texts_sent, secrets)
    assert not mail.outbox

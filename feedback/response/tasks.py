"""Tasks of the response: notify the residents who left a contact, render the PDF.

``notify_response`` sends every due notification of the consultation (``feedback.response.notify``)
and, while some wait for another attempt, queues itself for the earliest one (at most one
waiting run per consultation). Its return value and its arguments hold no personal data, and
nothing in this module writes to a log.
"""

from __future__ import annotations

from django_tasks import task

from feedback.privacy.tasks import task_enqueue_once
from feedback.response.notify import notifications_send


@task()
def notify_response(consultation_id: int) -> int:
    """Notify the residents of ``consultation_id`` who left a contact; returns how many were sent
    in this run."""
    result = notifications_send(consultation_id)
    if result.next_attempt_at is not None:
        task_enqueue_once(notify_response, consultation_id, run_after=result.next_attempt_at)
    return result.sent


@task()
def render_response_pdfs(consultation_id: int) -> list[str]:
    """Render and cache the response PDF in every language once it is published; returns the
    languages rendered (none when the response is not published)."""
    from consultations.models import Consultation
    from feedback.response.selectors import published_response
    from feedback.response.views import cache_pdfs

    consultation = Consultation.objects.get(pk=consultation_id)
    response = published_response(consultation)
    if response is None:
        return []
    response.consultation = consultation
    return cache_pdfs(consultation, response)

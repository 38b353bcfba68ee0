"""The task that tells residents a post-decision evaluation opened (``notify.FOLLOW_UP``).

Queued when the evaluation is first published (the hook ``consultation_follow_up_published``)
and when staff queue the failed notices again. Like ``feedback.response.tasks.notify_response``
it queues itself for the earliest retry; its arguments and result hold no personal data.
"""

from __future__ import annotations

from django_tasks import task

from feedback.after_decision.notify import FOLLOW_UP
from feedback.privacy.tasks import task_enqueue_once
from feedback.response.notify import notifications_send


@task()
def notify_follow_up(consultation_id: int) -> int:
    """Tell the residents of the original ``consultation_id`` who left a contact that its
    evaluation opened; returns how many were sent in this run."""
    result = notifications_send(consultation_id, notice=FOLLOW_UP)
    if result.next_attempt_at is not None:
        task_enqueue_once(notify_follow_up, consultation_id, run_after=result.next_attempt_at)
    return result.sent

"""The tasks of campaign grouping and the hook that queues them after opinions are stored:
``opinions_arrived`` groups, then indexes for search, each new or edited opinion.

The same hook (``submission_saved``) takes a withdrawn opinion out of everything that works on
its text, in the withdrawal's transaction (issue 12, "withdrawn means withdrawn"): campaign
grouping (:func:`feedback.campaigns.grouping.opinion_ungroup`), its search vector
(:func:`feedback.search.index.search_vectors_clear`) and the machine suggestions of coding that
await a decision: the theme suggestions for it, and candidate themes that show it as an example.
Suggestions rows are deleted through the model here, as ``feedback.coding.suggest`` does for a
new run, because capabilities do not import each other. Codings people made are kept (they are
the record of what was done) but no longer counted. No task is queued for a withdrawn opinion.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Least
from django.db.models.signals import post_save
from django.utils import timezone
from django_tasks import task

from feedback.campaigns.grouping import (
    group_new_opinions_now,
    opinion_ungroup,
    refresh_groups,
    regroup,
)
from feedback.models import (
    CampaignGroup,
    CampaignMember,
    CampaignScanState,
    Submission,
    Suggestion,
    TextSignature,
)

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


@task()
def group_new_opinions(consultation_id: int) -> int:
    """Kept for rows of this task name queued before :func:`opinions_arrived` replaced it."""
    return group_new_opinions_now(consultation_id)


def opinions_arrived_now(consultation_id: int) -> None:
    """Campaign grouping, then search indexing, of a consultation's new or edited opinions.
    Each runs even if the other failed (the failure is logged, then raised at the end so that
    the task is marked failed); a later run catches up on what a failed one left."""
    from feedback.search.index import index_new_opinions_now

    errors: list[Exception] = []
    for what, step in (
        ("campaign grouping", group_new_opinions_now),
        ("search indexing", index_new_opinions_now),
    ):
        try:
            step(consultation_id)
        except Exception as exc:
            log.exception("%s failed for consultation %s", what, consultation_id)
            errors.append(exc)
    if errors:
        raise errors[0]


@task()
def opinions_arrived(consultation_id: int) -> None:
    """The one task enqueued after a transaction that wrote opinions of a consultation."""
    opinions_arrived_now(consultation_id)


@task()
def regroup_task(consultation_id: int) -> int:
    return regroup(consultation_id)


# -- the hook -------------------------------------------------------------------------------------


def _enqueue_after_commit(consultation_id: int) -> None:
    """One task per consultation per transaction, however many opinions it wrote (one INSERT
    into the task queue on every opinion POST).

    "Already queued in this transaction" is read off the transaction's own list of on-commit
    callbacks, which Django empties on commit and on rollback (also of a savepoint), so a
    rolled-back transaction leaves nothing behind that would stop later opinions' tasks.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block and _covered_until.get(consultation_id, 0.0) > (
        time.monotonic()
    ):
        return  # committed already (autocommit), and a queued task will read it
    if connection.in_atomic_block:
        for _savepoints, callback, _robust in connection.run_on_commit:
            if getattr(callback, "opinions_of", None) == consultation_id and not callback.ran:
                return

    def run() -> None:
        run.ran = True  # (tests that run callbacks without a commit keep them in the list)
        try:
            _enqueue_without_waiting(consultation_id)
        except Exception:  # the opinion is stored; a later run or regroup catches up
            log.exception("could not enqueue opinions_arrived for consultation %s", consultation_id)

    run.opinions_of, run.ran = consultation_id, False
    transaction.on_commit(run)


# A queued ``opinions_arrived`` task may not be claimed before TASK_DELAY has passed; until
# TASK_COVERS seconds after queueing it, this process counts on it to also read the opinions
# it stores meanwhile (the difference allows for clocks of web and worker machines that
# disagree by up to a second). Per process: a web process queues at most one task per
# consultation per TASK_COVERS seconds, without a query to find out whether one waits.
TASK_DELAY = timedelta(seconds=2)
TASK_COVERS = 1.0
_covered_until: dict[int, float] = {}  # consultation id -> time.monotonic() deadline


def forget_queued_tasks() -> None:
    """Forget the tasks this process queued (tests; a new process starts with none)."""
    _covered_until.clear()


def _enqueue_without_waiting(consultation_id: int) -> None:
    """Queue the task unless one this process queued will start late enough to read these
    opinions too; queue it in a transaction whose commit does not wait for the disk
    (docs/adr/0007-opinion-post-path.md).

    Runs after the opinions' commit. The task is queued to run after TASK_DELAY: a worker
    cannot claim it before then (``run_after``), so it starts after every opinion this process
    commits within the next TASK_COVERS seconds and reads them all (it processes every opinion
    after the last one it processed). No query per opinion, and under load one task handles a
    batch instead of one task per opinion. The opinions are durable before this; a task lost
    in a crash at this instant is caught up by the next opinion's task, a regroup or
    ``search_reindex``.
    """
    from django_tasks_db.backend import DatabaseBackend

    backend = opinions_arrived.get_backend()
    if not isinstance(backend, DatabaseBackend):
        opinions_arrived.enqueue(consultation_id)
        return
    started = time.monotonic()
    if _covered_until.get(consultation_id, 0.0) > started:
        return
    connection = transaction.get_connection()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        opinions_arrived.using(run_after=timezone.now() + TASK_DELAY).enqueue(consultation_id)
    _covered_until[consultation_id] = started + TASK_COVERS


def submission_saved(sender, instance: Submission, created: bool, raw=False, **kwargs) -> None:
    if raw:
        return
    update_fields = kwargs.get("update_fields")
    if instance.withdrawn and not created:
        if update_fields is None or "withdrawn" in update_fields:
            withdrawn_forget(instance)
        return  # nothing of a withdrawn opinion is grouped or indexed: no task
    if not created:
        if update_fields is not None and not {"comment", "text_hash"} & set(update_fields):
            return
        stale = TextSignature.objects.filter(submission_id=instance.pk).exclude(
            text_hash=instance.text_hash
        )
        if not stale.exists():
            return
        stale.delete()
        membership = CampaignMember.objects.filter(
            submission_id=instance.pk, group__status=CampaignGroup.Status.SUGGESTED
        ).first()
        if membership is not None:
            membership.delete()
            _drop_or_refresh(membership.group_id, instance.pk)
        Submission.objects.filter(pk=instance.pk).update(search_vector=None)
        CampaignScanState.objects.filter(consultation_id=instance.consultation_id).update(
            generation=F("generation") + 1,
            last_submission_id=Least("last_submission_id", instance.pk - 1),
        )
    _enqueue_after_commit(instance.consultation_id)


def withdrawn_forget(submission: Submission) -> None:
    """Everything that worked on a withdrawn opinion's text lets go of it (see the module
    docstring). Runs in the withdrawal's transaction; safe to run again."""
    from feedback.search.index import search_vectors_clear

    opinion_ungroup(submission.consultation_id, submission.pk)
    search_vectors_clear([submission.pk])
    pending = Suggestion.objects.filter(
        consultation_id=submission.consultation_id, decision=Suggestion.Decision.PENDING
    )
    pending.filter(kind=Suggestion.Kind.OPINION_THEME, submission_id=submission.pk).delete()
    # A candidate theme's keywords and size were drawn from the texts of its cluster, and the
    # screen shows its examples: one built around the withdrawn text is dropped (a new run of
    # the suggestions makes candidates without it).
    pending.filter(
        kind=Suggestion.Kind.CANDIDATE_THEME, example_ids__contains=[submission.pk]
    ).delete()


def _drop_or_refresh(group_id: int, left: int) -> None:
    """After an opinion left a suggested group: a group of one is no group; otherwise it may
    need a new representative."""
    if CampaignMember.objects.filter(group_id=group_id).count() < 2:
        CampaignMember.objects.filter(group_id=group_id).delete()
        CampaignGroup.objects.filter(pk=group_id).delete()
        return
    CampaignGroup.objects.filter(pk=group_id, representative_id=left).update(representative=None)
    refresh_groups({group_id})


def connect_signals() -> None:
    post_save.connect(submission_saved, sender=Submission, dispatch_uid="campaign_submission_saved")

"""A post-decision evaluation (决策后评估) opened as a consultation of its own (issue 16 point 5).

条例 Art. 36: a decision may be evaluated after it has been implemented for a while, in particular
when "公民、法人或者其他组织提出较多意见", and the evaluation "应当注重听取社会公众的意见". The
department of a decided consultation opens the evaluation here: a draft consultation of the same
kind, department and districts, titled "决策后评估：…", linked to the original by
``Consultation.follow_up_of``. It is then edited, approved and published like any other
consultation; on its first publication the original's public page links to it (its row is
written, so the cached page is redone) and other apps are told through the Wagtail hook
``consultation_follow_up_published`` (``feedback.after_decision`` tells the residents who left a
contact). Opening it writes an audit entry in the same transaction (``consultations.events``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.events import audit_staff_action
from consultations.models import Consultation, Decision
from consultations.permissions import can_edit_consultation
from consultations.rules import ConsultationRuleError, RuleViolation
from consultations.slugs import unique_slug

TITLE_PREFIX = "决策后评估："
TITLE_PREFIX_EN = "Post-decision evaluation: "
AUDIT_ACTION = "decision"  # feedback.AuditAction.DECISION; the detail says what was done


def can_open_follow_up(user, consultation: Consultation) -> bool:
    """Editors and approvers of the consultation's department (and site administrators): the
    people who record the decision chain. Publishing the evaluation still takes the approver."""
    return bool(consultation.live) and can_edit_consultation(user, consultation)


def follow_up_of(consultation: Consultation) -> Consultation | None:
    """The evaluation opened for ``consultation`` (published or not), or None."""
    return consultation.follow_ups.order_by("pk").first()


def published_follow_up(consultation: Consultation) -> Consultation | None:
    return consultation.follow_ups.filter(live=True).order_by("pk").first()


def _title(prefix: str, title: str, limit: int) -> str:
    text = prefix + title
    return text if len(text) <= limit else text[: limit - 1] + "…"


@transaction.atomic
def follow_up_open(*, consultation: Consultation, user) -> Consultation:
    """Open the post-decision evaluation of ``consultation`` as a draft; returns it.

    Refused (``PermissionDenied``) for anyone but the department's editors and approvers, and
    (``ConsultationRuleError``, nothing changes) before the decision is recorded or when an
    evaluation was opened already."""
    original = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not can_open_follow_up(user, original):
        raise PermissionDenied
    if (
        original.stage != Consultation.Stage.DECIDED
        or not Decision.objects.filter(consultation=original).exists()
    ):
        raise ConsultationRuleError(
            [
                RuleViolation(
                    "not_decided",
                    "stage",
                    _("A post-decision evaluation can be opened once the decision is recorded."),
                )
            ]
        )
    existing = follow_up_of(original)
    if existing is not None:
        raise ConsultationRuleError(
            [
                RuleViolation(
                    "follow_up_exists",
                    "follow_up_of",
                    _("A post-decision evaluation was already opened: %(title)s")
                    % {"title": existing.title},
                )
            ]
        )
    title = _title(TITLE_PREFIX, original.title, 200)
    follow_up = Consultation(
        title=title,
        title_en=_title(TITLE_PREFIX_EN, original.title_en, 200) if original.title_en else "",
        slug=unique_slug(title),
        kind=original.kind,
        department_id=original.department_id,
        affected_area=original.affected_area,
        affected_area_en=original.affected_area_en,
        plain_summary=f"本次征求意见是对“{original.title}”决策实施情况的评估（决策后评估）。",
        plain_summary_en=(
            f"This consultation evaluates how the decision on “{original.title_en}” "
            "has been implemented (post-decision evaluation)."
            if original.title_en
            else ""
        ),
        follow_up_of=original,
        live=False,
        has_unpublished_changes=True,
    )
    follow_up.save()
    follow_up.districts.set(original.districts.all())
    follow_up.save()
    follow_up.save_revision(user=user if getattr(user, "pk", None) else None, log_action=True)
    audit_staff_action(
        actor=user if getattr(user, "pk", None) else None,
        action=AUDIT_ACTION,
        consultation=original,
        obj=follow_up,
        detail={"follow_up_opened": follow_up.pk, "follow_up_of": original.pk},
    )
    return follow_up


def follow_up_published(follow_up: Consultation) -> None:
    """On the evaluation's first publication (``services.consultation_publication_finish``):
    write the original's row, so its cached public page shows the link, and tell the other apps
    (the Wagtail hook ``consultation_follow_up_published``, called after the commit)."""
    if not follow_up.follow_up_of_id:
        return
    Consultation.objects.filter(pk=follow_up.follow_up_of_id).update(updated_at=timezone.now())
    from wagtail import hooks

    original_id, follow_up_id = follow_up.follow_up_of_id, follow_up.pk
    for hook in hooks.get_hooks("consultation_follow_up_published"):
        transaction.on_commit(
            lambda hook=hook: hook(original_id=original_id, follow_up_id=follow_up_id)
        )

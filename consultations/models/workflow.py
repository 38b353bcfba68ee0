from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task, TaskState


class DepartmentApprovalTask(Task):
    """Approval by an approver of the consultation's own department (see permissions.py).

    Wagtail's group approval task cannot express "the approver group, but only for this
    department", so the checks below ask ``permissions.can_publish_consultation`` for the object
    under review. Site administrators can always approve.
    """

    @staticmethod
    def _can_approve(obj, user) -> bool:
        from consultations.models.consultation import Consultation
        from consultations.permissions import can_publish_consultation

        if not isinstance(obj, Consultation):
            return bool(getattr(user, "is_superuser", False))
        return can_publish_consultation(user, obj)

    def start(self, workflow_state, user=None):
        # A lock held by someone who cannot approve would block the approver: release it.
        obj = workflow_state.content_object
        locked_by = getattr(obj, "locked_by", None)
        if locked_by is not None and not self._can_approve(obj, locked_by):
            obj.locked = False
            obj.locked_by = None
            obj.locked_at = None
            obj.save(update_fields=["locked", "locked_by", "locked_at"])
        return super().start(workflow_state, user=user)

    def user_can_access_editor(self, obj, user):
        return self._can_approve(obj, user)

    def locked_for_user(self, obj, user):
        return not self._can_approve(obj, user)

    def user_can_lock(self, obj, user):
        return self._can_approve(obj, user)

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if not self._can_approve(obj, user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve and publish"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from consultations.permissions import consultations_visible_to
        from consultations.roles import Role, is_site_admin, user_has_role

        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if is_site_admin(user):
            return states
        if not user_has_role(user, Role.APPROVER):
            return TaskState.objects.none()
        # WorkflowState.object_id is text; compare against the visible primary keys as text.
        visible = consultations_visible_to(user).annotate(
            pk_text=Cast("pk", output_field=models.CharField())
        )
        return states.filter(workflow_state__object_id__in=visible.values("pk_text"))

    @classmethod
    def get_description(cls):
        return _("Approvers of the consultation's own department can approve this task")

    class Meta:
        verbose_name = _("department approval")
        verbose_name_plural = _("department approvals")

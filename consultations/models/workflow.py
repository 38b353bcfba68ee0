from django.utils.translation import gettext_lazy as _
from wagtail.models import Task


class DepartmentApprovalTask(Task):
    """Approval by an approver of the consultation's own department (see permissions.py)."""

    class Meta:
        verbose_name = _("department approval")
        verbose_name_plural = _("department approvals")

"""The heartbeat of each running task worker (``manage.py db_worker``, cms/tasks_worker.py).

The queue itself is django-tasks-db's table; this small table of ours says which workers are
alive. A worker renews its row every few seconds from a thread of its own, also while a long
task runs. A task left "running" by a worker whose row was not renewed within
``TASK_LEASE_SECONDS`` (killed, machine lost) is put back in the queue by another worker, or
marked failed after ``TASK_MAX_ATTEMPTS`` claims (docs/reliability.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskWorker(models.Model):
    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("host name"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), default=0)
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid} ({self.worker_id})"

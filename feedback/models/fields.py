"""Model fields of the opinion register."""

from __future__ import annotations

import datetime

from django.db import models


def to_minute(value):
    if isinstance(value, datetime.datetime):
        return value.replace(second=0, microsecond=0)
    return value


class MinuteDateTimeField(models.DateTimeField):
    """A moment stored to the whole minute. Opinions and contacts keep no time fine enough to be
    matched with anything else written at the same moment (a log line, a counter, another
    table's row): issue 12, docs/privacy.md. Every write path truncates (save, ``update()``,
    ``bulk_create`` and the opinion's own INSERT, which go through ``pre_save`` or
    ``get_db_prep_save``); look-ups are left as they are."""

    def pre_save(self, model_instance, add):
        value = to_minute(super().pre_save(model_instance, add))
        if value is not None:
            setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value, connection):
        return super().get_db_prep_save(to_minute(value), connection)

"""The consultation list's GET filter form: plain HTML, works without JavaScript."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.i18n import localized
from consultations.models import Department, District, Kind
from consultations.models.consultation import Status

PUBLIC_STATUSES = [s for s in Status if s != Status.DRAFT]


class ConsultationFilterForm(forms.Form):
    q = forms.CharField(label=_("Words to search for"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    department = forms.ChoiceField(label=_("Department"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anything = [("", _("All"))]
        self.fields["status"].choices = anything + [(s.value, s.label) for s in PUBLIC_STATUSES]
        self.fields["kind"].choices = anything + list(Kind.choices)
        districts = list(District.objects.only("code", "name", "name_en"))
        departments = list(Department.objects.only("slug", "name", "name_en"))
        # Codes and slugs keep URLs readable; the selector gets ids (codes are often digits).
        self._district_ids = {d.code: d.pk for d in districts}
        self._department_ids = {d.slug: d.pk for d in departments}
        self.fields["district"].choices = anything + [
            (d.code, localized(d, "name")) for d in districts
        ]
        self.fields["department"].choices = anything + [
            (d.slug, localized(d, "name")) for d in departments
        ]
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def filters(self) -> dict:
        """Keyword arguments for ``consultation_list_public``, only for the filters in use."""
        data = self.cleaned_data
        result = {}
        for name in ("status", "kind"):
            if data.get(name):
                result[name] = data[name]
        if data.get("district"):
            result["district"] = self._district_ids[data["district"]]
        if data.get("department"):
            result["department"] = self._department_ids[data["department"]]
        if data.get("q", "").strip():
            result["q"] = data["q"].strip()
        return result

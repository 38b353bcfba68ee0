"""The consultation editor's form: guards that must hold whatever the editor clicks.

Once a consultation has opened, residents have commented on its clauses and answered its
questions, so those are frozen (a new draft version is the way to change the text) and its dates
change only through the extend service, which can only move the close later (R14). After
the close the clauses can be edited again, to be published as a new draft version. Editing a
published consultation needs a reason, which goes to the public change log (R9).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from consultations.models import Consultation, Department, District, Kind
from consultations.roles import is_site_admin, user_department_id
from consultations.rules import KIND_FIELDS

FROZEN_MESSAGE = _(
    "Questions and clauses are frozen once a consultation opens; "
    "publish a new draft version after it closes."
)
CHANGE_NOTE_REQUIRED = _(
    "Say why you are changing a published consultation; the reason is shown in the public "
    "change log."
)
DATES_FROZEN_HELP = _(
    "The consultation has opened: use “Extend the period” to move the closing date later."
)

# Child formsets frozen on opening, with the fields whose change counts as an edit. Questions
# stay frozen for good (answers refer to them); the clauses are the working copy of the draft
# and thaw at the close, when a new draft version is the way to publish a changed text.
FROZEN_FORMSETS = {
    "draft_clauses": ("heading", "heading_en", "text", "text_en"),
    "questions": (
        "type",
        "text",
        "text_en",
        "help_text",
        "help_text_en",
        "options",
        "options_en",
        "required",
        "scale_low_label",
        "scale_low_label_en",
        "scale_high_label",
        "scale_high_label_en",
    ),
}
PERIOD_FIELDS = ("opens_at", "closes_at")

SLUG_HELP = _(
    "The web address of the consultation. Leave it empty: it is made from the title in pinyin "
    "(for example shili-shi-tingche-shoufei)."
)
# Fields that only some kinds have (R7): requisition content, and the business flag of
# normative documents. Hidden fields are left out of the form, so their stored values are kept.
REQUISITION_FIELDS = (
    "requisition_scope",
    "requisition_purpose",
    "land_survey_arrangement",
    "land_status",
    "compensation_standard",
    "resettlement_targets",
    "resettlement_method",
    "social_security",
    "compensation_registration",
    "objection_channel",
    "review_litigation_rights",
)
KIND_ONLY_FIELDS: dict[str, tuple[str, ...]] = {
    **{
        kind: KIND_FIELDS.get(kind, ())
        for kind in (Kind.LAND_PRE_NOTICE, Kind.LAND_COMPENSATION, Kind.HOUSING_EXPROPRIATION)
    },
    Kind.LAND_COMPENSATION: (*KIND_FIELDS[Kind.LAND_COMPENSATION], "review_litigation_rights"),
    Kind.HOUSING_EXPROPRIATION: (
        *KIND_FIELDS[Kind.HOUSING_EXPROPRIATION],
        "requisition_scope",
        "requisition_purpose",
        "resettlement_method",
        "objection_channel",
        "review_litigation_rights",
    ),
    Kind.NORMATIVE_DOCUMENT: ("affects_businesses",),
}


def kind_fields_shown(kind: str) -> set[str]:
    """Which kind-specific fields the editor shows for ``kind`` (all while it is not chosen)."""
    every = {*REQUISITION_FIELDS, "affects_businesses"}
    if not kind or kind not in Kind.values:
        return every
    return set(KIND_ONLY_FIELDS.get(kind, ()))


def district_choices() -> list:
    """Districts grouped under their top-level district, each labelled with its path below it,
    for a list of checkboxes (no ctrl-click multi-select)."""
    nodes = list(District.objects.select_related("parent").order_by("code"))
    by_pk = {d.pk: d for d in nodes}
    groups: dict[int | None, list] = {}
    heads: dict[int | None, str] = {}

    def chain(d):
        path, node, seen = [], d, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            path.append(node)
            node = by_pk.get(node.parent_id)
        return list(reversed(path))

    for d in nodes:
        path = chain(d)
        # The group: the first node below the city (or the node itself at the top).
        top = path[1] if len(path) > 1 and path[0].level == District.Level.CITY else path[0]
        if d.level == District.Level.CITY and len(path) == 1:
            top = None
        key = top.pk if top is not None else None
        heads.setdefault(key, top.name if top is not None else str(_("Whole city")))
        below = path[path.index(top) :] if top is not None else path
        groups.setdefault(key, []).append((str(d.pk), " › ".join(n.name for n in below)))
    return [(heads[key], options) for key, options in groups.items()]


class ConsultationAdminForm(WagtailAdminModelForm):
    """Base form for the Consultation snippet (``base_form_class`` on the edit handler)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.live_consultation = self._load_live()
        self.is_frozen = bool(self.live_consultation and self.live_consultation.has_opened())
        self.is_published = bool(self.live_consultation and self.live_consultation.live)
        self._limit_department()
        self._kind_fields()
        self._slug_and_districts()
        if self.is_frozen:
            self._freeze_period()
        if self.is_published and "change_note" in self.fields:
            self.fields["change_note"].required = False  # checked in clean() with our message
            # The note already published belongs to an earlier change; ask for a fresh one.
            if (self.instance.change_note or "") == (self.live_consultation.change_note or ""):
                self.initial["change_note"] = ""

    def _load_live(self) -> Consultation | None:
        """The database row: the published state, whatever the draft revision says."""
        if not self.instance.pk:
            return None
        return Consultation.objects.filter(pk=self.instance.pk).first()

    def _limit_department(self) -> None:
        field = self.fields.get("department")
        user = self.for_user
        if field is None or user is None or is_site_admin(user):
            return
        department_id = user_department_id(user)
        field.queryset = Department.objects.filter(pk=department_id)
        field.disabled = True
        if self.instance.pk is None:
            self.initial["department"] = department_id

    def _kind_fields(self) -> None:
        """Show the requisition tab and other kind-only fields only for kinds that have them.

        The kind is the saved one (a new consultation shows them all until its kind is saved),
        so a field the editor could not see is never posted empty over a stored value.
        """
        shown = kind_fields_shown(self.instance.kind)
        for name in (*REQUISITION_FIELDS, "affects_businesses"):
            if name not in shown:
                self.fields.pop(name, None)

    def _slug_and_districts(self) -> None:
        if slug := self.fields.get("slug"):
            slug.required = False
            slug.help_text = SLUG_HELP
        if districts := self.fields.get("districts"):
            districts.widget = forms.CheckboxSelectMultiple(attrs={"class": "district-picker"})
            districts.choices = district_choices()
            districts.help_text = _("Tick every district, town or community the decision affects.")

    def _freeze_period(self) -> None:
        for name in PERIOD_FIELDS:
            field = self.fields.get(name)
            if field is None:
                continue
            field.disabled = True
            field.help_text = DATES_FROZEN_HELP
            self.initial[name] = getattr(self.live_consultation, name)

    def clean(self):
        cleaned_data = super().clean()
        if "slug" in self.fields and not (cleaned_data.get("slug") or "").strip():
            from consultations.slugs import unique_slug

            cleaned_data["slug"] = self.instance.slug or unique_slug(
                cleaned_data.get("title") or "", exclude_pk=self.instance.pk
            )
        if self.is_published and "change_note" in self.fields:
            if not (cleaned_data.get("change_note") or "").strip():
                self.add_error("change_note", CHANGE_NOTE_REQUIRED)
        return cleaned_data

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if valid and self.is_frozen and self.frozen_content_changed():
            self.add_error(None, forms.ValidationError(FROZEN_MESSAGE, code="frozen"))
            return False
        return valid

    def frozen_content_changed(self) -> bool:
        """Whether the submitted clauses or questions differ from the published ones.

        Compares content and order rather than ``has_changed()``, which also reacts to the
        ordering widget and to empty extra forms.
        """
        still_open = self.live_consultation.status == Consultation.Status.OPEN
        for relation, fields in FROZEN_FORMSETS.items():
            if relation == "draft_clauses" and not still_open:
                continue
            formset = self.formsets.get(relation)
            if formset is None:
                continue
            published = [
                tuple(_normalise(getattr(child, name)) for name in fields)
                for child in getattr(self.live_consultation, relation).all()
            ]
            if _submitted_rows(formset, fields) != published:
                return True
        return False


def _normalise(value):
    return value.strip() if isinstance(value, str) else value


def _submitted_rows(formset, fields) -> list[tuple]:
    deleted = set(formset.deleted_forms) if formset.can_delete else set()
    forms_in_order = formset.ordered_forms if formset.can_order else formset.forms
    rows = []
    for form in forms_in_order:
        if form in deleted or not getattr(form, "cleaned_data", None):
            continue
        rows.append(tuple(_normalise(form.cleaned_data.get(name)) for name in fields))
    return rows


# --- Two-person withdrawal (issue 13) ------------------------------------------------------


class WithdrawalRequestForm(forms.Form):
    """Step 1: an approver asks, with the reason shown in the public change log."""

    action = forms.ChoiceField(
        label=_("What should happen"),
        choices=[],
        widget=forms.RadioSelect,
        initial="unpublish",
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown in the public change log and on the consultation's page once confirmed. "
            "A second person (another approver of the department or a site administrator) "
            "must confirm."
        ),
    )
    reason_en = forms.CharField(
        label=_("Reason (English)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        from consultations.models import WithdrawalRequest

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = WithdrawalRequest.Action.choices


class WithdrawalDecisionForm(forms.Form):
    """Step 2: confirm, refuse (with a reason) or, for the requester, withdraw the request."""

    decision = forms.ChoiceField(
        choices=[("confirm", "confirm"), ("refuse", "refuse"), ("retract", "retract")],
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to refuse or to withdraw the request; shown in the change log."),
    )

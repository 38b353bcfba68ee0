"""The short form for an opinion during implementation: the opinion form's own fields and
cleaning (``feedback.intake.forms.OpinionForm``: clean_input, the idempotency token, the mobile
number check), without stance, alternatives, questions or clauses, and with the comment
required."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.intake.forms import OpinionForm as _OpinionForm
from feedback.intake.forms import PlainTextField
from feedback.models import AffectedStatus


class ImplementationOpinionForm(_OpinionForm):
    stance = None  # no stance: the proposal was decided
    comment = PlainTextField(
        label=_("Your opinion on the decision or how it is implemented"),
        required=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Please write your opinion before sending."),
            "max_length": _(
                "This text is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            ),
            "null_characters_not_allowed": _(
                "This text contains a NUL control character; please remove it and try again."
            ),
        },
    )
    affected_status = forms.ChoiceField(
        label=_("How does the decision affect you? (optional)"),
        choices=AffectedStatus.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    quote_consent = forms.BooleanField(
        label=_(
            "My words may be shown on this site without my name, if the department publishes "
            "opinions given during implementation."
        ),
        required=False,
    )

    def __init__(self, *args, consultation, **kwargs):
        # No alternatives, questions or clauses: the form does not depend on the draft.
        super().__init__(*args, consultation=consultation, **kwargs)

"""The opinion form validates as Django's own ``_clean_fields`` would, and the view's headers
are those of Django's ``never_cache``."""

from __future__ import annotations

import uuid

import pytest
from django import forms
from django.http import HttpResponse
from django.test import RequestFactory
from django.views.decorators.cache import never_cache as django_never_cache

from feedback import web
from feedback.intake import views
from feedback.intake.forms import IntakeForm, OpinionForm
from feedback.intake.views import form_parts
from feedback.tests.conftest import build_form

pytestmark = pytest.mark.django_db


def build(consultation, data, form_class=OpinionForm):
    return build_form(consultation, data, form_class)


def django_way(form):
    """The same form cleaned by Django's ``_clean_fields`` (BoundField per field)."""
    form._clean_fields = lambda: forms.Form._clean_fields(form)
    return form


def samples(consultation) -> list[dict]:
    parts = form_parts(consultation)
    questions = {q.type: q for q in parts.questions}
    alternative = parts.alternatives[0]
    clause = parts.clauses[0]
    valid = {
        "token": str(uuid.uuid4()),
        "stance": "oppose",
        "comment": "  选址离学校太近。  ",
        f"pref_{alternative.pk}": "prefer",
        f"clause_{clause.number}": "第一条要改",
        "contact_phone": "138 0013 8000",
    }
    for q in questions.values():
        if q.type == "multiple":
            valid[f"q_{q.pk}"] = ["0", "1"]
    return [
        valid,
        {**valid, "stance": "maybe", "contact_phone": "12345", "token": "not-a-uuid"},
        {"token": str(uuid.uuid4()), "comment": "x" * 5001},
        {"token": str(uuid.uuid4()), "comment": "a\x00b"},
        {"token": str(uuid.uuid4())},  # nothing given
        {},
    ]


@pytest.mark.parametrize("form_class", [OpinionForm, IntakeForm])
def test_same_cleaned_data_and_errors_as_django(open_consultation, form_class):
    from django.http import QueryDict

    for data in samples(open_consultation):
        query = QueryDict(mutable=True)
        for key, value in data.items():
            query.setlist(key, value if isinstance(value, list) else [value])
        ours = build(open_consultation, query.copy(), form_class)
        theirs = django_way(build(open_consultation, query.copy(), form_class))
        assert ours.is_valid() == theirs.is_valid()
        assert ours.errors.get_json_data() == theirs.errors.get_json_data()
        ours_data = {k: v for k, v in ours.cleaned_data.items() if k != "token"}
        theirs_data = {k: v for k, v in theirs.cleaned_data.items() if k != "token"}
        assert ours_data == theirs_data
        if ours.is_valid():
            assert ours.to_data() == theirs.to_data()
    assert build(open_consultation, None).is_valid() is False  # unbound: never valid


def test_a_disabled_field_is_cleaned_from_its_initial_value(open_consultation):
    form = build(open_consultation, {"token": str(uuid.uuid4()), "stance": "oppose"})
    form.fields = dict(form.fields)
    form.fields["stance"] = forms.ChoiceField(
        choices=[("support", "support"), ("oppose", "oppose")], disabled=True, initial="support"
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["stance"] == "support"


def test_never_cache_headers_equal_djangos():
    request = RequestFactory().get("/")

    def plain(request):
        return HttpResponse("ok")

    def cached(request):
        response = HttpResponse("ok")
        response["Cache-Control"] = "public, max-age=600"
        return response

    for view in (plain, cached):
        ours, theirs = views.never_cache(view)(request), django_never_cache(view)(request)
        assert ours["Cache-Control"] == theirs["Cache-Control"]
        assert ours.has_header("Expires") and theirs.has_header("Expires")
    assert views.never_cache(plain)(request)["Cache-Control"] == web.NO_STORE
    assert views.never_cache(plain).__name__ == "plain"

"""The majority count of a requisition plan (R29): one-use tokens, only a count and unused
tokens stored, never a roster entry linked to a stance; mandatory only above half."""

from __future__ import annotations

import pytest
from django.db import connection

from consultations.models import Consultation
from feedback.hearings import majority
from feedback.hearings.services import HearingRuleError
from feedback.models import AuditEntry, MajorityCount, MajorityToken
from feedback.tests import _hearing as h

pytestmark = pytest.mark.django_db

LAND = Consultation.Kind.LAND_COMPENSATION


def _count(roster: int, kind=LAND):
    c = h.consultation(kind)
    editor = h.editor_of(c)
    count = majority.majority_count_open(user=editor, consultation=c, roster_size=roster)
    return c, editor, count


def _objections(count, editor, n: int, issue: int | None = None) -> list[str]:
    tokens = majority.majority_tokens_issue(user=editor, count=count, number=issue or n)
    for token in tokens[:n]:
        assert majority.objection_record(count=count, token=token)
    count.refresh_from_db()
    return tokens


@pytest.mark.parametrize(
    ("roster", "objecting", "required"),
    [(10, 5, False), (10, 6, True), (9, 4, False), (9, 5, True)],
)
def test_hearing_is_mandatory_only_above_half(roster, objecting, required):
    c, editor, count = _count(roster)
    _objections(count, editor, objecting, issue=roster)
    assert count.objections == objecting
    assert count.majority_reached is required
    assert majority.hearing_required(c) is required
    from consultations.models import DecisionStep

    step = DecisionStep.objects.filter(consultation=c, step="hearing").first()
    assert bool(step and step.required) is required


def test_public_page_flags_the_hearing_at_half_plus_one(client, consultation_index):
    c, editor, count = _count(4)
    _objections(count, editor, 2, issue=4)
    page = client.get(f"/consultations/{c.slug}/hearing/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and 'id="hearing-not-required"' in page.content.decode()
    tokens = list(MajorityToken.objects.values_list("digest", flat=True))
    assert len(tokens) == 2
    response = client.post(
        f"/consultations/{c.slug}/hearing/objection/",
        {"token": "bad-token", "unlawful": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and 'id="token-refused"' in response.content.decode()


def test_a_token_counts_once_and_only_with_the_declaration(client, consultation_index):
    c, editor, count = _count(3)
    token = majority.majority_tokens_issue(user=editor, count=count, number=1)[0]
    url = f"/consultations/{c.slug}/hearing/objection/"
    no_declaration = client.post(url, {"token": token}, HTTP_ACCEPT_LANGUAGE="en")
    assert no_declaration.status_code == 400
    count.refresh_from_db()
    assert count.objections == 0
    ok = client.post(url, {"token": token.lower(), "unlawful": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert ok.status_code == 200 and 'id="counted"' in ok.content.decode()
    again = client.post(url, {"token": token, "unlawful": "on"}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    count.refresh_from_db()
    assert count.objections == 1


def test_no_more_tokens_than_the_roster_and_only_for_requisition_kinds():
    c, editor, count = _count(3)
    majority.majority_tokens_issue(user=editor, count=count, number=3)
    with pytest.raises(HearingRuleError):
        majority.majority_tokens_issue(user=editor, count=count, number=1)
    other = h.consultation()
    with pytest.raises(HearingRuleError):
        majority.majority_count_open(user=h.editor_of(other), consultation=other, roster_size=5)
    housing = h.consultation(Consultation.Kind.HOUSING_EXPROPRIATION)
    old_town = majority.majority_count_open(
        user=h.editor_of(housing), consultation=housing, roster_size=5
    )
    assert old_town.basis == MajorityCount.Basis.OLD_TOWN


def _all_rows() -> str:
    """Everything a database reader sees: every row of every table, as text."""
    out = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the catalogue
            out.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(out)


def test_a_database_reader_cannot_link_anyone_to_a_stance():
    """Play the reader: after tokens are made, handed out and some used, nothing in any table
    holds a token, a used token's digest, a time or order of use, or a link to a person."""
    c, editor, count = _count(6)
    tokens = majority.majority_tokens_issue(user=editor, count=count, number=6)
    used, unused = tokens[:4], tokens[4:]
    for token in used:
        assert majority.objection_record(count=count, token=token)
    dump = _all_rows()
    for token in tokens:
        assert majority.normalise_token(token) not in dump and token not in dump
    for token in used:
        assert majority.token_digest(token) not in dump  # a used token leaves no trace
    assert set(MajorityToken.objects.values_list("digest", flat=True)) == {
        majority.token_digest(t) for t in unused
    }
    # The token table: its digest as key and the count, nothing else (no id, no time, no user).
    columns = {f.column for f in MajorityToken._meta.get_fields() if hasattr(f, "column")}
    assert columns == {"digest", "count_id"}
    # The count row holds numbers only.
    count.refresh_from_db()
    assert (count.roster_size, count.tokens_issued, count.objections) == (6, 6, 4)
    # No audit entry was written for a resident's use of a token.
    steps = list(
        AuditEntry.objects.filter(action="majority_count").values_list("detail", flat=True)
    )
    assert [d["step"] for d in steps] == ["open", "tokens"]
    assert not any(d.get("tokens") == 1 and d["step"] != "tokens" for d in steps)


def test_paper_slips_are_counted_by_staff_in_one_entry():
    c, editor, count = _count(5)
    tokens = majority.majority_tokens_issue(user=editor, count=count, number=3)
    counted, refused = majority.paper_objections_enter(
        user=editor, count=count, tokens=[tokens[0], tokens[1], tokens[0], "XXXX"]
    )
    assert (counted, refused) == (2, 2)
    entry = AuditEntry.objects.filter(action="majority_count").last()
    assert entry.detail == {"step": "paper", "counted": 2, "refused": 2}

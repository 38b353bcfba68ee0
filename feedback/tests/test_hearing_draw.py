"""The draw is reproducible by anyone from the published record (R28): the seed's hash is
public before the draw and the seed after it; a changed seed, list or result is caught."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from feedback.hearings import draw, selectors, services
from feedback.tests import _hearing as h

pytestmark = pytest.mark.django_db


def test_algorithm_is_hmac_rank_within_category_and_stable():
    seed = "0" * 64
    entries = [("AAAA0001", "a"), ("AAAA0002", "a"), ("AAAA0003", "a"), ("BBBB0001", "b")]
    first = draw.draw(seed, entries, {"a": 2, "b": 3})
    assert first == draw.draw(seed, list(reversed(entries)), {"a": 2, "b": 3})
    ranks = sorted(["AAAA0001", "AAAA0002", "AAAA0003"], key=lambda n: draw.rank(seed, n))
    assert first["a"] == ranks[:2]
    assert first["b"] == ["BBBB0001"]  # fewer registrations than seats: all selected
    import hashlib
    import hmac

    assert (
        draw.rank(seed, "AAAA0001")
        == hmac.new(seed.encode(), b"AAAA0001", hashlib.sha256).hexdigest()
    )


def test_every_category_is_represented_and_the_draw_reproduces():
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, _t = h.through_draw(c, editor)
    record = selectors.draw_record(hearing)
    assert {k: len(v) for k, v in record["selected"].items()} == {"affected": 2, "public": 1}
    assert draw.verify(record) == []
    assert draw.seed_hash(record["seed"]) == record["seed_hash"]
    assert hearing.participants.count() == 3


def test_seed_is_secret_until_the_draw_and_its_hash_is_public_before():
    c = h.consultation()
    editor = h.editor_of(c)
    t = h.timeline()
    hearing = h.hearing_for(c, editor, t)
    services.notice_publish(user=editor, hearing=hearing, now=t.notice)
    h.register(hearing, "affected", now=t.notice)
    services.list_freeze(user=editor, hearing=hearing, now=t.closes)
    hearing.refresh_from_db()
    before = selectors.draw_record(hearing)
    assert before["seed"] == "" and len(before["seed_hash"]) == 64 and before["list_digest"]
    committed = before["seed_hash"]
    services.draw_run(user=editor, hearing=hearing, now=t.closes)
    hearing.refresh_from_db()
    after = selectors.draw_record(hearing)
    assert after["seed_hash"] == committed and draw.seed_hash(after["seed"]) == committed


@pytest.mark.parametrize("tamper", ["seed", "selected", "list"])
def test_a_tampered_record_is_caught(tamper):
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, _t = h.through_draw(c, editor)
    record = selectors.draw_record(hearing)
    if tamper == "seed":
        record["seed"] = "f" * 64
    elif tamper == "selected":
        chosen = record["selected"]["affected"]
        others = [r["number"] for r in record["registrations"] if r["category"] == "affected"]
        chosen[0] = next(n for n in others if n not in chosen)
    else:
        record["registrations"].append({"number": "ZZZZ9999", "category": "affected"})
    assert draw.verify(record)


def test_the_command_verifies_from_the_database_and_from_a_file(tmp_path, capsys):
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, _t = h.through_draw(c, editor)
    call_command("hearing_verify_draw", c.slug)
    assert "OK" in capsys.readouterr().out
    record = selectors.draw_record(hearing)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    call_command("hearing_verify_draw", "--file", str(path))
    record["selected"]["public"] = []
    path.write_text(json.dumps(record), encoding="utf-8")
    with pytest.raises(SystemExit) as failed:
        call_command("hearing_verify_draw", "--file", str(path))
    assert failed.value.code == 1


def test_public_draw_page_and_data_show_numbers_not_names(client, consultation_index):
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, _t = h.through_draw(c, editor)
    page = client.get(f"/consultations/{c.slug}/hearing/draw/", HTTP_ACCEPT_LANGUAGE="en")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'id="draw-verified"' in body and "HMAC-SHA256" in body
    data = client.get(f"/consultations/{c.slug}/hearing/draw/data/").json()
    assert draw.verify(data) == []
    for registration in hearing.registrations.all():
        assert registration.number in body
        assert registration.name not in body and registration.name not in json.dumps(data)
        assert registration.statement not in body


def test_draw_twice_is_refused():
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, t = h.through_draw(c, editor)
    with pytest.raises(services.HearingRuleError):
        services.draw_run(user=editor, hearing=hearing, now=t.closes + timedelta(days=1))

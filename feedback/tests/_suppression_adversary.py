"""The adversary of the suppression tests and the generated registers it attacks (see
``test_suppression_solver``): a reader who knows every number a page shows, what each label
means and how the figures relate, and takes the integer programme (``scipy.optimize.milp``) for
the smallest and largest value of each hidden figure."""

from __future__ import annotations

import math
import random
import uuid
from datetime import timedelta

import numpy as np
from django.utils import timezone
from scipy.optimize import Bounds, LinearConstraint, milp

from consultations.roles import Role
from consultations.tests.factories import AlternativeFactory, UserFactory, published_consultation
from feedback.analysis.suppression import is_hidden, kind_of
from feedback.models import (
    AffectedStatus,
    AlternativePreference,
    CampaignGroup,
    CampaignMember,
    Channel,
    ClauseComment,
    Coding,
    Concern,
    ConsultationResponse,
    Disposition,
    Stance,
    Submission,
    Theme,
    ThemeResponse,
)
from feedback.response.counts import response_totals
from feedback.response.report import build_report
from feedback.tests.conftest import ensure_clauses

STANCES = [*Stance.values, ""]
AFFECTED = [*AffectedStatus.values, ""]
TALLY = {"tried": 0, "recovered": 0, "pages": 0}


# --------------------------------------------------------------------------- generated data


def _skewed(rng: random.Random, values: list, heavy: int = 1):
    """A value where the first ``heavy`` ones are common and the rest rare: many small cells."""
    if rng.random() < 0.7:
        return rng.choice(values[:heavy])
    return rng.choice(values)


def generate_register(seed: int, fewest: int = 40, most: int = 160):
    """A consultation with ``fewest`` to ``most`` opinions whose breakdowns have many cells of 1
    to 4."""
    rng = random.Random(seed)
    now = timezone.now()
    consultation = published_consultation(
        opens_at=now - timedelta(days=40), closes_at=now + timedelta(days=5)
    )
    alternatives = [
        AlternativeFactory(consultation=consultation, title=f"方案{i}", sort_order=i)
        for i in range(2)
    ]
    clauses = ensure_clauses(consultation, count=4)
    analyst = UserFactory.with_role(Role.ANALYST, department=consultation.department)
    concerns = [Concern.HEALTH, Concern.SAFETY, Concern.COMPENSATION, *Concern.values]
    themes = [
        Theme.objects.create(
            consultation=consultation,
            name=f"主题{i}",
            sort_order=i,
            concern=concerns[i % len(concerns)],
        )
        for i in range(rng.randint(3, 6))
    ]
    n = rng.randint(fewest, most)
    channels = [Channel.WEB, Channel.PHONE, *Channel.values]
    subs = []
    for _i in range(n):
        day = now - timedelta(days=rng.randint(0, 35), minutes=rng.randint(0, 600))
        withdrawn = rng.random() < 0.06
        subs.append(
            Submission(
                consultation=consultation,
                receipt=uuid.uuid4().hex[:12].upper(),
                idempotency_token=uuid.uuid4(),
                received_at=day,
                channel=_skewed(rng, channels, 2),
                stance=_skewed(rng, [Stance.OPPOSE, Stance.SUPPORT, *STANCES], 2),
                affected_status=_skewed(rng, [AffectedStatus.LIVE, *AFFECTED], 1),
                withdrawn=withdrawn,
                withdrawn_at=day if withdrawn else None,
                text_hash=f"{rng.randint(0, n // 2):064d}",
            )
        )
    Submission.objects.bulk_create(subs)
    subs = list(Submission.objects.filter(consultation=consultation).order_by("pk"))
    codings, comments, preferences = [], [], []
    for s in subs:
        r = rng.random()
        if r < 0.08:
            s.no_theme_reason = "与本事项无关"
            s.no_theme_by = analyst
            s.save(update_fields=["no_theme_reason", "no_theme_by"])
        elif r < 0.93:  # the rest stays "not coded yet" on the dashboard
            chosen = {_skewed(rng, themes, 2) for _k in range(rng.choice([1, 1, 1, 2, 3]))}
            codings += [Coding(submission=s, theme=t, coded_by=analyst) for t in chosen]
        if rng.random() < 0.3:
            for clause in rng.sample(clauses, rng.randint(1, 2)):
                comments.append(ClauseComment(submission=s, clause=clause, text="意见"))
        if rng.random() < 0.3:
            preferences.append(
                AlternativePreference(
                    submission=s,
                    alternative=rng.choice(alternatives),
                    preference=_skewed(rng, ["prefer", "acceptable", "not_acceptable"]),
                )
            )
    Coding.objects.bulk_create(codings)
    ClauseComment.objects.bulk_create(comments)
    AlternativePreference.objects.bulk_create(preferences)
    members = rng.sample(subs, min(len(subs), rng.randint(2, 9)))
    for size in (2, len(members) - 2):
        if size < 2:
            continue
        group = CampaignGroup.objects.create(
            consultation=consultation, status=CampaignGroup.Status.CONFIRMED
        )
        chunk, members = members[:size], members[size:]
        CampaignMember.objects.bulk_create(
            [CampaignMember(group=group, submission=s) for s in chunk]
        )
    return consultation, themes, rng


# --------------------------------------------------------------------------- the adversary


class Adversary:
    """What a reader of one page knows: shown numbers, labels, relations. Hidden figures and
    figures a reader can name but not see (a column total) are variables."""

    def __init__(self, *, tally: bool = True) -> None:
        self.tally = tally  # counted in the figures of the closing note
        self.index: dict = {}
        self.known: dict = {}
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.truth: list[int] = []
        self.targets: list = []
        self.eq: list[tuple[dict, float]] = []
        self.le: list[tuple[dict, float]] = []

    def figure(
        self, key, shown, exact: int, *, lower: int = 0, headline: bool = False, people=True
    ):
        """A figure of the page: ``shown`` as the page shows it, ``exact`` the register's.
        ``headline``: received, withdrawn, counted, published exactly by the methodology;
        ``people=False``: not a count of people (campaign groups), never hidden for being
        small."""
        # A headline total is hidden only as a last resort (a tiny consultation), and then
        # labelled like any other figure. Never shown when small (headline totals and counts
        # of groups apart).
        small_shown = 0 < exact < 5 and not is_hidden(shown)
        assert headline or not people or not small_shown, (key, exact)
        if not is_hidden(shown):
            assert shown == exact, (key, shown, exact)  # never a false figure
            assert exact >= lower, key
            self.known[key] = exact
            return
        kind = kind_of(shown)
        if kind == "small":
            assert 1 <= exact <= 4, (key, exact)  # "<5" is true
            bounds = (max(1, lower), 4)
        elif kind == "protects":
            assert exact >= 5, (key, exact)  # "hidden" is never a small group
            bounds = (max(5, lower), math.inf)
        else:
            bounds = (lower, math.inf)
        self._var(key, exact, bounds)
        self.targets.append(key)

    def unknown(self, key, exact: int, lower: int = 0):
        """A figure the reader can name but the page does not show."""
        if key not in self.index and key not in self.known:
            self._var(key, exact, (lower, math.inf))

    def _var(self, key, exact, bounds):
        assert key not in self.index and key not in self.known, key
        self.index[key] = len(self.truth)
        self.truth.append(exact)
        self.lo.append(bounds[0])
        self.hi.append(bounds[1])

    def _row(self, terms):
        row, const = {}, 0.0
        for coef, key in terms:
            if key in self.known:
                const += coef * self.known[key]
            else:
                k = self.index[key]
                row[k] = row.get(k, 0.0) + coef
        return row, -const

    def equal(self, total, parts):
        self.eq.append(self._row([(1, total)] + [(-1, p) for p in parts]))

    def at_least(self, total, parts):  # sum(parts) >= total
        self.le.append(self._row([(1, total)] + [(-1, p) for p in parts]))

    def part_of(self, part, whole, times: int = 1):
        self.le.append(self._row([(times, part), (-1, whole)]))

    def percentage(self, part, whole, shown: float | None):
        """A percentage rounded to one decimal: whole * (shown - 0.05) <= 100 part <= ..."""
        if shown is None:
            return
        self.le.append(self._row([(-100, part), (shown - 0.05, whole)]))
        self.le.append(self._row([(100, part), (-(shown + 0.05), whole)]))

    def recovered(self) -> list:
        """Hidden figures whose smallest and largest whole-number values are the same."""
        n = len(self.truth)
        if not self.targets:
            return []
        rows, lows, highs = [], [], []
        for row, rhs in self.eq:
            rows.append(row)
            lows.append(rhs)
            highs.append(rhs)
        for row, rhs in self.le:
            rows.append(row)
            lows.append(-np.inf)
            highs.append(rhs)
        a = np.zeros((len(rows), n))
        for r, row in enumerate(rows):
            for k, v in row.items():
                a[r, k] = v
        truth = np.array(self.truth, dtype=float)
        residual = a @ truth
        # The register itself must fit what the adversary believes, or the test proves nothing.
        assert np.all(residual >= np.array(lows) - 1e-6) and np.all(
            residual <= np.array(highs) + 1e-6
        )
        big = 10 * (max(self.truth) + 10)
        bounds = Bounds(self.lo, [big if h == math.inf else h for h in self.hi])
        constraints = LinearConstraint(a, lows, highs) if rows else ()
        found = []
        for key in self.targets:
            k = self.index[key]
            values = []
            for sign in (1.0, -1.0):
                c = np.zeros(n)
                c[k] = sign
                result = milp(c, constraints=constraints, integrality=np.ones(n), bounds=bounds)
                assert result.status == 0, (key, result.message)
                values.append(round(result.x[k]))
            if values[0] == values[1]:
                found.append((key, values[0]))
        if self.tally:
            TALLY["tried"] += len(self.targets)
            TALLY["recovered"] += len(found)
            TALLY["pages"] += 1
        return found


def publish_report(consultation, themes, rng):
    """The response's figures as the publication stores them, and the report of the page."""
    for theme in themes:
        ThemeResponse.objects.create(
            theme=theme, disposition=rng.choice(Disposition.values), reason="理由"
        )
    Submission.objects.filter(
        consultation=consultation, codings__isnull=True, no_theme_reason=""
    ).update(no_theme_reason="与本事项无关")
    counts = response_totals(consultation)
    response = ConsultationResponse(consultation=consultation, counts=counts, summary="答复")
    return build_report(response), counts

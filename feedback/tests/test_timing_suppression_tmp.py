"""Timing of the dashboards on a few thousand opinions (not a test threshold)."""
import random, time, uuid
from datetime import timedelta
import pytest
from django.utils import timezone
from consultations.roles import Role
from consultations.tests.factories import AlternativeFactory, UserFactory, published_consultation
from feedback.analysis import aggregates
from feedback.models import AlternativePreference, ClauseComment, Coding, Concern, Submission, Theme, Channel, Stance, AffectedStatus
from feedback.risk import selectors as risk
from feedback.tests.conftest import ensure_clauses

pytestmark = pytest.mark.django_db

def test_timing():
    rng = random.Random(5)
    now = timezone.now()
    c = published_consultation(opens_at=now - timedelta(days=60), closes_at=now + timedelta(days=5))
    alts = [AlternativeFactory(consultation=c, title=f"方案{i}", sort_order=i) for i in range(3)]
    clauses = ensure_clauses(c, count=12)
    analyst = UserFactory.with_role(Role.ANALYST, department=c.department)
    concerns = [Concern.HEALTH, Concern.SAFETY, Concern.COMPENSATION, *Concern.values]
    themes = [Theme.objects.create(consultation=c, name=f"主题{i}", sort_order=i, concern=concerns[i % len(concerns)]) for i in range(12)]
    subs = []
    for _ in range(3000):
        day = now - timedelta(days=rng.randint(0, 55), minutes=rng.randint(0, 600))
        subs.append(Submission(consultation=c, receipt=uuid.uuid4().hex[:12].upper(), idempotency_token=uuid.uuid4(), received_at=day,
            channel=rng.choice([Channel.WEB]*6 + list(Channel.values)), stance=rng.choice([Stance.OPPOSE]*3 + [Stance.SUPPORT]*2 + list(Stance.values) + [""]),
            affected_status=rng.choice([AffectedStatus.LIVE]*3 + list(AffectedStatus.values) + [""]), withdrawn=(w := rng.random() < 0.03), withdrawn_at=day if w else None))
    Submission.objects.bulk_create(subs)
    subs = list(Submission.objects.filter(consultation=c))
    codings, comments, prefs = [], [], []
    for s in subs:
        for t in {rng.choice(themes[:4] * 3 + themes) for _ in range(rng.choice([1, 1, 2, 3]))}:
            codings.append(Coding(submission=s, theme=t, coded_by=analyst))
        if rng.random() < 0.3:
            for cl in rng.sample(clauses, 2):
                comments.append(ClauseComment(submission=s, clause=cl, text="x"))
        if rng.random() < 0.3:
            prefs.append(AlternativePreference(submission=s, alternative=rng.choice(alts), preference=rng.choice(["prefer", "acceptable", "not_acceptable"])))
    Coding.objects.bulk_create(codings); ClauseComment.objects.bulk_create(comments); AlternativePreference.objects.bulk_create(prefs)
    out = []
    for label, fn in (
        ("analysis exact", lambda: aggregates.dashboard(c, suppressed=False, keywords=False)),
        ("analysis suppressed", lambda: aggregates.dashboard(c, suppressed=True, keywords=False)),
        ("risk (assessor)", lambda: risk.dashboard(c)),
    ):
        fn()
        times = []
        for _ in range(3):
            t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
        out.append(f"{label}: {min(times)*1000:.0f} ms")
    d = aggregates.dashboard(c, suppressed=True, keywords=False)
    if "release" in d:
        r = d["release"]
        out.append(f"release: {len(r.values)} published cells, {len(r.hidden())} hidden, {r.rounds} rounds, {r.linear_programs} LPs")
    print("\nTIMING", " | ".join(out))
    import cProfile, pstats, io
    pr = cProfile.Profile(); pr.enable()
    aggregates.dashboard(c, suppressed=True, keywords=False)
    pr.disable(); s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(25); print(s.getvalue()[:6000])

"""Opinions through every channel, moderation cases, a campaign and coded themes (issue 15).

Everything goes through the services an official's screen uses: ``submission_create`` for web
opinions (with the moment they arrived, inside the period), ``offline_opinion_enter`` for what
the intake clerk typed in (received days earlier than it was entered), ``submission_withdraw``,
the coding services, moderation, the campaign grouping and search indexing the task worker runs
(called here synchronously) and the two-person 稳评 record. The texts are composed from parts
(``opinion_texts``) with a fixed seed, so every run makes the same demo.

The waste-to-energy plant (open) gets a few hundred opinions, coded in part (coding is work in
progress while a consultation is open); the closed parking rules and the school merger get a few
dozen each, all coded, so that the school merger can be answered (``responses``).
"""

# Size: one module on purpose: the demo's whole register (which opinions, through which
# channel, who coded and moderated them) reads in one place; the texts are in opinion_texts.

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from cms.demo_content import opinion_texts as texts
from consultations.models import Consultation
from feedback.campaigns.tasks import opinions_arrived_now
from feedback.coding.services import code, code_group, mark_no_theme, theme_create
from feedback.intake.offline import offline_opinion_enter
from feedback.intake.selectors import form_alternatives, form_clauses, form_questions
from feedback.intake.services import Answer, OpinionData, submission_create, submission_withdraw
from feedback.models import CampaignGroup, Channel, DisplayMode, ModerationState, Submission
from feedback.review.flags import flags_refresh
from feedback.review.moderation import display_settings_update, moderate
from feedback.risk.services import MeasureData, risk_assessment_confirm, risk_assessment_record

SEED = 15
WASTE_PLANT = "waste-to-energy-plant-siting"
PARKING = "residential-parking-fees"
SCHOOL = "hekou-school-merger"
GAS = "gas-safety-rules-draft"

# How many opinions of each kind the waste plant gets (about 330 in all).
WEB_OPINIONS = 170
CAMPAIGN_LONG_COPIES = 36
CAMPAIGN_SHORT_COPIES = 18
OFFLINE_OPINIONS = {
    Channel.PHONE: 20,
    Channel.LETTER: 14,
    Channel.WALK_IN: 12,
    Channel.SYMPOSIUM: 22,
    Channel.FIELD_VISIT: 12,
    Channel.EMAIL: 8,
    Channel.HOTLINE: 16,
}
WITHDRAWN = 7
CODED_SHARE = 0.8  # the rest is left for the analyst: coding is under way while it is open


@dataclass
class Draft:
    """One opinion to store: its content, how it arrived, and what the analyst will do."""

    data: OpinionData
    channel: str = Channel.WEB
    at: datetime | None = None  # web: the moment it arrived
    received_on: date | None = None  # offline: the day the letter, call or visit came in
    themes: list[str] = field(default_factory=list)
    clause_theme: tuple[int, str] | None = None  # (clause number, theme key) of its comment
    kind: str = ""  # "", "campaign", "personal", "abuse", "spam", "no_theme", "withdrawn"
    stored: Submission | None = None


def seed(users: dict) -> None:
    """Add this part of the demo; ``users`` maps demo usernames to users. Idempotent."""
    rng = random.Random(SEED)  # noqa: S311 - demo texts, not security
    plant = _untouched(WASTE_PLANT)
    if plant is not None:
        WastePlant(plant, users, rng).run()
    for slug, themes in ((PARKING, texts.PARKING_THEMES), (SCHOOL, texts.SCHOOL_THEMES)):
        consultation = _untouched(slug)
        if consultation is not None:
            seed_small(consultation, themes, users, rng, count=36 if slug == SCHOOL else 30)
    gas = _untouched(GAS)
    if gas is not None:
        for i, text in enumerate(texts.GAS_TEXTS * 2):
            _store(gas, _draft_web(gas, rng, comment=text if i < 8 else _reword(text, rng)))


def _untouched(slug: str) -> Consultation | None:
    """The consultation if it exists and has no opinions yet (so a second run adds nothing)."""
    consultation = Consultation.objects.filter(slug=slug).first()
    if consultation is None or Submission.objects.filter(consultation=consultation).exists():
        return None
    return consultation


def _moment(consultation: Consultation, rng: random.Random) -> datetime:
    """A moment within the period that has passed (web opinions arrive while it is open)."""
    start = consultation.opens_at + timedelta(minutes=30)
    end = min(consultation.closes_at, timezone.now()) - timedelta(minutes=30)
    return start + (end - start) * rng.random() ** 0.8


def _reword(text: str, rng: random.Random) -> str:
    return rng.choice(["", "我认为", "个人意见：", "补充一点："]) + text


def _draft_web(consultation, rng, *, comment: str, stance: str = "") -> Draft:
    data = OpinionData(
        stance=stance or rng.choice(["support", "conditional", "oppose", "unsure"]),
        affected_status=rng.choice(["live", "live", "work", "own", "other"]),
        comment=comment,
        quote_consent=rng.random() < 0.6,
    )
    _contact(data, rng)
    return Draft(data=data, at=_moment(consultation, rng))


def _contact(data: OpinionData, rng: random.Random) -> None:
    """About a quarter leave a contact for the answer (stored apart, never shown): example.com
    addresses and invented 1390000xxxx numbers."""
    draw = rng.random()
    if draw < 0.15:
        data.contact_email = f"resident{rng.randint(1000, 9999)}@example.com"
    elif draw < 0.25:
        data.contact_phone = f"1390000{rng.randint(1000, 9999)}"


def _store(consultation: Consultation, draft: Draft, clerk=None) -> Submission:
    if draft.channel == Channel.WEB:
        submission, _created = submission_create(
            consultation=consultation, data=draft.data, token=uuid.uuid4(), now=draft.at
        )
    else:
        submission = offline_opinion_enter(
            consultation=consultation,
            clerk=clerk,
            data=draft.data,
            token=uuid.uuid4(),
            channel=draft.channel,
            submitted_on=draft.received_on,
        ).submission
    draft.stored = submission
    return submission


class WastePlant:
    """The open major decision: every channel, a campaign, moderation, coding, 稳评."""

    def __init__(self, consultation: Consultation, users: dict, rng: random.Random):
        self.c = consultation
        self.users = users
        self.rng = rng
        self.by_key = {t["key"]: t for t in texts.WASTE_THEMES}
        self.clauses = {cl.number: cl for cl in form_clauses(consultation)}
        self.alternatives = list(form_alternatives(consultation))
        self.questions = {q.type: q for q in form_questions(consultation)}

    def run(self) -> None:
        drafts = self.drafts()
        for draft in drafts:
            _store(self.c, draft, clerk=self.users["intake"])
        self.withdraw(drafts)
        # What the task worker does after opinions arrive: campaign grouping, then search.
        opinions_arrived_now(self.c.pk)
        themes = self.code(drafts)
        self.moderate(drafts)
        self.assess(themes)

    # -- composing ---------------------------------------------------------------------------

    def drafts(self) -> list[Draft]:
        rng = self.rng
        drafts = [self.composed() for _i in range(WEB_OPINIONS)]
        for channel, count in OFFLINE_OPINIONS.items():
            for _i in range(count):
                draft = self.composed(offline=True)
                draft.channel = channel
                draft.data.comment = texts.OFFLINE_PREFIX[channel] + draft.data.comment
                draft.data.quote_consent = rng.random() < 0.3
                draft.received_on = self.received_on()
                drafts.append(draft)
        for i in range(CAMPAIGN_LONG_COPIES):
            ending = texts.CAMPAIGN_LONG_ENDINGS[i % len(texts.CAMPAIGN_LONG_ENDINGS)]
            drafts.append(self.campaign(f"{texts.CAMPAIGN_LONG}\n{ending}".strip(), "oppose"))
        for i in range(CAMPAIGN_SHORT_COPIES):
            short = texts.CAMPAIGN_SHORT[i % len(texts.CAMPAIGN_SHORT)]
            drafts.append(self.campaign(short, "oppose", themes=["site"]))
        drafts += [self.special(t, "personal", quote=True) for t in texts.PERSONAL_DATA]
        drafts.append(self.special(texts.ABUSE, "abuse", quote=True, themes=["odour"]))
        drafts += [self.special(t, "spam", quote=True) for t in texts.SPAM]
        drafts += [self.special(t, "no_theme") for t in texts.NO_THEME]
        rng.shuffle(drafts)
        # Web opinions in the order they arrived (the register's numbers follow time).
        return sorted(drafts, key=lambda d: (d.channel != Channel.WEB, d.at or timezone.now()))

    def received_on(self) -> date:
        first = timezone.localdate(self.c.opens_at)
        days = max((timezone.localdate() - first).days - 1, 0)
        return first + timedelta(days=self.rng.randint(0, days))

    def composed(self, offline: bool = False) -> Draft:
        rng = self.rng
        picked = rng.sample(texts.WASTE_THEMES, rng.choice([1, 1, 1, 2, 2, 3]))
        affected = rng.choice(["live", "live", "live", "work", "own", "other"])
        parts = [rng.choice(texts.OPENINGS[affected]), rng.choice(texts.DETAILS)]
        for theme in picked:
            parts += [rng.choice(theme["worries"]), rng.choice(theme["asks"])]
        if len(picked) == 1 and rng.random() < 0.5:
            parts.append(rng.choice([a for a in picked[0]["asks"] if a not in parts]))
        parts.append(rng.choice(texts.CLOSINGS))
        comment = "".join(parts)
        stance = rng.choice(picked[0]["stances"])
        data = OpinionData(
            stance=stance,
            affected_status=affected,
            comment=comment,
            quote_consent=rng.random() < 0.65,
        )
        _contact(data, rng)
        draft = Draft(data=data, at=None if offline else _moment(self.c, rng))
        draft.themes = [t["key"] for t in picked]
        self.add_parts(draft, picked, stance)
        return draft

    def add_parts(self, draft: Draft, picked: list[dict], stance: str) -> None:
        """Preferences for the sites, questionnaire answers and a clause comment."""
        rng, data = self.rng, draft.data
        keys = {t["key"] for t in picked}
        if self.alternatives and (rng.random() < 0.7 or "site" in keys):
            # People near one site tend to prefer the other; some accept both, some neither.
            near_option_two = rng.random() < 0.6
            first, second = self.alternatives[0], self.alternatives[1]
            choices = ["prefer", "acceptable", "not_acceptable"]
            if stance == "oppose":
                data.preferences = {first.pk: "not_acceptable", second.pk: "not_acceptable"}
                if rng.random() < 0.5:
                    data.preferences[first.pk if near_option_two else second.pk] = "acceptable"
            else:
                data.preferences = {
                    first.pk: "prefer" if near_option_two else rng.choice(choices[1:]),
                    second.pk: rng.choice(choices[1:]) if near_option_two else "prefer",
                }
        questions = self.questions
        if "single" in questions and rng.random() < 0.6:
            data.answers[questions["single"].pk] = Answer(options=[rng.choice([1, 1, 2, 3, 3])])
        if "multiple" in questions and rng.random() < 0.7:
            options = sorted({o for t in picked for o in t["q2"]} | {rng.randint(1, 6)})
            data.answers[questions["multiple"].pk] = Answer(options=options)
        if "scale" in questions and rng.random() < 0.65:
            scale = rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5])
            data.answers[questions["scale"].pk] = Answer(scale=scale)
        if "text" in questions and ("benefits" in keys or rng.random() < 0.15):
            data.answers[questions["text"].pk] = Answer(text=rng.choice(texts.QUESTION_TEXTS))
        with_clause = [t for t in picked if t["clause"] in self.clauses]
        if with_clause and rng.random() < 0.35:
            theme = with_clause[0]
            clause = self.clauses[theme["clause"]]
            data.clause_comments[clause.pk] = rng.choice(theme["asks"])
            draft.clause_theme = (theme["clause"], theme["key"])

    def campaign(self, comment: str, stance: str, themes=("site", "process")) -> Draft:
        data = OpinionData(
            stance=stance, affected_status="live", comment=comment, quote_consent=True
        )
        draft = Draft(data=data, at=self.burst_moment(), kind="campaign")
        draft.themes = list(themes)
        return draft

    def burst_moment(self) -> datetime:
        """Form letters arrive together, on the evening after a residents' meeting."""
        base = timezone.localtime(self.c.opens_at).replace(hour=20, minute=0) + timedelta(days=3)
        return min(base, timezone.now() - timedelta(hours=2)) + timedelta(
            minutes=self.rng.randint(0, 90)
        )

    def special(self, comment, kind, *, quote=False, themes=()) -> Draft:
        data = OpinionData(stance="oppose" if kind == "abuse" else "", comment=comment)
        data.quote_consent = quote
        draft = Draft(data=data, at=_moment(self.c, self.rng), kind=kind)
        draft.themes = list(themes) or (["traffic"] if kind == "personal" else [])
        return draft

    # -- what happened afterwards ------------------------------------------------------------

    def withdraw(self, drafts: list[Draft]) -> None:
        """Some authors withdrew their opinion (it stays in the register, counted as withdrawn)."""
        ordinary = [d for d in drafts if d.channel == Channel.WEB and not d.kind]
        for draft in self.rng.sample(ordinary, WITHDRAWN):
            submission_withdraw(submission=draft.stored)
            draft.kind = "withdrawn"

    def code(self, drafts: list[Draft]) -> dict:
        analyst = self.users["analyst"]
        themes = {
            t["key"]: theme_create(
                user=analyst,
                consultation=self.c,
                name=t["name"],
                name_en=t["name_en"],
                concern=t["concern"],
                shortcut=t["shortcut"],
                description=t["description"],
            )
            for t in texts.WASTE_THEMES
        }
        # The campaign's groups are coded as a whole, as the campaign screen does.
        campaign = {d.stored.pk: d for d in drafts if d.kind == "campaign"}
        grouped: set[int] = set()
        for group in CampaignGroup.objects.filter(consultation=self.c).order_by("pk"):
            members = set(group.members.values_list("submission_id", flat=True))
            if members and members <= set(campaign):
                for key in campaign[next(iter(members))].themes:
                    code_group(analyst, group, themes[key])
                grouped |= members
        for draft in drafts:
            submission = draft.stored
            if draft.kind == "withdrawn" or submission.pk in grouped:
                continue
            if draft.kind in ("spam", "no_theme"):
                reason = (
                    "与本次征求意见无关的广告。" if draft.kind == "spam" else "反映的是其他事项。"
                )
                mark_no_theme(analyst, submission, reason)
                continue
            if draft.kind == "" and self.rng.random() > CODED_SHARE:
                continue  # left for the analyst
            for key in draft.themes:
                code(analyst, submission, themes[key])
            if draft.clause_theme:
                number, key = draft.clause_theme
                comment = submission.clause_comments.filter(clause__number=number).first()
                if comment is not None:
                    code(analyst, submission, themes[key], clause_comment=comment)
        return themes

    def moderate(self, drafts: list[Draft]) -> None:
        """Public display on, under pre-moderation; most quotable opinions shown, the abusive
        and the advertising hidden (still counted), personal details left for a moderator."""
        display_settings_update(self.users["editor"], self.c, True, DisplayMode.PRE)
        moderator = self.users["analyst"]
        flags_refresh(Submission.objects.filter(consultation=self.c))
        for draft in drafts:
            submission = draft.stored
            if not draft.data.quote_consent or draft.kind in ("withdrawn", "personal"):
                continue
            if draft.kind == "abuse":
                moderate(moderator, submission, ModerationState.HIDDEN, "含有侮辱性语言。")
            elif draft.kind == "spam":
                moderate(
                    moderator, submission, ModerationState.HIDDEN, "广告，与本次征求意见无关。"
                )
            elif self.rng.random() < 0.75:
                moderate(moderator, submission, ModerationState.SHOWN, "")

    def assess(self, themes: dict) -> None:
        """The assessor records a provisional level; a site administrator confirms it."""
        change = risk_assessment_record(
            user=self.users["assessor"],
            consultation=self.c,
            level="medium",
            reasons=(
                "两处候选厂址周边均有较多居民表示反对或有条件支持，主要顾虑为烟气排放、臭气和运输；"
                "已出现联名意见，但尚未出现聚集或信访升级。采取下列措施后风险可控。"
            ),
            reasons_en=(
                "Many residents near both candidate sites oppose the plant or support it only "
                "on conditions, mainly about emissions, odour and transport; a joint letter was "
                "sent, but there has been no gathering or escalation. With the measures below "
                "the risk can be controlled."
            ),
            disclose=False,
            measures=[
                MeasureData(
                    concern="二噁英等烟气排放对健康的影响",
                    concern_en="Health effects of flue gas and dioxins",
                    measure="排放限值写入特许经营合同；二噁英检测改为每月一次并公开。",
                    measure_en="Limits in the concession contract; dioxins tested monthly.",
                    theme=themes["emissions"],
                ),
                MeasureData(
                    concern="填埋场与新设施叠加的臭气",
                    concern_en="Odour from the landfill and the new plant together",
                    measure="先行完成填埋场臭气治理；储坑全密闭负压运行。",
                    measure_en="Fix the landfill odour first; sealed waste pit under suction.",
                    theme=themes["odour"],
                ),
                MeasureData(
                    concern="垃圾车经过村庄和学校",
                    concern_en="Waste trucks passing villages and schools",
                    measure="修建专用运输道路，避开上下学时段。",
                    measure_en="A dedicated access road; no trucks at school run times.",
                    theme=themes["traffic"],
                ),
            ],
        )
        risk_assessment_confirm(user=self.users["admin"], change=change)


def seed_small(consultation, theme_specs, users, rng, *, count: int) -> None:
    """A closed consultation's opinions: web only, every one coded or marked "no theme"."""
    admin = users["admin"]
    clauses = {cl.number: cl for cl in form_clauses(consultation)}
    drafts = []
    for i in range(count):
        spec = theme_specs[i % len(theme_specs)]
        extra = theme_specs[(i * 7 + 3) % len(theme_specs)] if i % 5 == 0 else None
        details = texts.SMALL_DETAILS.get(consultation.slug, [""])
        comment = rng.choice(details) + _reword(rng.choice(spec["texts"]), rng)
        if extra is not None and extra is not spec:
            comment += rng.choice(extra["texts"])
        draft = _draft_web(consultation, rng, comment=comment)
        draft.themes = [spec["key"]] + ([extra["key"]] if extra and extra is not spec else [])
        if spec["clause"] in clauses and rng.random() < 0.3:
            draft.data.clause_comments[clauses[spec["clause"]].pk] = rng.choice(spec["texts"])
            draft.clause_theme = (spec["clause"], spec["key"])
        drafts.append(draft)
    other = _draft_web(consultation, rng, comment="村口的路灯坏了，请尽快修理。", stance="unsure")
    other.kind = "no_theme"
    drafts.append(other)
    drafts.sort(key=lambda d: d.at)
    for draft in drafts:
        _store(consultation, draft)
    # Two authors withdrew theirs while the consultation was open.
    for draft in drafts[3:5]:
        submission_withdraw(submission=draft.stored, now=draft.at + timedelta(hours=5))
        draft.kind = "withdrawn"
    opinions_arrived_now(consultation.pk)
    themes = {
        spec["key"]: theme_create(
            user=admin,
            consultation=consultation,
            name=spec["name"],
            name_en=spec["name_en"],
            concern=spec["concern"],
        )
        for spec in theme_specs
    }
    for draft in drafts:
        if draft.kind == "withdrawn":
            continue
        if draft.kind == "no_theme":
            mark_no_theme(admin, draft.stored, "反映的是其他事项，已转村委会。")
            continue
        for key in draft.themes:
            code(admin, draft.stored, themes[key])

"""A hearing through registration, draw, record and report; the majority count of a land plan (issue 16).

The school merger (kind "other") holds a hearing during its consultation period: notice 28 days
ahead, registrations in three categories, the list frozen and the seed's hash published, the
draw, the participant list, materials 8 days before, the record (presentation, statements,
questions, cross-examination, debate) with every participant's confirmation and one recorded
refusal, and the report with views adopted and not adopted. Each statement enters the opinion
register with the channel "hearing" (before the response, which demo_content/responses.py
publishes next). The land compensation plan gets its majority count: 112 members on the
roster, tokens made and 58 used, so the hearing is required by law. Every step goes through
``feedback.hearings``, dated when it would have happened.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

from consultations.models import Consultation
from consultations.periods import local_zone
from feedback.coding import services as coding
from feedback.hearings import majority, services
from feedback.hearings.services import CategoryData, RegistrationData
from feedback.models import Hearing, MajorityCount, Theme

SCHOOL = "hekou-school-merger"
LAND = "songlin-land-compensation-2026"

CATEGORIES = [
    CategoryData("parents", "在校学生家长", 4, "Parents of pupils"),
    CategoryData("villagers", "河口村、松林村村民", 3, "Villagers of Hekou and Songlin"),
    CategoryData("teachers", "两校教师", 2, "Teachers of both schools"),
]

REGISTRANTS = {
    "parents": [
        ("王秀兰", "孩子才二年级，每天坐校车来回8公里，谁来照看？"),
        ("李建国", "支持合并，中心小学能开齐音乐美术课。"),
        ("张丽", "希望保留低年级教学点，至少过渡两年。"),
        ("刘伟", "午餐的费用和质量由谁监督？"),
        ("陈芳", "雨雪天山路危险，校车停运时孩子怎么办？"),
        ("杨军", "合并后课后托管能否延长到五点半？"),
        ("赵敏", "反对合并，村里没有学校村子就空了。"),
        ("黄海燕", "希望家长能参与校车线路的安排。"),
        ("周强", "中心小学班额会不会太大？"),
    ],
    "villagers": [
        ("吴德明", "老校舍以后做什么用？希望改成村民活动中心。"),
        ("孙桂英", "孙子住在村东头，离停靠点太远。"),
        ("马永福", "合并是好事，但要先把路修好。"),
        ("胡建华", "希望公开校车司机和车辆的资质。"),
        ("郭淑珍", "村里老人接送不便，校车要到家门口附近。"),
    ],
    "teachers": [
        ("林晓东", "河口村小学的老师如何安排？"),
        ("何静", "建议中心小学设立低年级适应班。"),
    ],
}

RECORD = [
    # (kind, speaker: (category, n-th drawn participant) or None, label otherwise, stance, text)
    ("presentation", None, "区教育局", "", "介绍合并方案、依据和校车、午餐、教学点安排。"),
    (
        "statement",
        ("parents", 0),
        "",
        "conditional",
        "可以接受合并，但每辆校车必须配备随车照管员。",
    ),
    ("statement", ("parents", 1), "", "support", "支持合并，孩子能上齐音乐、美术和科学课。"),
    (
        "statement",
        ("parents", 2),
        "",
        "conditional",
        "低年级应保留村里教学点至少两年，再视情况合并。",
    ),
    ("statement", ("villagers", 0), "", "unsure", "希望说明老校舍今后的用途，并听取村民意见。"),
    (
        "statement",
        ("villagers", 1),
        "",
        "oppose",
        "村东头没有停靠点，孩子要走两公里才能上车，不同意现方案。",
    ),
    ("statement", ("teachers", 0), "", "support", "支持合并，教师可以集中教研。"),
    ("question", ("parents", 3), "", "", "雨雪天校车停运时，学校如何通知、孩子如何上课？"),
    ("explanation", None, "区教育局", "", "停运前一天由学校短信通知，并安排线上课程和补课。"),
    ("cross_exam", ("villagers", 1), "", "", "停靠点的设置依据是什么？是否实地测量过步行距离？"),
    ("explanation", None, "区教育局", "", "按现有道路设置三个停靠点，同意会后实地复核。"),
    ("debate", ("villagers", 2), "", "", "村里没有学校，年轻人更不愿意留下。"),
    ("debate", ("parents", 1), "", "", "教学质量上不去，家长也会把孩子送到镇上。"),
]

VIEWS = [
    (
        "每辆校车配备随车照管员。",
        "An escort on every school bus.",
        True,
        "已采纳，写入修改后的第二条。",
        "Adopted: in revised clause 2.",
    ),
    (
        "低年级在村里保留教学点过渡。",
        "Keep a teaching point for the youngest pupils in the village for a transition.",
        True,
        "已采纳：一至二年级在河口村教学点就读至2028年7月。",
        "Adopted: years 1–2 stay at a Hekou teaching point until July 2028.",
    ),
    (
        "在村东头增设校车停靠点。",
        "A bus stop at the east end of the village.",
        True,
        "已采纳：会后实地复核，增设第三个停靠点。",
        "Adopted: after a site visit a third stop was added.",
    ),
    (
        "不合并，继续保留河口村小学全部年级。",
        "No merger; keep every year group at Hekou.",
        False,
        "未采纳：三个年级不足8人，无法开齐国家规定课程，合并有利于教学质量。",
        "Not adopted: three year groups have fewer than 8 pupils and cannot be taught the full "
        "national curriculum.",
    ),
]


# The school merger's themes (demo_content/opinions.py) of each statement, so that the response
# can be published with every opinion coded: statement text → theme name.
STATEMENT_THEMES = {
    "可以接受合并，但每辆校车必须配备随车照管员。": "上学路程和校车安全",
    "支持合并，孩子能上齐音乐、美术和科学课。": "教学质量和师资",
    "低年级应保留村里教学点至少两年，再视情况合并。": "低年级孩子的照顾",
    "希望说明老校舍今后的用途，并听取村民意见。": "闲置校舍的用途",
    "村东头没有停靠点，孩子要走两公里才能上车，不同意现方案。": "上学路程和校车安全",
    "支持合并，教师可以集中教研。": "教学质量和师资",
}


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=local_zone())


def seed(users: dict) -> None:
    """Add this part of the demo; ``users`` maps demo usernames to users. Idempotent."""
    school = Consultation.objects.filter(slug=SCHOOL).first()
    if school is not None and not Hearing.objects.filter(consultation=school).exists():
        _school_hearing(school, users["admin"])
    land = Consultation.objects.filter(slug=LAND).first()
    if land is not None and not MajorityCount.objects.filter(consultation=land).exists():
        _land_count(land, users.get("editor2") or users["admin"])


def _school_hearing(c: Consultation, user) -> None:
    opened = c.opens_at.astimezone(local_zone()).date()
    notice = _at(opened, 9)
    starts = _at(opened + timedelta(days=28), 9, 30)
    closes = _at(opened + timedelta(days=18), 17)
    hearing = services.hearing_save(
        user=user,
        consultation=c,
        fields={
            "starts_at": starts,
            "registration_closes_at": closes,
            "place": "松林镇人民政府三楼会议室（松林镇中心路18号）",
            "place_en": "Songlin Town Government, 3rd floor meeting room (18 Zhongxin Road)",
            "explanation": (
                "区教育局拟将河口村小学并入松林镇中心小学。听证会听取家长、村民和教师对合并方案，"
                "特别是校车、午餐和低年级安排的意见。方案全文见本征求意见页面。"
            ),
            "explanation_en": (
                "The district proposes to merge Hekou Village Primary into Songlin Central "
                "Primary. The hearing hears parents, villagers and teachers on the plan, in "
                "particular the bus, lunches and the youngest pupils. The full plan is on this "
                "consultation's page."
            ),
            "selection_method": (
                "按家长、村民、教师三类报名，每类名额分别为4、3、2名。报名人数超过名额的类别，"
                "在该类别内公开抽签：报名截止后公布报名名单（编号和类别）及随机种子的SHA-256值，"
                "抽签后公布种子，任何人均可复核。"
            ),
            "selection_method_en": (
                "Registration in three categories: parents (4 seats), villagers (3) and "
                "teachers (2). Where more register than there are seats, a public draw within "
                "the category: after registration closes, the list (numbers and categories) "
                "and the SHA-256 of the random seed are published; the seed after the draw, "
                "so anyone can check it."
            ),
        },
        categories=CATEGORIES,
    )
    services.notice_publish(user=user, hearing=hearing, now=notice)
    rng = random.Random(16)  # noqa: S311 - a repeatable demo, not a secret
    for code, people in REGISTRANTS.items():
        category = hearing.categories.get(code=code)
        for n, (name, statement) in enumerate(people):
            services.registration_create(
                hearing=hearing,
                data=RegistrationData(
                    name=name,
                    category=category,
                    statement=statement,
                    contact_phone=f"139{rng.randrange(10**8):08d}",
                ),
                token=uuid.UUID(int=rng.getrandbits(128)),
                now=notice + timedelta(days=1 + n),
            )
    services.list_freeze(user=user, hearing=hearing, now=closes + timedelta(hours=16))
    services.draw_run(user=user, hearing=hearing, now=closes + timedelta(days=1, hours=1))
    services.participants_publish(
        user=user, hearing=hearing, now=closes + timedelta(days=1, hours=2)
    )
    services.materials_sent_record(
        user=user,
        hearing=hearing,
        sent_on=starts.date() - timedelta(days=8),
        now=closes + timedelta(days=2),
    )
    by_category: dict[str, list] = {}
    for p in hearing.participants.select_related("category").order_by("pk"):
        by_category.setdefault(p.category.code, []).append(p)
    participants = [p for group in by_category.values() for p in group]
    during = starts + timedelta(minutes=10)
    for n, (kind, speaker, label, stance, text) in enumerate(RECORD):
        participant = by_category[speaker[0]][speaker[1]] if speaker else None
        item = services.record_item_add(
            user=user,
            hearing=hearing,
            kind=kind,
            text=text,
            speaker=participant,
            speaker_label=label if participant is None else "",
            stance=stance,
            now=during + timedelta(minutes=5 * n),
        )
        theme = Theme.objects.filter(consultation=c, name=STATEMENT_THEMES.get(text, "")).first()
        if item.submission is not None and theme is not None:
            coding.code(user, item.submission, theme)
    end = starts + timedelta(hours=3)
    for n, participant in enumerate(participants):
        refused = n == len(participants) - 1
        services.participant_confirm(
            user=user,
            participant=participant,
            confirmed=not refused,
            note="当场拒绝在记录上签字，称其发言记录不完整；已当场补记其补充意见。"
            if refused
            else "",
            now=end,
        )
    services.hearing_mark_held(user=user, hearing=hearing, now=end + timedelta(minutes=5))
    for summary, summary_en, adopted, reason, reason_en in VIEWS:
        services.view_add(
            user=user,
            hearing=hearing,
            summary=summary,
            summary_en=summary_en,
            adopted=adopted,
            reason=reason,
            reason_en=reason_en,
        )
    services.report_publish(
        user=user,
        hearing=hearing,
        report=(
            "听证会于松林镇人民政府举行，9名听证参加人全部到会，就合并方案陈述意见并进行询问、质证和辩论。"
            "听证中提出的主要意见及采纳情况如下表；采纳的意见已写入修改后的方案。"
        ),
        report_en=(
            "The hearing was held at Songlin Town Government with all 9 participants present, "
            "who stated their views, asked questions, cross-examined and debated. The main "
            "views and what was done with them are listed below; those adopted are in the "
            "revised plan."
        ),
        now=starts + timedelta(days=4),
    )


def _land_count(c: Consultation, user) -> None:
    count = majority.majority_count_open(user=user, consultation=c, roster_size=112)
    tokens = majority.majority_tokens_issue(user=user, count=count, number=112)
    rng = random.Random(47)  # noqa: S311 - a repeatable demo, not a secret
    used = rng.sample(tokens, 58)
    online, paper = used[:40], used[40:]
    for token in online:
        majority.objection_record(count=count, token=token)
    majority.paper_objections_enter(user=user, count=count, tokens=paper)

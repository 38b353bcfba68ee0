"""Published official responses, approved by a second person, with their PDF (issue 15).

The school merger is answered as an official would: the department's editor revises the draft
(a published revision after the close freezes draft version 2), sets a disposition and reason
for every theme, submits the response, and the department's approver, a second person, approves
it, which publishes it and moves the consultation to "response published"
(``feedback.response.services``). Its PDF is rendered now, as the task worker would, so that the
first resident who asks for it does not wait. The history is dated as it would have happened:
submitted 16 and approved 18 days after the close.
"""

from __future__ import annotations

from datetime import timedelta

from consultations.models import ChangeLogEntry, Consultation
from feedback.coding.services import code, mark_no_theme
from feedback.models import ConsultationResponse, Disposition, Theme
from feedback.response.selectors import uncoded_opinions
from feedback.response.services import disposition_set, response_approve, response_submit
from feedback.response.views import cache_pdfs

SCHOOL = "hekou-school-merger"
SUBMITTED_AFTER_DAYS = 16
APPROVED_AFTER_DAYS = 18

# The revised draft: clause number → (new text, new English text).
REVISED_CLAUSES = {
    1: (
        "自下学年起，河口村小学三至六年级学生转入松林镇中心小学就读，学籍随迁。"
        "一至二年级学生在河口村教学点就读至2028年7月，由中心小学统一管理和派出教师。",
        "From next school year, pupils in years 3–6 move to Songlin Central Primary with "
        "their records. Years 1–2 stay at a Hekou teaching point until July 2028, run and "
        "staffed by the central school.",
    ),
    2: (
        "区教育局为河口村学生提供免费校车和免费午餐。校车每车配备随车照管员，"
        "在河口村设三个停靠点，时刻表每学期开学前公布；雨雪天气由学校提前通知停运或改时。",
        "The district provides a free school bus and free lunch for Hekou pupils. Every bus "
        "has an escort and stops at three points in Hekou; the timetable is published before "
        "each term, and the school gives notice of cancellations or changes in rain or snow.",
    ),
}

# Theme name → (disposition, reason, English reason, changed clause numbers).
DISPOSITIONS = {
    "上学路程和校车安全": (
        Disposition.ADOPTED,
        "采纳。修改后的第二条规定每辆校车配备随车照管员，在河口村设三个停靠点，"
        "时刻表每学期开学前公布，雨雪天气提前通知。",
        "Adopted. Revised clause 2 puts an escort on every bus, adds three stops in Hekou, "
        "publishes the timetable before each term and requires notice in rain or snow.",
        [2],
    ),
    "低年级孩子的照顾": (
        Disposition.PARTLY,
        "部分采纳。一至二年级学生在河口村教学点就读至2028年7月（修改后的第一条）；"
        "此后是否继续保留，将根据届时学生人数再次征求家长意见。"
        "全部低年级长期留在村里的建议未采纳：教学点只有两个年级时才能配齐教师。",
        "Partly adopted. Years 1–2 stay at a Hekou teaching point until July 2028 (revised "
        "clause 1); whether it stays after that will be put to parents again. Keeping all "
        "young pupils in the village for good was not adopted: the point can be fully staffed "
        "only with two year groups.",
        [1],
    ),
    "教学质量和师资": (
        Disposition.ADOPTED,
        "采纳。中心小学合并后每班不超过45人，音乐、美术、科学课由专任教师授课；"
        "第三条已规定调入教师待遇不降低。",
        "Adopted. After the merger no class at the central school exceeds 45 pupils and music, "
        "art and science are taught by specialist teachers; clause 3 already keeps the "
        "teachers' terms.",
        [],
    ),
    "保留村小学": (
        Disposition.NOT_ADOPTED,
        "未采纳。河口村小学六个年级中有三个不足8人，长期无法开齐国家规定的课程；"
        "增派教师也难以解决小班额下的教学质量问题。保留一至二年级教学点是对这一意见的部分回应。",
        "Not adopted. Three of the school's six year groups have fewer than 8 pupils and it "
        "has long been unable to teach the full national curriculum; more teachers would not "
        "solve the quality problem of such small classes. Keeping years 1–2 at a teaching "
        "point answers part of this concern.",
        [],
    ),
    "闲置校舍的用途": (
        Disposition.OUT_OF_SCOPE,
        "不属于本次征求意见的事项，已转松林镇人民政府和河口村村民委员会研究，"
        "校舍用途将由村民代表会议讨论决定。",
        "Outside this consultation: passed to Songlin Town Government and the Hekou Village "
        "committee; the villagers' representative meeting will decide how the building is used.",
        [],
    ),
}

# Opinions that arrived after the opinions step (the hearing's statements, hearings.py) are
# coded before the response is written, as an analyst would: by what they talk about.
THEME_WORDS = {
    "上学路程和校车安全": ("校车", "停靠", "上学路", "步行"),
    "低年级孩子的照顾": ("低年级", "一二年级", "教学点", "午休"),
    "教学质量和师资": ("音乐", "美术", "教研", "教学质量", "老师", "教师"),
    "保留村小学": ("撤并", "没有学校", "保留村小", "反对合并"),
    "闲置校舍的用途": ("校舍", "教室"),
}

SUMMARY = (
    "征求意见期间共收到意见（含撤回）{received}条。我们逐条阅读了全部意见，归纳为五类，"
    "逐类说明采纳情况如下。根据意见，我们修改了第一条和第二条：一至二年级在河口村教学点就读至2028年，"
    "校车配备照管员并增设停靠点。"
)
SUMMARY_EN = (
    "We received {received} opinions (withdrawn ones included), read every one and grouped "
    "them into five themes; how each was taken into account is set out below. Because of them "
    "we changed clauses 1 and 2: years 1–2 stay at a Hekou teaching point until 2028, and the "
    "school bus has an escort and more stops."
)


def seed(users: dict) -> None:
    """Add this part of the demo; ``users`` maps demo usernames to users. Idempotent."""
    school = Consultation.objects.filter(slug=SCHOOL).first()
    if school is None or ConsultationResponse.objects.filter(consultation=school).exists():
        return
    if not Theme.objects.filter(consultation=school).exists():
        return  # no opinions were seeded (the opinions step did not run)
    editor, approver = users["editor3"], users["approver3"]
    code_remaining(school, users["admin"])
    draft_to = revise_draft(school, editor)
    draft_from = school.draft_versions.get(number=1)
    for theme in Theme.objects.filter(consultation=school):
        disposition, reason, reason_en, numbers = DISPOSITIONS[theme.name]
        disposition_set(
            user=editor,
            theme=theme,
            disposition=disposition,
            reason=reason,
            reason_en=reason_en,
            changed_clauses=list(draft_to.clauses.filter(number__in=numbers)),
        )
    received = school.submissions.count()
    closed = school.closes_at
    response_submit(
        user=editor,
        consultation=school,
        summary=SUMMARY.format(received=received),
        summary_en=SUMMARY_EN.format(received=received),
        draft_from=draft_from,
        draft_to=draft_to,
        now=closed + timedelta(days=SUBMITTED_AFTER_DAYS),
    )
    published = closed + timedelta(days=APPROVED_AFTER_DAYS)
    response = response_approve(user=approver, consultation=school, now=published)
    backdate(school, submitted=closed + timedelta(days=SUBMITTED_AFTER_DAYS), published=published)
    response.consultation = Consultation.objects.get(pk=school.pk)
    cache_pdfs(response.consultation, response)


def code_remaining(school: Consultation, coder) -> None:
    """Code what is still uncoded by the words it uses, or mark it "no theme" with a reason."""
    themes = {t.name: t for t in Theme.objects.filter(consultation=school)}
    for submission in uncoded_opinions(school).prefetch_related("clause_comments"):
        text = " ".join([submission.comment, *(c.text for c in submission.clause_comments.all())])
        names = [name for name, words in THEME_WORDS.items() if any(w in text for w in words)]
        for name in names:
            if name in themes:
                code(coder, submission, themes[name])
        if not any(name in themes for name in names):
            mark_no_theme(coder, submission, "与本次征求意见的事项无关。")


def revise_draft(school: Consultation, editor):
    """The editor's revision of clauses 1 and 2, published after the close: the publication
    path freezes it as draft version 2 (consultations.services)."""
    page = Consultation.objects.get(pk=school.pk)
    clauses = list(page.draft_clauses.all().order_by("sort_order"))
    for number, (text, text_en) in REVISED_CLAUSES.items():
        clauses[number - 1].text, clauses[number - 1].text_en = text, text_en
    page.draft_clauses = clauses
    page.change_note = "根据征求意见修改第一条（低年级教学点）和第二条（校车照管和停靠点）。"
    revision = page.save_revision(user=editor, log_action=True)
    revision.publish(user=editor, skip_permission_checks=True)
    return school.draft_versions.order_by("-number").first()


def backdate(school: Consultation, *, submitted, published) -> None:
    """Date the demo's history as it would have happened (as ``seed_demo`` does for the rest)."""
    log = school.change_log
    log.filter(type=ChangeLogEntry.Type.EDITED).update(created_at=submitted - timedelta(days=1))
    school.draft_versions.filter(number__gt=1).update(created_at=submitted - timedelta(days=1))
    log.filter(type=ChangeLogEntry.Type.RESPONSE_SUBMITTED).update(created_at=submitted)
    log.filter(type__in=[ChangeLogEntry.Type.RESPONSE_APPROVED, ChangeLogEntry.Type.STAGE]).update(
        created_at=published
    )
    ConsultationResponse.objects.filter(consultation=school).update(submitted_at=submitted)

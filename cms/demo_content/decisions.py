"""Decisions with their dates and the decision chain; a late response shows 反馈逾期 (issues 15, 16).

The school merger goes through the whole chain (the hearing is recorded by demo_content/hearings.py
when its report is published): an expert review with the experts' opinions and how they were
adopted, the stability assessment, the legality review, and the district government's decision
at an executive meeting, with its document. The parking-fee rules were decided long enough ago,
without a published response, that their page shows 反馈逾期 (more than 20 working days).
Everything goes through ``consultations.decisions``, as an official's clicks would; only the
dates of the change log are set back to when it would have happened.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from consultations.decisions import decision_record, decision_step_record
from consultations.models import ChangeLogEntry, Consultation, Decision, Step, StepStatus
from consultations.periods import close_display_date, local_zone

SCHOOL = "hekou-school-merger"
PARKING = "residential-parking-fees"

SCHOOL_STEPS = [
    # (step, days after the last day of the consultation, summary, English summary)
    (
        Step.EXPERT_REVIEW,
        8,
        "区教育局邀请三名专家（省教育科学研究院研究员、师范大学教授、县教师进修学校校长）论证并出具"
        "书面意见，其中一名专家不赞成全部年级并入。专家一致建议保留低年级教学点过渡期并配备校车照管员："
        "已采纳（修改后的第一条、第二条）；一名专家建议推迟一年合并：未采纳，理由是三个年级不足8人，"
        "无法开齐国家规定课程。",
        "The bureau asked three experts (a provincial education researcher, a normal-university "
        "professor and a teacher-college head) for signed written opinions; one opposed moving "
        "every year group. Their shared advice to keep a teaching point for the youngest pupils "
        "and to put an escort on the bus was adopted (revised clauses 1 and 2); one expert's "
        "advice to wait a year was not, since three year groups have fewer than 8 pupils.",
    ),
    (
        Step.STABILITY,
        12,
        "区教育局会同松林镇人民政府开展社会稳定风险评估，评估结论为低风险，主要措施见下。",
        "Xishan District Education Bureau and Songlin Town Government assessed the risk: low, "
        "with the measures below.",
    ),
    (
        Step.LEGALITY_REVIEW,
        20,
        "区司法局进行合法性审查，审查期10个工作日，认为决策草案符合《义务教育法》等规定，"
        "建议在决定中写明学籍随迁和家长的异议途径，已采纳。",
        "The district justice bureau reviewed the draft's legality over 10 working days, found "
        "it consistent with the Compulsory Education Law and asked that pupils' records and "
        "parents' objection channel be stated in the decision, which was done.",
    ),
]
SCHOOL_DECISION = {
    "after_days": 25,
    "body": "西山区人民政府",
    "body_en": "Xishan District People's Government",
    "meeting": "区政府第15次常务会议",
    "meeting_en": "the 15th executive meeting of the district government",
    "summary": (
        "区政府常务会议集体讨论决定：自下学年起，河口村小学三至六年级并入松林镇中心小学；"
        "一至二年级在河口村教学点就读至2028年7月；提供免费校车（配随车照管员）和免费午餐。"
        "公众意见中关于校车安全、低年级照顾和教学质量的意见已采纳或部分采纳，保留村小学的意见未采纳，"
        "理由见意见采纳情况说明；专家论证意见的采纳情况见“专家论证”一步。"
    ),
    "summary_en": (
        "The district government's executive meeting decided: from next school year, years 3–6 "
        "of Hekou Village Primary move to Songlin Central Primary; years 1–2 stay at a Hekou "
        "teaching point until July 2028; a free school bus with an escort and free lunch are "
        "provided. Public opinions on bus safety, care of young pupils and teaching quality were "
        "adopted or partly adopted; keeping the village school was not, for the reasons in the "
        "response. How the experts' opinions were adopted is under “expert review”."
    ),
}
PARKING_DECISION = {
    "after_days": 4,
    "body": "示例市住房和城乡建设局",
    "body_en": "Shili City Housing and Urban-Rural Development Bureau",
    "meeting": "局务会议",
    "meeting_en": "the bureau's management meeting",
    "summary": (
        "局务会议审议通过《示例市住宅小区停车服务收费管理规定》，自印发之日起30日后施行。"
        "公众意见的采纳情况将另行公布。"
    ),
    "summary_en": (
        "The bureau's management meeting adopted the rules on parking charges in residential "
        "estates, in force 30 days after issue. How public opinions were adopted will be "
        "published separately."
    ),
}


def seed(users: dict) -> None:
    """Add this part of the demo; ``users`` maps demo usernames to users. Idempotent."""
    school = Consultation.objects.filter(slug=SCHOOL, live=True).first()
    if school is not None and not Decision.objects.filter(consultation=school).exists():
        _decide_school(school, users.get("approver3") or users.get("admin"))
    parking = Consultation.objects.filter(slug=PARKING, live=True).first()
    if parking is not None and not Decision.objects.filter(consultation=parking).exists():
        _decide(parking, PARKING_DECISION, users.get("admin"))


def _decide_school(school: Consultation, user) -> None:
    last_day = close_display_date(school.closes_at)
    for step, after, summary, summary_en in SCHOOL_STEPS:
        day = last_day + timedelta(days=after)
        decision_step_record(
            school,
            step,
            status=StepStatus.DONE,
            date=day,
            summary=summary,
            summary_en=summary_en,
            user=user,
        )
        _backdate(school, ChangeLogEntry.Type.DECISION_STEP, day)
    _decide(school, SCHOOL_DECISION, user, document=True)


def _decide(consultation: Consultation, spec: dict, user, *, document: bool = False) -> None:
    day = close_display_date(consultation.closes_at) + timedelta(days=spec["after_days"])
    decision = decision_record(
        consultation,
        decided_on=day,
        body=spec["body"],
        body_en=spec["body_en"],
        meeting=spec["meeting"],
        meeting_en=spec["meeting_en"],
        summary=spec["summary"],
        summary_en=spec["summary_en"],
        document=_decision_document(consultation, spec) if document else None,
        user=user,
    )
    moment = datetime.combine(day + timedelta(days=1), time(10, 0), tzinfo=local_zone())
    Decision.objects.filter(pk=decision.pk).update(recorded_at=moment)
    consultation.change_log.filter(type=ChangeLogEntry.Type.DECISION).update(created_at=moment)


def _backdate(consultation: Consultation, type_: str, day) -> None:
    """Date the newest entry of ``type_`` on ``day`` (10:00 local time)."""
    entry = consultation.change_log.filter(type=type_).order_by("-pk").first()
    if entry is not None:
        moment = datetime.combine(day, time(10, 0), tzinfo=local_zone())
        ChangeLogEntry.objects.filter(pk=entry.pk).update(created_at=moment)


def _decision_document(consultation: Consultation, spec: dict):
    """The decision as a small text document in the department's collection."""
    document_model = get_document_model()
    document = document_model(title=f"{spec['body']}关于河口村小学并入松林镇中心小学的决定")
    if consultation.department.document_collection_id:
        document.collection_id = consultation.department.document_collection_id
    text = f"{document.title}\n\n{spec['summary']}\n"
    document.file = ContentFile(text.encode(), name="decision.txt")
    document.save()
    return document

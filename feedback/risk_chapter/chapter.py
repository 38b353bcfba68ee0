"""The 稳评 chapter "各方面意见及其采纳情况" of one consultation, as a ``Document``.

What it contains, all aggregate (R33): the participation methods and their dates; the opinions by
stance × how affected, for all opinions and for each theme, exactly as the assessor's dashboard
shows them (``feedback.risk.selectors.dashboard``: one suppression release, cells of 1–4 shown
"<5" and the complementary cells hidden with them); the campaigns (every copy counted once, as
an opinion, and stated as copies); the hearing (dates, seats and participants per category, the
views adopted and not adopted with the reasons of the published report); the adoption by theme
from the published response (theme, disposition, reason, opinions as the response shows them);
the assessor's confirmed concerns and measures; and the method.

What it never contains: an opinion's text, a quote, a receipt code, a contact, a name (of a
resident or of a staff member), a hearing statement. It is written in the official wording in
Chinese (it is a chapter of a Chinese assessment report), whatever the screen's language.
"""

from __future__ import annotations

from django.utils import timezone, translation

from consultations.models import Consultation
from feedback.analysis.suppression import display
from feedback.hearings.selectors import published_hearing
from feedback.models import (
    AffectedStatus,
    Channel,
    ConsultationResponse,
    ResponseStatus,
    RiskAssessment,
    Stance,
)
from feedback.response.report import build_report
from feedback.risk.selectors import NOT_STATED, dashboard
from feedback.risk_chapter.document import Document, Heading

CHAPTER_TITLE = "各方面意见及其采纳情况"


def _day(value) -> str:
    if value is None:
        return "—"
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"


def _n(value) -> str:
    return display(value)


def published_response(consultation) -> ConsultationResponse | None:
    return ConsultationResponse.objects.filter(
        consultation=consultation, status=ResponseStatus.PUBLISHED, published_at__isnull=False
    ).first()


def build_chapter(consultation: Consultation, *, now=None) -> Document:
    """The chapter of ``consultation`` (aggregates only; see the module docstring)."""
    with translation.override("zh-hans"):
        return _build(consultation, now or timezone.now())


def _build(c: Consultation, now) -> Document:
    data = dashboard(c)
    doc = Document(
        title=f"{c.title}社会稳定风险评估报告 · {CHAPTER_TITLE}",
        subtitle=f"{c.department.name}　本篇章依据{_day(now)}的意见登记数据生成",
    )
    _methods(doc, c, data)
    _overview(doc, data)
    _tables(doc, data)
    _hearing(doc, c)
    _adoption(doc, c)
    _measures(doc, c)
    _method(doc)
    _number(doc)
    return doc


NUMERALS = "一二三四五六七八九十"


def _number(doc: Document) -> None:
    """Number the sections in order (a section without content is left out)."""
    n = 0
    for block in doc.blocks:
        if isinstance(block, Heading) and block.level == 2:
            block.text = f"{NUMERALS[n]}、{block.text.split('、', 1)[-1]}"
            n += 1


def _methods(doc: Document, c: Consultation, data: dict) -> None:
    doc.h("一、意见征集的方式和时间")
    doc.p(
        f"本事项于{_day(c.opens_at)}至{_day(c.closes_at)}通过政府网站公开征求意见，"
        "同时通过下列渠道收集意见。各渠道收到的意见件数如下（含已撤回的意见）："
    )
    rows = [[label, _n(n)] for value, label, n, _offline in data["methods"] if value]
    doc.table(["征集方式", "收到意见（件）"], rows, caption="表1　各征集方式收到的意见")
    hearing = published_hearing(c)
    if hearing is not None:
        doc.p(
            f"听证会公告于{_day(hearing.notice_published_at)}发布，"
            f"听证会于{_day(hearing.starts_at)}在{hearing.place}举行。"
        )
    offline = [label for value, label, n, is_offline in data["methods"] if is_offline and n != 0]
    if offline:
        doc.p(f"通过{'、'.join(offline)}等线下方式收集的意见，已逐件录入意见登记簿并计入上表。")


def _overview(doc: Document, data: dict) -> None:
    doc.h("二、意见总体情况")
    doc.p(
        f"共收到意见{_n(data['received'])}件，其中意见人撤回{_n(data['withdrawn'])}件，"
        f"纳入分析{_n(data['analysed'])}件。"
    )
    summary, campaigns = data["summary"], data["campaigns"]
    if summary:
        doc.p(
            f"收到的意见中有不同文本{summary['distinct_texts']}种。经分析人员核对，"
            f"内容相同或使用同一模板的意见共{summary['groups']}组（联名、转发或模板意见）。"
        )
    doc.p(
        f"属于上述各组的意见共{_n(campaigns['opinions'])}件。每一份均作为一件意见计入总数，"
        "同时在此如实注明为相同或模板意见的副本，既不合并为一件，也不因其为副本而剔除；"
        "各组的代表性内容已作为一项意见纳入主题分析。"
    )
    affected = data["affected"]
    doc.p(
        f"直接受影响的居民和业主（在区域内居住或拥有房产、经营场所）提出意见{_n(affected['total'])}件，"
        f"其中表示反对的{_n(affected['oppose'])}件。"
    )
    oc = data["oppose_concern"]
    doc.p(f"表示反对的意见{_n(oc['oppose'])}件中，涉及健康、安全或补偿问题的{_n(oc['citing'])}件。")


def _stance_header(data: dict) -> list[str]:
    labels = data["stance_labels"]
    return [
        "影响类别",
        *(
            labels.get(s, "未表明立场") if s != NOT_STATED else "未表明立场"
            for s in data["stance_columns"]
        ),
        "合计",
    ]


# The form's first-person answers ("I live in the area") in the report's wording.
AFFECTED_WORDING = {
    AffectedStatus.LIVE: "区域内居民",
    AffectedStatus.WORK: "区域内工作人员",
    AffectedStatus.OWN: "区域内房产或经营场所所有人",
    AffectedStatus.OTHER: "其他关心者",
    NOT_STATED: "未说明",
}


def _affected_label(value: str) -> str:
    return AFFECTED_WORDING.get(value, value)


def _tables(doc: Document, data: dict) -> None:
    doc.h("三、意见的立场、影响类别和主题分布")
    doc.p(
        "下表按意见人表明的立场和与本事项的关系（影响类别）统计纳入分析的意见；"
        "“主题”表按分析人员对意见的主题编码统计，一件意见涉及多个主题的，在每个相关主题中各计一次。"
    )
    header = _stance_header(data)
    n = 2
    for table in data["tables"]:
        caption = (
            f"表{n}　全部意见：立场 × 影响类别"
            if table.theme is None
            else f"表{n}　主题“{table.theme.name}”：立场 × 影响类别"
        )
        rows = [
            [_affected_label(a), *(_n(x) for x in cells), _n(total)]
            for a, cells, total in table.rows
        ]
        doc.table(header, rows, caption=caption)
        n += 1
    if data["suppressed"]:
        doc.p(
            "注：少于5件的数字以“<5”表示；为防止由合计推算出被隐去的数字，个别其他数字一并隐去，并在表中注明。"
        )


def _hearing(doc: Document, c: Consultation) -> None:
    doc.h("四、听证会情况")
    hearing = published_hearing(c)
    if hearing is None:
        doc.p("本事项未举行听证会。")
        return
    doc.p(
        f"听证会于{_day(hearing.starts_at)}在{hearing.place}举行。"
        f"听证参加人按类别抽签产生，抽签于{_day(hearing.drawn_at)}进行，"
        f"听证材料于{_day(hearing.materials_sent_on)}送达听证参加人。"
    )
    categories = list(hearing.categories.all())
    participants = {}
    for p in hearing.participants.all():
        participants[p.category_id] = participants.get(p.category_id, 0) + 1
    doc.table(
        ["参加人类别", "名额", "实际参加人数"],
        [[cat.name, str(cat.seats), str(participants.get(cat.pk, 0))] for cat in categories],
        caption="听证参加人构成",
    )
    statements = _hearing_stances(hearing)
    if statements:
        doc.p(
            "听证会上的陈述意见已作为“听证会”渠道的意见纳入意见登记簿，并计入上文各表。"
            f"听证记录中的陈述和发言按立场计：{statements}。"
        )
    if hearing.report_published_at:
        views = list(hearing.views.all())
        adopted = [v for v in views if v.adopted]
        doc.p(
            f"听证报告于{_day(hearing.report_published_at)}公布，"
            f"列明听证意见{len(views)}项，其中采纳{len(adopted)}项、未采纳{len(views) - len(adopted)}项。"
        )
        doc.table(
            ["听证意见", "是否采纳", "理由"],
            [[v.summary, "采纳" if v.adopted else "未采纳", v.reason] for v in views],
            caption="听证意见采纳情况",
        )
    else:
        doc.p("听证报告尚未公布。")


def _hearing_stances(hearing) -> str:
    counts: dict[str, int] = {}
    for stance in hearing.record_items.exclude(stance="").values_list("stance", flat=True):
        counts[stance] = counts.get(stance, 0) + 1
    parts = []
    for value, label in Stance.choices:
        if value in counts:
            n = counts[value]
            parts.append(f"{label}{display(None) if n < 5 else n}")
    return "，".join(parts)


def _adoption(doc: Document, c: Consultation) -> None:
    doc.h("五、意见采纳情况")
    response = published_response(c)
    if response is None:
        doc.p("意见采纳情况说明尚未公布。公布后，本部分按主题列明采纳情况及理由。")
        return
    report = build_report(response)
    doc.p(
        f"意见采纳情况说明已于{_day(response.published_at)}公布。各主题的处理情况如下"
        "（意见件数与公布的说明一致）："
    )
    doc.table(
        ["主题", "意见（件）", "处理情况", "理由"],
        [
            [line.theme.name, _n(line.opinions), line.disposition_label, line.reason or "—"]
            for line in report.themes
        ],
        caption="按主题的意见采纳情况",
    )
    doc.table(
        ["处理情况", "主题（项）"],
        [[label, _n(n)] for _value, label, n in report.dispositions],
        caption="处理情况汇总",
    )


def _measures(doc: Document, c: Consultation) -> None:
    assessment = RiskAssessment.objects.filter(consultation=c).first()
    if assessment is None or not assessment.confirmed_at:
        return
    measures = list(assessment.measures.all())
    if not measures:
        return
    doc.h("六、群众主要关切及防范化解措施")
    doc.table(
        ["主要关切", "防范化解措施"],
        [[m.concern, m.measure] for m in measures],
        caption="评估主体确认的主要关切和措施",
    )


def _method(doc: Document) -> None:
    doc.h("七、统计方法说明")
    doc.items(
        [
            "数据来源：门户网站意见登记簿。网站提交和线下（电话、信件、来访、座谈、走访、"
            "12345热线、听证会）收到的意见逐件登记，审核和公开展示与否不影响计数。",
            "撤回的意见计入收到总数，不计入立场和主题统计。",
            f"立场、影响类别由意见人自行填写；未填写的列为“未表明立场”“未说明”。渠道：{'、'.join(str(label) for label in Channel.labels)}。",
            "主题由分析人员逐件编码；自动建议须经人工确认后方计入。",
            "相同或模板意见由系统按文本相似度提示、经分析人员确认分组；每份副本各计一件。",
            "少于5件的数字不单独公布（以“<5”表示），并对可据以推算的数字一并隐去。",
            "本篇章只含汇总数字，不含任何单件意见的内容、意见人姓名、联系方式或回执编码；"
            "系统不对任何个人或单件意见计算风险分值，风险等级由评估主体综合研判确定。",
        ]
    )

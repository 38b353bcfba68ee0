"""A closed normative document and a school merger whose response is published."""

from __future__ import annotations

PARKING_FEES = {
    "slug": "residential-parking-fees",
    "kind": "normative_document",
    "department": "housing-urban-rural",
    "publisher": None,
    "districts": ["999900"],
    # Long enough ago that its decision (demo_content/decisions.py) is past the 20 working days.
    "opens_in_days": -80,
    "period_days": 31,
    "stage": None,
    "fields": {
        "title": "示例市住宅小区停车服务收费管理规定（征求意见稿）",
        "title_en": "Rules on parking charges in residential estates, Shili City (draft for comment)",
        "affects_businesses": True,
        "affected_area": "全市住宅小区，涉及业主、物业服务企业和停车场经营者。",
        "affected_area_en": (
            "All residential estates in the city: owners, property management companies and "
            "car park operators."
        ),
        "plain_summary": (
            "很多小区停车费由物业自行定价，涨价前不告知业主，产生不少纠纷。"
            "这份文件规定：小区停车收费标准要经业主大会同意并公示；涨价须提前30天公告；"
            "新能源车充电车位不得额外收取“占位费”以外的费用；临时停车前30分钟免费。"
        ),
        "plain_summary_en": (
            "In many estates the property manager sets parking charges alone and raises them "
            "without notice, which causes disputes. This document provides that charges must be "
            "agreed by the owners' assembly and posted; increases must be announced 30 days "
            "ahead; charging bays for electric cars may carry no fee other than an overstay "
            "fee; and the first 30 minutes of visitor parking are free."
        ),
        "explanatory_note": (
            "2025年全市12345热线受理小区停车收费投诉2316件，比上年增长41%。"
            "依据《价格法》和省定价目录，住宅小区停车服务收费实行市场调节价，但须明码标价、公开透明。"
            "本文件与物业服务企业经营密切相关，征求意见期为30日。"
        ),
        "explanatory_note_en": (
            "In 2025 the 12345 hotline received 2,316 complaints about estate parking charges, "
            "41% more than the year before. Under the Pricing Law and the provincial price "
            "catalogue these charges are market prices but must be clearly posted. Because the "
            "document closely affects property management businesses, the period is 30 days."
        ),
        "contact_phone": "0999-12345603",
        "contact_email": "tingche@shili.example.gov.cn",
        "postal_address": "示例市东湖区建设大道20号 示例市住房和城乡建设局 物业管理科",
        "postal_address_en": (
            "Property Management Section, Shili City Housing and Urban-Rural Development "
            "Bureau, 20 Jianshe Avenue"
        ),
        "stability_status": "not_required",
    },
    "clauses": [
        (
            "适用范围",
            "Scope",
            "本规定适用于本市行政区域内住宅小区规划用于停放机动车的车位、车库的停车服务收费。",
            "These rules apply to charges for parking in spaces and garages planned for motor "
            "vehicles in residential estates in the city.",
        ),
        (
            "定价程序",
            "Setting the charge",
            "停车服务收费标准由业主大会与物业服务企业协商确定；未成立业主大会的，由物业服务企业征求全体业主意见，经专有部分面积过半数且人数过半数的业主同意后确定。",
            "The charge is agreed between the owners' assembly and the property manager; where "
            "there is no assembly, owners holding more than half the floor area and more than "
            "half in number must agree.",
        ),
        (
            "调价公示",
            "Price increases",
            "调整收费标准的，应当提前30日在小区显著位置公示调整理由和新标准。",
            "Any change must be posted in a prominent place in the estate 30 days ahead, with "
            "the reasons and the new charge.",
        ),
        (
            "临时停车",
            "Visitor parking",
            "临时停放不超过30分钟的，不得收费。",
            "No charge may be made for stays of 30 minutes or less.",
        ),
        (
            "充电车位",
            "Charging bays",
            "新能源汽车充电车位除充电服务费和超时占位费外，不得收取其他费用。",
            "Charging bays for electric vehicles may carry only the charging fee and an "
            "overstay fee.",
        ),
        (
            "施行日期",
            "Entry into force",
            "本规定自发布之日起30日后施行，有效期5年。",
            "These rules take effect 30 days after publication and remain valid for five years.",
        ),
    ],
    "alternatives": [],
    "questions": [
        {
            "type": "single",
            "text": "您认为临时停车免费时长应为多久？",
            "text_en": "How long should visitor parking be free?",
            "options": "15分钟\n30分钟\n60分钟",
            "options_en": "15 minutes\n30 minutes\n60 minutes",
            "required": False,
        },
    ],
}


SCHOOL_MERGER = {
    "slug": "hekou-school-merger",
    "kind": "other",
    "department": "education",
    "publisher": None,
    "districts": ["999902001", "999902001003", "999902001002"],
    "opens_in_days": -90,
    "period_days": 30,
    # "response published" comes from publishing the response (demo_content/responses.py).
    "stage": None,
    "fields": {
        "title": "关于河口村小学并入松林镇中心小学的意见征集",
        "title_en": "Merging Hekou Village Primary School into Songlin Central Primary School",
        "affected_area": "河口村小学在校学生及家长；松林村、河口村居民。",
        "affected_area_en": (
            "Pupils and parents of Hekou Village Primary School; residents of Songlin and "
            "Hekou villages."
        ),
        "plain_summary": (
            "河口村小学现有学生47人、教师9人，六个年级中有三个年级不足8人，音乐、美术、科学课长期缺少专任老师。"
            "区教育局拟从下学年起将其并入4公里外的松林镇中心小学，并提供免费校车和午餐。"
            "我们想听听家长和村民的意见，特别是上学路程和低年级孩子的照顾问题。"
        ),
        "plain_summary_en": (
            "Hekou Village Primary has 47 pupils and 9 teachers; three of its six year groups "
            "have fewer than 8 children, and music, art and science have long lacked specialist "
            "teachers. The district proposes to merge it next school year into Songlin Central "
            "Primary, 4 km away, with a free school bus and lunch. We want to hear parents and "
            "villagers, especially about the journey and care for the youngest children."
        ),
        "explanatory_note": (
            "依据《国务院办公厅关于规范农村义务教育学校布局调整的意见》，撤并农村学校须充分听取学生家长、村民意见，"
            "并保障学生就近入学和上下学安全。"
        ),
        "explanatory_note_en": (
            "National guidance on rural school consolidation requires that parents and "
            "villagers be heard and that pupils' access and safety on the way to school be "
            "assured before a rural school is merged."
        ),
        "contact_phone": "0999-12345605",
        "visit_address": "河口村村民委员会；松林镇中心小学校长室",
        "visit_address_en": "Hekou Village committee; head teacher's office, Songlin Central Primary",
        "office_hours": "工作日 8:30–17:30",
        "office_hours_en": "Working days 8:30–17:30",
        "stability_status": "done",
        "stability_assessor": "西山区教育局会同松林镇人民政府",
        "stability_assessor_en": "Xishan District Education Bureau with Songlin Town Government",
        "stability_methods": "家长会两场、入户走访、意见征集。",
        "stability_methods_en": "Two parents' meetings, home visits, this consultation.",
        "stability_level": "low",
        "stability_measures": "保留河口村教学点一至二年级至2028年；校车配备随车照管员；设立家长委员会监督校车和午餐。",
        "stability_measures_en": (
            "Years 1–2 stay at a Hekou teaching point until 2028; every school bus has an "
            "escort; a parents' committee oversees the bus and lunches."
        ),
    },
    "clauses": [
        (
            "合并安排",
            "Merger",
            "自下学年起，河口村小学三至六年级学生转入松林镇中心小学就读，学籍随迁。",
            "From next school year, pupils in years 3–6 move to Songlin Central Primary with "
            "their records.",
        ),
        (
            "校车和午餐",
            "Bus and lunch",
            "区教育局为河口村学生提供免费校车和免费午餐，校车配备随车照管员。",
            "The district provides a free school bus with an escort and free lunch for Hekou "
            "pupils.",
        ),
        (
            "教师安置",
            "Teachers",
            "河口村小学在编教师全部调入松林镇中心小学或就近学校，待遇不降低。",
            "All Hekou teachers move to Songlin Central Primary or a nearby school on the same "
            "terms.",
        ),
    ],
    "alternatives": [],
    "questions": [],
}

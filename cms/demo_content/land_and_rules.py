"""Land requisition compensation plan (upcoming) and shortened draft rules (open)."""

from __future__ import annotations

LAND_COMPENSATION = {
    "slug": "songlin-land-compensation-2026",
    "kind": "land_compensation",
    "department": "natural-resources-planning",
    "publisher": "approver2",
    "districts": ["999902001", "999902001002", "999902001003"],
    "opens_in_days": 5,
    "period_days": 35,
    "stage": None,
    "fields": {
        "title": "西山区松林镇2026年第3批次城镇建设用地征地补偿安置方案",
        "title_en": (
            "Compensation and resettlement plan for the 2026 batch 3 land requisition, "
            "Songlin Town, Xishan District"
        ),
        "affected_area": "西山区松林镇松林村第二、第五村民小组，河口村第一村民小组。",
        "affected_area_en": (
            "Groups 2 and 5 of Songlin Village and group 1 of Hekou Village, Songlin Town."
        ),
        "plain_summary": (
            "为建设松林镇中心小学新校区和配套道路，拟征收松林村、河口村集体土地共约12.8公顷。\n\n"
            "这份方案写明了征哪些地、给多少补偿、怎么安置、社保怎么办、什么时候登记、有意见找谁。"
            "方案公告30日以上，期间您可以提出意见；过半数被征地农村集体经济组织成员认为方案不符合法律法规的，"
            "区政府将组织听证。"
        ),
        "plain_summary_en": (
            "To build a new campus for Songlin Central Primary School and its access roads, "
            "about 12.8 hectares of collectively owned land in Songlin and Hekou villages are to "
            "be requisitioned.\n\n"
            "This plan says which land is taken, how much compensation is paid, how people are "
            "resettled, how social insurance is arranged, when to register and whom to contact "
            "with objections. It is posted for more than 30 days. If more than half of the "
            "members of an affected collective consider the plan unlawful, the district "
            "government will hold a hearing."
        ),
        "explanatory_note": (
            "本方案依据《中华人民共和国土地管理法》第四十七条和《土地管理法实施条例》第二十七条、第二十八条制定。"
            "征地预公告已于今年发布，土地现状调查结果已经被征地农户确认，社会稳定风险评估正在进行。"
            "补偿标准执行省政府公布的区片综合地价。"
        ),
        "explanatory_note_en": (
            "The plan follows Article 47 of the Land Administration Law and Articles 27–28 of "
            "its implementing regulation. The pre-announcement was published earlier this year, "
            "the land survey results have been confirmed by the households concerned, and the "
            "stability risk assessment is in progress. Compensation follows the provincial "
            "zone-based comprehensive land prices."
        ),
        "requisition_scope": "松林村第二村民小组耕地6.1公顷、第五村民小组林地2.4公顷；河口村第一村民小组耕地3.9公顷、宅基地0.4公顷。具体四至见附图。",
        "requisition_purpose": "松林镇中心小学新校区及配套道路建设，属于《土地管理法》第四十五条规定的公共利益需要（教育设施）。",
        "land_survey_arrangement": "土地现状调查已于预公告期间完成，调查结果经被征地农户签字确认，并在村务公开栏公示。",
        "land_status": "经调查确认：耕地10.0公顷、林地2.4公顷、宅基地0.4公顷；涉及农户63户、住房11栋、坟墓27座、果树约1800株。",
        "compensation_standard": "土地补偿费和安置补助费按区片综合地价每亩5.2万元计；地上附着物和青苗按市统一标准补偿；住房按重置价结合成新给予货币补偿或产权调换。",
        "resettlement_targets": "被征收土地的农村集体经济组织成员及其户籍家庭成员，以及被征收住房的合法使用人。",
        "resettlement_method": "住房安置可选择货币补偿，或在松林镇安置小区按人均40平方米产权调换；选择产权调换的，过渡期内按月发放临时安置费。",
        "social_security": "被征地农民按规定纳入城乡居民基本养老保险或职工基本养老保险，社会保障费用在征地前足额预存至专户。",
        "compensation_registration": "被征地农户持土地承包经营权证、不动产权证等材料，于本公告发布之日起30日内到松林镇政府征地办公室（或村委会代办点）办理补偿登记。",
        "objection_channel": "对本方案有异议的，可在公告期内通过本网站、书面信函或到松林镇政府征地办公室提出；电话0999-12345602。",
        "contact_phone": "0999-12345602；松林镇征地办公室 0999-55501234",
        "postal_address": "示例市西山区松林镇人民政府 征地办公室",
        "postal_address_en": "Land Requisition Office, Songlin Town Government, Xishan District",
        "visit_address": "松林镇人民政府一楼征地办公室；松林村、河口村村民委员会",
        "visit_address_en": (
            "Land Requisition Office, ground floor, Songlin Town Government; the village "
            "committees of Songlin and Hekou"
        ),
        "office_hours": "工作日 8:30–17:30",
        "office_hours_en": "Working days 8:30–17:30",
        "stability_status": "in_progress",
        "stability_assessor": "西山区社会稳定风险评估领导小组办公室",
        "stability_assessor_en": "Xishan District office for social-stability risk assessment",
        "stability_methods": "村民代表大会、入户走访全部63户、意见征集。",
        "stability_methods_en": (
            "Villagers' representative meetings, visits to all 63 households, this consultation."
        ),
    },
    "clauses": [
        (
            "征收范围",
            "Land requisitioned",
            "征收松林村、河口村集体土地共12.8公顷，范围以附图和土地现状调查成果为准。",
            "12.8 hectares of collective land in Songlin and Hekou villages, as shown on the "
            "map and in the confirmed land survey.",
        ),
        (
            "补偿标准",
            "Compensation",
            "土地补偿费和安置补助费按区片综合地价每亩5.2万元计算，其中土地补偿费占40%，安置补助费占60%。",
            "Land compensation and resettlement subsidy total 52,000 yuan per mu at the zone "
            "price: 40% land compensation, 60% resettlement subsidy.",
        ),
        (
            "住房安置",
            "Housing",
            "被征收住房可选择货币补偿或产权调换，选择产权调换的，按人均40平方米安置，过渡期最长不超过24个月。",
            "Households choose cash or a replacement flat of 40 m² per person; temporary "
            "housing lasts no more than 24 months.",
        ),
        (
            "社会保障",
            "Social insurance",
            "被征地农民社会保障费用在征地报批前足额存入专户，按规定纳入养老保险。",
            "Social insurance contributions for the farmers affected are paid in full into a "
            "dedicated account before approval is sought.",
        ),
        (
            "异议和听证",
            "Objections and hearing",
            "过半数被征地的农村集体经济组织成员认为方案不符合法律、法规规定的，区人民政府应当组织听证，并根据听证情况修改方案。",
            "If more than half of the members of an affected collective find the plan "
            "unlawful, the district government holds a hearing and revises the plan accordingly.",
        ),
    ],
    "alternatives": [],
    "questions": [],
}


GAS_SAFETY_RULES = {
    "slug": "gas-safety-rules-draft",
    "kind": "draft_rules",
    "department": "justice",
    "publisher": None,
    "districts": ["999900"],
    "opens_in_days": -3,
    "period_days": 20,
    "stage": None,
    "fields": {
        "title": "示例市城镇燃气安全管理办法（草案征求意见稿）",
        "title_en": "Shili City measures on urban gas safety (draft rules for comment)",
        "affected_area": "全市城镇燃气用户、餐饮经营者、燃气经营企业。",
        "affected_area_en": "Gas users, restaurants and gas companies across the city.",
        "shortened_reason": (
            "入冬后燃气使用量大幅增加，近期省内连续发生两起餐饮场所燃气爆炸事故。"
            "为在供暖季高峰前完成立法，本次征求意见期缩短为20日。"
        ),
        "shortened_reason_en": (
            "Gas use rises sharply in winter and two gas explosions in restaurants occurred in "
            "the province recently. To adopt the rules before the heating-season peak, the "
            "comment period is shortened to 20 days."
        ),
        "plain_summary": (
            "这部规章要求：餐饮场所必须安装可燃气体报警器和自动切断装置；"
            "燃气企业每年至少入户安检一次，发现隐患要书面告知并跟踪整改；"
            "老旧小区燃气管道改造费用由政府、企业和居民按比例分担，低保户全免。"
        ),
        "plain_summary_en": (
            "These rules require restaurants to fit gas alarms and automatic shut-off valves; "
            "gas companies to inspect every home at least once a year and follow up hazards in "
            "writing; and the cost of replacing old gas pipes in older estates to be shared by "
            "the government, the company and residents, with households on minimum income "
            "support paying nothing."
        ),
        "explanatory_note": (
            "本草案由市住房和城乡建设局起草，市司法局审查后公开征求意见。"
            "起草依据为《城镇燃气管理条例》和全国城镇燃气安全专项整治工作要求。"
        ),
        "explanatory_note_en": (
            "Drafted by the Housing and Urban-Rural Development Bureau and published for comment "
            "by the Justice Bureau after review, under the national Urban Gas Regulation and the "
            "national gas safety campaign."
        ),
        "contact_phone": "0999-12345604",
        "contact_email": "lifa@shili.example.gov.cn",
        "postal_address": "示例市东湖区法治路5号 示例市司法局 立法处",
        "postal_address_en": "Legislation Division, Shili City Justice Bureau, 5 Fazhi Road",
        "stability_status": "not_required",
    },
    "clauses": [
        (
            "报警和切断装置",
            "Alarms and shut-off valves",
            "餐饮场所使用燃气的，应当安装可燃气体报警器和紧急自动切断装置，并保持正常使用。",
            "Restaurants using gas must fit and maintain gas alarms and automatic emergency "
            "shut-off valves.",
        ),
        (
            "入户安检",
            "Home inspections",
            "燃气经营企业应当每年至少对居民用户入户安全检查一次；发现隐患的，应当书面告知用户并跟踪整改。",
            "Gas companies must inspect every household at least once a year, notify hazards "
            "in writing and follow up until they are fixed.",
        ),
        (
            "老旧管道改造",
            "Old pipes",
            "老旧小区燃气管道改造费用由政府、燃气经营企业和居民按照6:3:1的比例分担；最低生活保障家庭的应分担部分由政府承担。",
            "The cost of replacing gas pipes in older estates is shared 6:3:1 by the "
            "government, the gas company and residents; the government pays the share of "
            "households on minimum income support.",
        ),
        (
            "法律责任",
            "Penalties",
            "餐饮场所未按规定安装报警和切断装置的，由主管部门责令限期改正；逾期不改正的，处5000元以上2万元以下罚款。",
            "A restaurant without the required devices is ordered to fit them within a set "
            "time; failing that, it is fined 5,000 to 20,000 yuan.",
        ),
    ],
    "alternatives": [],
    "questions": [
        {
            "type": "scale",
            "text": "您是否赞成老旧管道改造费用按6:3:1分担？",
            "text_en": "Do you agree with sharing the pipe replacement cost 6:3:1?",
            "options": "",
            "options_en": "",
            "scale_low_label": "很不赞成",
            "scale_low_label_en": "strongly disagree",
            "scale_high_label": "非常赞成",
            "scale_high_label_en": "strongly agree",
            "required": False,
        },
    ],
}

"""Open major decision: siting a waste-to-energy plant (cf. rules-zh.md §7.3, §7.4).

The richest demo consultation (ten clauses, two candidate sites, four questions), also the
one the benchmark serves.
"""

from __future__ import annotations

_CHANNELS_ENV = {
    "contact_phone": "0999-12345601（工作日）；12345政务服务便民热线",
    "contact_email": "ljfd-yijian@shili.example.gov.cn",
    "postal_address": "示例市东湖区人民路88号 示例市生态环境局 固体废物与化学品科（信封注明“焚烧发电项目意见”）",
    "postal_address_en": (
        "Solid Waste Section, Shili City Ecology and Environment Bureau, 88 Renmin Road, "
        "Donghu District (mark the envelope 'waste-to-energy opinion')"
    ),
    "visit_address": "石桥村村民委员会、青石社区党群服务中心意见收集点",
    "visit_address_en": "Opinion desks at Shiqiao Village committee and Qingshi Community service centre",
    "office_hours": "工作日 9:00–17:00；每周六上午 9:00–12:00 社区收集点开放",
    "office_hours_en": "Working days 9:00–17:00; community desks also open Saturdays 9:00–12:00",
}

WASTE_PLANT = {
    "slug": "waste-to-energy-plant-siting",
    "kind": "major_decision",
    "department": "ecology-environment",
    "publisher": "approver",
    "districts": ["999901001", "999901001001", "999901001002", "999902001", "999902001001"],
    "opens_in_days": -10,
    "period_days": 40,
    "extend_days": 7,
    "extend_reason": "应石桥村、青石社区居民要求，增加两场社区座谈会，征求期相应延长7日。",
    "stage": None,
    "fields": {
        "title": "示例市生活垃圾焚烧发电厂选址及建设方案（征求意见稿）",
        "title_en": "Siting and design of the Shili City waste-to-energy plant (draft for comment)",
        "affected_area": "东湖区青石街道（青石社区、望江社区）；西山区松林镇（石桥村）。两处候选厂址周边3公里范围。",
        "affected_area_en": (
            "Qingshi Subdistrict in Donghu District (Qingshi and Wangjiang communities) and "
            "Songlin Town in Xishan District (Shiqiao Village): 3 km around each candidate site."
        ),
        "plain_summary": (
            "全市每天产生生活垃圾约1400吨，现有的青石填埋场预计两年内填满。"
            "市政府拟建一座每天处理1500吨垃圾的焚烧发电厂，用垃圾燃烧产生的热量发电。\n\n"
            "厂址还没有定。现在有两个候选地点：西山区石桥村的废弃采石场，"
            "和东湖区青石填埋场旁边的空地。我们把两个地点的好处、不足和费用都列了出来，"
            "请您告诉我们更支持哪一个、担心什么、希望得到哪些保障。\n\n"
            "烟气排放将比国家标准更严，监测数据实时向社会公开。"
            "社会稳定风险评估正在进行，您的意见会写进评估报告。在环评、稳评和听证完成前，项目不会开工。"
        ),
        "plain_summary_en": (
            "The city produces about 1,400 tonnes of household waste a day and the Qingshi "
            "landfill will be full within two years. The city government proposes a plant that "
            "burns 1,500 tonnes of waste a day and turns the heat into electricity.\n\n"
            "The site is not decided. There are two candidates: a disused quarry at Shiqiao "
            "Village in Xishan District, and vacant land next to the Qingshi landfill in Donghu "
            "District. We set out the advantages, drawbacks and costs of each; please tell us "
            "which you prefer, what worries you and what safeguards you want.\n\n"
            "Flue-gas emissions will be held below the national limits and monitoring data will "
            "be published in real time. The social-stability risk assessment is under way and "
            "your opinions go into its report. No construction will start before the "
            "environmental assessment, the stability assessment and a public hearing are done."
        ),
        "explanatory_note": (
            "一、起草背景。示例市现有生活垃圾处理以填埋为主，青石填埋场设计库容已使用92%。"
            "按《关于进一步加强城市生活垃圾焚烧处理工作的意见》（建城〔2016〕227号）要求，"
            "本市需在“十五五”期间基本实现原生生活垃圾零填埋。\n"
            "二、起草过程。市生态环境局会同市住建局、市自然资源和规划局，"
            "对全市6处地块进行了初步比选，保留两处候选厂址，并委托第三方开展环境影响和社会稳定风险的前期研究。\n"
            "三、需要说明的问题。本次征求意见属于重大行政决策的公众参与环节，不代表选址已定。"
            "意见采纳情况将在征求期结束后20个工作日内公开。"
        ),
        "explanatory_note_en": (
            "1. Background. The city relies mainly on landfill; 92% of the Qingshi landfill's "
            "capacity is used. National guidance on household waste incineration (2016) asks "
            "cities to stop landfilling untreated household waste, which Shili aims to do by "
            "2030.\n"
            "2. How the draft was prepared. The Ecology and Environment Bureau, with the "
            "Housing and Planning bureaus, compared six plots and kept two candidate sites, and "
            "commissioned preliminary environmental and stability studies.\n"
            "3. Please note. This is the public participation step of a major administrative "
            "decision; the site is not decided. How opinions were taken into account will be "
            "published within 20 working days after the consultation closes."
        ),
        **_CHANNELS_ENV,
        "stability_status": "in_progress",
        "stability_assessor": "示例市社会稳定风险评估中心（委托示例咨询有限公司实施）",
        "stability_assessor_en": (
            "Shili City Social-Stability Risk Assessment Centre (carried out by Shili "
            "Consulting Co., Ltd.)"
        ),
        "stability_methods": "网上意见征集、入户问卷（两处候选厂址周边各300户）、村民代表座谈会、专家咨询。",
        "stability_methods_en": (
            "Online consultation, household questionnaires (300 homes around each candidate "
            "site), village representative symposiums, expert consultation."
        ),
    },
    "clauses": [
        (
            "建设目的",
            "Purpose",
            "为实现原生生活垃圾零填埋，减少填埋场渗滤液和甲烷对环境的影响，建设生活垃圾焚烧发电厂，实现垃圾减量化、资源化、无害化处理。",
            "To end the landfilling of untreated household waste and reduce leachate and "
            "methane from landfills, a waste-to-energy plant is built so that waste is reduced, "
            "recovered and made harmless.",
        ),
        (
            "建设规模",
            "Capacity",
            "项目设计处理能力为每日1500吨，设两条750吨/日焚烧线，配套汽轮发电机组总装机容量30兆瓦，年上网电量约2.6亿千瓦时。",
            "Design capacity is 1,500 tonnes a day on two 750-tonne lines, with 30 MW of "
            "turbine generators supplying about 260 GWh a year to the grid.",
        ),
        (
            "选址",
            "Site",
            "项目在西山区石桥村废弃采石场（方案一）和东湖区青石填埋场东侧地块（方案二）中择一建设。最终厂址在本次征求意见、环境影响评价和社会稳定风险评估完成后，由市政府集体讨论决定。",
            "The plant will be built either at the disused quarry at Shiqiao Village (option 1) "
            "or on the plot east of the Qingshi landfill (option 2). The site will be decided by "
            "the city government in collective discussion after this consultation, the "
            "environmental impact assessment and the stability risk assessment.",
        ),
        (
            "排放标准",
            "Emission limits",
            "烟气污染物排放执行《生活垃圾焚烧污染控制标准》（GB 18485-2014），其中颗粒物、氮氧化物、二噁英类等主要指标按严于国家标准50%控制。",
            "Flue-gas emissions meet the national standard for household waste incineration "
            "(GB 18485-2014); particulates, nitrogen oxides and dioxins are held at half the "
            "national limits or lower.",
        ),
        (
            "在线监测与信息公开",
            "Monitoring and disclosure",
            "烟气在线监测数据与生态环境部门联网，并在厂区大门电子显示屏和市政府网站实时公开；二噁英每季度委托第三方检测一次，结果在检测后10个工作日内公开。",
            "Continuous flue-gas monitoring is linked to the environmental authority and shown "
            "in real time on a screen at the plant gate and on the city website. Dioxins are "
            "tested quarterly by an independent laboratory and published within 10 working "
            "days.",
        ),
        (
            "垃圾运输",
            "Waste transport",
            "垃圾运输全部采用密闭式压缩车辆，按指定路线行驶，避开学校上下学时段和居民区夜间时段；运输道路定期冲洗，防止滴漏和臭气。",
            "Waste is carried only in sealed compactor trucks on set routes that avoid school "
            "run times and night-time in residential streets; roads are washed regularly to "
            "prevent drips and odour.",
        ),
        (
            "卫生防护距离",
            "Protection distance",
            "厂界外300米环境防护距离内不得新建居民住宅、学校、医院等敏感建筑；范围内现有住户的安置按照国家和本市有关规定另行制定方案并公开征求意见。",
            "No new homes, schools, hospitals or similar buildings may be built within 300 m "
            "of the plant boundary; any existing households in that zone will be offered a "
            "resettlement plan, itself published for comment.",
        ),
        (
            "邻利设施与社区回馈",
            "Benefits for neighbours",
            "项目配套建设向公众开放的公园、游泳馆和科普教育中心；按每吨入厂垃圾提取5元设立社区回馈基金，用于周边村（社区）基础设施和公共服务，基金使用情况每年公开。",
            "The project includes a public park, a swimming pool and an education centre. A "
            "community fund receives 5 yuan for every tonne of waste delivered and pays for "
            "infrastructure and services in nearby villages and communities; its spending is "
            "published every year.",
        ),
        (
            "公众监督",
            "Public oversight",
            "从周边村（社区）居民中推选不少于9名环境监督员，可随时查看运行记录；工厂每月设立公众开放日，运营单位每年发布环境信息报告。",
            "Residents of nearby villages and communities choose at least nine environmental "
            "monitors who may inspect operating records at any time; the plant holds a monthly "
            "open day and the operator publishes an annual environmental report.",
        ),
        (
            "后续程序",
            "Next steps",
            "征求意见结束后，市生态环境局将汇总、分析全部意见，逐类说明采纳情况；在环境影响评价、社会稳定风险评估和公开听证完成前，项目不得开工。",
            "After the consultation the bureau will study every opinion and publish, theme by "
            "theme, how each was taken into account. No construction may start before the "
            "environmental impact assessment, the stability risk assessment and a public "
            "hearing are completed.",
        ),
    ],
    "alternatives": [
        {
            "title": "方案一：西山区石桥村废弃采石场",
            "title_en": "Option 1: disused quarry at Shiqiao Village, Xishan District",
            "summary": "利用已停采多年的采石场坑口建设，占地约9.6公顷，距最近的村民聚居点约1.2公里。",
            "summary_en": (
                "Built in the pit of a quarry closed for years; about 9.6 hectares; 1.2 km "
                "from the nearest houses."
            ),
            "advantages": "不占用耕地；周边人口较少；同时修复采石场生态破坏。",
            "advantages_en": (
                "Uses no farmland; fewer people nearby; restores the damaged quarry."
            ),
            "disadvantages": "距市区约28公里，垃圾运输距离长、运输费用高；需新修4.5公里进场道路；位于水库上游，需加强防渗。",
            "disadvantages_en": (
                "28 km from the city centre, so longer and costlier transport; needs 4.5 km of "
                "new access road; upstream of a reservoir, so stronger seepage protection."
            ),
            "cost": "总投资约9.8亿元，年运输费用约2600万元",
            "cost_en": "About 980 million yuan; transport about 26 million yuan a year",
        },
        {
            "title": "方案二：东湖区青石填埋场东侧地块",
            "title_en": "Option 2: plot east of the Qingshi landfill, Donghu District",
            "summary": "紧邻现有填埋场，占地约8.2公顷，距望江社区最近住宅约900米。",
            "summary_en": (
                "Next to the existing landfill; about 8.2 hectares; 900 m from the nearest "
                "homes in Wangjiang Community."
            ),
            "advantages": "运输距离短，可沿用现有垃圾运输路线；可同时处理填埋场渗滤液；投资较低。",
            "advantages_en": (
                "Short transport on existing routes; can also treat the landfill's leachate; "
                "lower investment."
            ),
            "disadvantages": "周边人口较多（3公里内约4.1万人）；居民对填埋场臭气已有多年投诉，叠加新设施的顾虑较大。",
            "disadvantages_en": (
                "More people nearby (about 41,000 within 3 km); residents have complained about "
                "landfill odour for years and worry about adding another facility."
            ),
            "cost": "总投资约8.9亿元，年运输费用约900万元",
            "cost_en": "About 890 million yuan; transport about 9 million yuan a year",
        },
    ],
    "questions": [
        {
            "type": "single",
            "text": "您是否愿意参加项目的公众开放日或现场考察？",
            "text_en": "Would you take part in an open day or a site visit?",
            "options": "愿意\n不愿意\n视情况而定",
            "options_en": "Yes\nNo\nIt depends",
            "required": False,
        },
        {
            "type": "multiple",
            "text": "您最关心哪些方面？（可多选）",
            "text_en": "What concerns you most? (choose any)",
            "options": "烟气和二噁英排放\n臭气\n垃圾车交通\n房产价值\n水源保护\n就业和社区回馈",
            "options_en": (
                "Flue gas and dioxins\nOdour\nWaste truck traffic\nProperty values\n"
                "Water protection\nJobs and community benefits"
            ),
            "required": False,
        },
        {
            "type": "scale",
            "text": "您认为目前公开的信息是否足以让您作出判断？",
            "text_en": "Is the information published so far enough for you to judge?",
            "options": "",
            "options_en": "",
            "scale_low_label": "很不充分",
            "scale_low_label_en": "not at all",
            "scale_high_label": "非常充分",
            "scale_high_label_en": "fully",
            "required": False,
        },
        {
            "type": "text",
            "text": "您对社区回馈和邻利设施有什么具体建议？",
            "text_en": "What would you suggest for the community fund and facilities for neighbours?",
            "options": "",
            "options_en": "",
            "required": False,
        },
    ],
    "attachments": [
        {
            "title": "两处候选厂址比选报告（摘要）",
            "title_en": "Comparison of the two candidate sites (summary, in Chinese)",
            "type": "analysis",
            "filename": "candidate-sites-summary.txt",
            "content": (
                "示例市生活垃圾焚烧发电厂候选厂址比选报告（摘要）\n\n"
                "一、比选范围：全市6处地块，按用地性质、与居民区距离、运输距离、地质和水文条件、"
                "电网接入、投资六项指标初选，保留石桥村采石场和青石填埋场东侧两处。\n"
                "二、石桥村采石场：距最近聚居点1.2公里，3公里内约6800人；运输距离28公里；"
                "位于松林水库上游4公里，需设置双层防渗和渗滤液全量处理。\n"
                "三、青石填埋场东侧：距望江社区900米，3公里内约4.1万人；运输距离9公里；"
                "可与填埋场渗滤液处理站共建。\n"
                "四、两处厂址均可满足300米环境防护距离要求，最终选址待公众意见、环境影响评价和"
                "社会稳定风险评估完成后决定。\n"
            ),
        },
    ],
}

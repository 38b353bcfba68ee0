"""Parts from which the demo's opinions are composed (cms/demo_content/opinions.py).

Each theme has what residents worry about and what they ask for; an opinion joins an opening
(who is speaking), one or two themes' sentences and a closing, chosen with a fixed seed, so
that a few hundred opinions read differently and the demo is the same on every run. Every
name, place and number is invented; phone numbers and e-mail addresses use reserved ranges.
"""

# Size: data only, the words of the demo's opinions; one file so the texts of a consultation
# read together.

from __future__ import annotations

# -- The waste-to-energy plant (open major decision) -------------------------------------------

OPENINGS = {
    "live": [
        "我是青石社区居民，",
        "我家住望江社区，离填埋场不到两公里，",
        "我在石桥村住了四十多年，",
        "作为青石街道的老住户，",
        "我们一家三代都住在松林镇，",
        "我是望江社区的业主，",
        "",
    ],
    "work": [
        "我在东湖区上班，每天经过填埋场，",
        "我在青石工业园工作，",
        "我是松林镇的乡村医生，",
        "我在望江小学教书，",
        "",
    ],
    "own": [
        "我在青石社区有一套房子，",
        "我在石桥村承包了三十亩果园，",
        "我在望江路开了一家小超市，",
        "",
    ],
    "other": [
        "我是示例市市民，",
        "作为一名环保志愿者，",
        "我关注这个项目很久了，",
        "我是退休的化工工程师，",
        "",
    ],
}

# One sentence of the speaker's own circumstances, so that opinions on the same theme read as
# different people's (and are not taken for near-identical copies).
DETAILS = [
    "家里老人有慢性支气管炎，",
    "孩子明年就要上小学了，",
    "我们楼下每天早上五点多就有车经过，",
    "去年夏天填埋场着火，烟飘了好几天，",
    "小区里很多人都在业主群里讨论这件事，",
    "我女儿在外地工作，一直劝我们搬走，",
    "我们村的年轻人大多在外打工，留下的都是老人，",
    "我每天骑电动车上下班要经过这条路，",
    "我们家的果园就在采石场下面的山坡上，",
    "我去参观过邻市的焚烧厂，印象还可以，",
    "村里开过一次会，大家意见很不一致，",
    "我读了公开的比选报告摘要，",
    "我们社区有两所小学和一所幼儿园，",
    "我家的井水以前很清，这几年有点发黄，",
    "前几年修路的时候也说过要征求意见，后来不了了之，",
    "我在网上查了焚烧厂的资料，说法很多，",
    "我们这栋楼有一半是退休老人，",
    "晚上散步的时候经常能闻到一股怪味，",
    "我开货车二十年，知道重车对路面的影响，",
    "周末带孩子去水库边钓鱼是我们家的习惯，",
    "我们小区去年刚交房，很多人还在还贷款，",
    "我父母都七十多岁了，不会用手机提意见，",
    "我在社区做志愿者，听到很多邻居的担心，",
    "我们村委会门口贴了通知，我才知道这件事，",
]

CLOSINGS = [
    "希望政府认真考虑。",
    "请在答复中说明采纳情况。",
    "谢谢！",
    "希望能听到正式答复。",
    "",
    "",
]

WASTE_THEMES = [
    {
        "key": "emissions",
        "name": "烟气和二噁英排放",
        "name_en": "Flue gas and dioxin emissions",
        "concern": "health",
        "shortcut": "e",
        "description": "对烟气、二噁英等污染物排放和健康影响的担忧，以及对排放标准的意见。",
        "clause": 4,
        "q2": [1],
        "stances": ("oppose", "conditional", "conditional", "unsure"),
        "worries": [
            "最担心的是二噁英，家里有老人和小孩，",
            "听说焚烧厂的烟气对呼吸道影响很大，",
            "国外有焚烧厂周边癌症发病率上升的报道，",
            "夏天刮东南风的时候烟会吹到我们这边，",
            "排放标准写着严于国家标准50%，但没有说谁来检查，",
        ],
        "asks": [
            "建议二噁英每月检测一次而不是每季度。",
            "希望排放限值写进特许经营合同，超标就停产整改。",
            "请公布同类焚烧厂多年的实测数据给我们看。",
            "建议在居民区设置独立的空气监测点。",
            "要求项目采用最好的烟气净化工艺，不能为了省钱降低标准。",
        ],
    },
    {
        "key": "odour",
        "name": "臭气",
        "name_en": "Odour",
        "concern": "environment",
        "shortcut": "o",
        "description": "垃圾储坑、运输和填埋场叠加产生的臭气问题。",
        "clause": None,
        "q2": [2],
        "stances": ("oppose", "oppose", "conditional"),
        "worries": [
            "填埋场的臭味我们已经闻了十几年，",
            "晚上关着窗户都能闻到臭味，",
            "再加一个焚烧厂，臭气只会更严重，",
            "垃圾坑的臭气如果处理不好，整个片区都受影响，",
        ],
        "asks": [
            "请先把填埋场的臭气治理好，再谈新项目。",
            "建议垃圾储坑全密闭负压运行，并公开臭气浓度监测数据。",
            "希望设立臭气投诉热线，接到投诉24小时内处理。",
            "建议把臭气控制要求写进建设方案的条文里。",
        ],
    },
    {
        "key": "traffic",
        "name": "垃圾车运输和交通安全",
        "name_en": "Waste trucks and road safety",
        "concern": "traffic",
        "shortcut": "t",
        "description": "垃圾运输车辆的路线、时段、噪声、滴漏和道路安全。",
        "clause": 6,
        "q2": [3],
        "stances": ("conditional", "conditional", "oppose"),
        "worries": [
            "每天几百辆垃圾车从村口经过，",
            "望江路本来就窄，早晚高峰很堵，",
            "垃圾车滴漏的污水夏天特别臭，",
            "孩子上学要走运输路线旁边的人行道，",
            "如果选石桥村，进场道路要穿过两个自然村，",
        ],
        "asks": [
            "建议修建专用运输道路，不要穿过村庄。",
            "请明确垃圾车不得在早7点到8点半、下午4点到5点半通行。",
            "希望在学校门口路段设置减速带和护栏。",
            "建议运输车辆安装定位，行驶路线向社会公开。",
        ],
    },
    {
        "key": "water",
        "name": "水库和水源保护",
        "name_en": "Reservoir and water protection",
        "concern": "environment",
        "shortcut": "w",
        "description": "方案一位于松林水库上游，渗滤液和防渗的风险。",
        "clause": 3,
        "q2": [5],
        "stances": ("oppose", "conditional"),
        "worries": [
            "石桥村采石场在松林水库上游，",
            "我们村喝的是水库的水，",
            "采石场底部岩层有裂隙，防渗做不好会污染地下水，",
            "下大雨的时候采石场坑里的水会直接流到河里，",
        ],
        "asks": [
            "如果选方案一，请公开防渗设计和地下水监测方案。",
            "建议请水利专家单独论证水源风险。",
            "希望渗滤液全部处理达标后回用，不向河道排放。",
            "请把地下水监测井的数据也实时公开。",
        ],
    },
    {
        "key": "property",
        "name": "房产价值和补偿",
        "name_en": "Property values and compensation",
        "concern": "compensation",
        "shortcut": "p",
        "description": "周边房产贬值、防护距离内住户的补偿和安置。",
        "clause": 7,
        "q2": [4],
        "stances": ("oppose", "oppose", "conditional"),
        "worries": [
            "消息一出来，小区的房子就不好卖了，",
            "我们贷款买的房子，如果贬值谁来负责，",
            "300米防护距离内有几户人家，",
            "果园离候选厂址不到一公里，以后果子还卖得出去吗，",
        ],
        "asks": [
            "请说明周边房产受影响时有没有补偿办法。",
            "防护距离内住户的安置方案要先公开，再定厂址。",
            "建议对3公里范围内的居民给予适当补偿。",
            "希望政府帮助周边农产品做检测和认证，打消买家顾虑。",
        ],
    },
    {
        "key": "benefits",
        "name": "社区回馈和就业",
        "name_en": "Community fund and jobs",
        "concern": "livelihood",
        "shortcut": "b",
        "description": "社区回馈基金的标准和使用、邻利设施、本地就业。",
        "clause": 8,
        "q2": [6],
        "stances": ("conditional", "support", "conditional"),
        "worries": [
            "每吨5元的回馈基金标准偏低，",
            "回馈基金由谁管、怎么用，方案里没有写清楚，",
            "游泳馆和公园建在厂区里，估计没人愿意去，",
            "项目建成后能给本地人提供多少岗位，",
        ],
        "asks": [
            "建议回馈基金提高到每吨10元，并由村民代表参与管理。",
            "希望优先招聘周边村民，并提供技能培训。",
            "建议回馈基金用于周边社区的医疗和养老。",
            "邻利设施最好建在社区里，而不是厂区旁边。",
        ],
    },
    {
        "key": "oversight",
        "name": "信息公开和公众监督",
        "name_en": "Disclosure and public oversight",
        "concern": "procedure",
        "shortcut": "d",
        "description": "在线监测、信息公开、环境监督员和公众开放日。",
        "clause": 5,
        "q2": [],
        "stances": ("conditional", "support", "unsure"),
        "worries": [
            "以前有的企业监测数据造假，",
            "监督员如果由村委会指定，就起不到监督作用，",
            "电子显示屏上的数据普通人看不懂，",
            "第三方检测机构由企业自己请，不够独立，",
        ],
        "asks": [
            "建议环境监督员由居民投票选出，并有权随时进厂检查。",
            "希望在线监测数据用通俗的方式说明是否达标。",
            "第三方检测机构应当由生态环境局指定，费用由企业承担。",
            "希望每年公开环境信息报告，并召开说明会。",
        ],
    },
    {
        "key": "site",
        "name": "选址比选",
        "name_en": "Choice of site",
        "concern": "procedure",
        "shortcut": "s",
        "description": "支持或反对两处候选厂址的理由，以及对其他地点的建议。",
        "clause": 3,
        "q2": [],
        "stances": ("support", "conditional", "oppose", "unsure"),
        "worries": [
            "青石片区已经承受填埋场多年，",
            "方案二周边3公里内有四万多人，",
            "方案一运输距离远、每年多花一千多万运费，",
            "两个方案的比选报告只有摘要，",
        ],
        "asks": [
            "我支持方案一，人口少，还能修复采石场。",
            "我支持方案二，运输近，可以和填埋场一起管理。",
            "请公开六处地块比选的完整报告。",
            "建议再比较一下工业园区内的地块。",
        ],
    },
    {
        "key": "process",
        "name": "征求意见程序和听证",
        "name_en": "Consultation process and hearing",
        "concern": "procedure",
        "shortcut": "h",
        "description": "征求意见期限、座谈会、听证会和意见反馈的程序。",
        "clause": 10,
        "q2": [],
        "stances": ("unsure", "conditional", "support"),
        "worries": [
            "很多老人不会上网，",
            "座谈会通知得太晚，很多人没赶上，",
            "方案里的专业术语太多，",
            "听证会的代表怎么产生，方案没有说，",
        ],
        "asks": [
            "希望在村里多开几场说明会，用大家听得懂的话讲清楚。",
            "听证会代表应当有一半以上来自周边居民。",
            "请在社区公告栏张贴纸质版方案。",
            "感谢延长了征求意见期，希望答复也能逐条说明。",
        ],
    },
]

# A form letter sent many times (a campaign): the long one with small changes, the short one as is.
CAMPAIGN_LONG = (
    "关于反对在青石填埋场东侧建设垃圾焚烧发电厂的意见：\n"
    "青石片区居民承受填埋场臭气和运输噪声已经十五年，填埋场的渗滤液问题至今没有彻底解决。"
    "方案二周边3公里内居住着四万一千多名居民，还有两所小学和一所幼儿园。"
    "在这里再建一座日处理1500吨的焚烧厂，等于把全市的负担继续压在同一片社区身上。"
    "我们请求：一、不选择方案二；二、公开六处地块比选的完整报告；"
    "三、在最终决定前就选址召开公开听证会。"
)
CAMPAIGN_LONG_ENDINGS = [
    "",
    "望江社区居民",
    "青石社区一居民",
    "此致",
    "请予采纳。",
    "恳请市政府慎重决策。",
]
CAMPAIGN_SHORT = [
    "坚决反对在青石建焚烧厂！",
    "坚决反对在青石建焚烧厂!",
    "坚决反对在青石建焚烧厂！！",
]

# Opinions a moderator has to look at: personal details, abuse, advertising.
PERSONAL_DATA = [
    "我叫王建国，住青石社区，电话13800138000，欢迎工作人员上门了解情况。运输车辆每天早上六点就经过，噪声很大。",
    "有问题可以联系我，邮箱 qingshi.resident@example.com。我们楼下就是运输路线，希望改道。",
    "我的身份证号110101199003070000，我以实名反映：填埋场的臭气问题多年没有解决。",
]
ABUSE = "搞这个项目的人都是拍脑袋的蠢货，根本不管老百姓死活！臭气熏天还要再建一个！"
SPAM = [
    "低价出售二手挖掘机、装载机，量大从优，详询微信号 waji-888。",
    "专业代办各类资质证书，加急三天出证。",
]
NO_THEME = [
    "望江路的路灯坏了半个月了，希望尽快修好。",
    "建议公交36路延长到青石社区。",
]
QUESTION_TEXTS = [
    "回馈基金请用于修缮村里的道路和路灯。",
    "建议建一个社区卫生服务站。",
    "希望在周边建老年活动中心。",
    "建议给周边居民发放电费补贴。",
    "公园和游泳馆应当免费向周边居民开放。",
    "回馈基金的账目每年在村务公开栏公示。",
]
# Offline notes are written by the clerk in the third person.
OFFLINE_PREFIX = {
    "phone": "来电反映：",
    "letter": "来信称：",
    "walk_in": "来访群众反映：",
    "symposium": "座谈会发言记录：",
    "field_visit": "入户走访记录：",
    "email": "",
    "hotline_12345": "12345热线转办：",
}

# -- The other consultations -------------------------------------------------------------------

PARKING_THEMES = [
    {
        "key": "pricing",
        "name": "收费标准的确定",
        "name_en": "How the charge is set",
        "concern": "procedure",
        "shortcut": "",
        "clause": 2,
        "texts": [
            "物业说涨就涨，业主根本没有发言权，支持要经业主大会同意。",
            "我们小区没有业主大会，征求全体业主意见的办法要写具体，不然又是走过场。",
            "建议收费标准同时报街道备案，方便业主查询。",
            "双过半的门槛太高，很多小区根本凑不齐人数。",
        ],
    },
    {
        "key": "visitor",
        "name": "临时停车免费时长",
        "name_en": "Free visitor parking",
        "concern": "traffic",
        "shortcut": "",
        "clause": 4,
        "texts": [
            "30分钟太短，送老人看病、接送孩子都不够，建议60分钟。",
            "临时停车免费30分钟很好，外卖和快递也方便。",
            "免费时长太长会被人滥用，15分钟就够了。",
        ],
    },
    {
        "key": "charging",
        "name": "充电车位收费",
        "name_en": "Charging bays",
        "concern": "livelihood",
        "shortcut": "",
        "clause": 5,
        "texts": [
            "充电车位被燃油车占了怎么办，规定里没有说。",
            "超时占位费的标准由谁定，请写清楚。",
            "支持充电车位不得乱收费，现在有的小区收管理费每月200元。",
        ],
    },
]

SCHOOL_THEMES = [
    {
        "key": "journey",
        "name": "上学路程和校车安全",
        "name_en": "The journey and school-bus safety",
        "concern": "safety",
        "shortcut": "",
        "clause": 2,
        "texts": [
            "4公里山路，雨天校车能不能安全通行？希望校车每天检查，司机要有经验。",
            "校车只在村委会门口停一次，住得远的孩子要走二十分钟，建议多设几个停靠点。",
            "校车上一定要有照管员，小孩子上下车最容易出事。",
            "希望校车时刻表提前公布，冬天天黑得早，放学时间要考虑。",
        ],
    },
    {
        "key": "young",
        "name": "低年级孩子的照顾",
        "name_en": "Care for the youngest pupils",
        "concern": "livelihood",
        "shortcut": "",
        "clause": 1,
        "texts": [
            "一二年级的孩子太小，每天坐校车来回太辛苦，建议低年级留在村里读。",
            "孩子才七岁，中午在学校吃饭午休，有没有老师照看？",
            "我家孩子一年级，爷爷奶奶接送，去镇上太远了，希望保留村里的教学点。",
        ],
    },
    {
        "key": "quality",
        "name": "教学质量和师资",
        "name_en": "Teaching quality and teachers",
        "concern": "other",
        "shortcut": "",
        "clause": 3,
        "texts": [
            "支持合并，村小没有音乐美术老师，孩子到镇上能上全科目。",
            "中心小学的班额会不会太大？希望每班不超过45人。",
            "村小的老师都很负责，希望合并后老师待遇不降低。",
        ],
    },
    {
        "key": "keep",
        "name": "保留村小学",
        "name_en": "Keeping the village school",
        "concern": "livelihood",
        "shortcut": "",
        "clause": None,
        "texts": [
            "学校没了，村里的年轻人更不愿意回来了，反对撤并。",
            "村小是村里唯一的公共场所，撤了以后村子就空了。",
            "反对合并，应该给村小配老师，而不是关掉它。",
        ],
    },
    {
        "key": "building",
        "name": "闲置校舍的用途",
        "name_en": "Use of the empty school building",
        "concern": "other",
        "shortcut": "",
        "clause": None,
        "texts": [
            "合并以后村小的校舍不要荒废，可以改成老年活动中心。",
            "闲置的教室可以办成村里的图书室和留守儿童之家。",
        ],
    },
]

# The speaker's circumstances on the closed consultations (see DETAILS).
SMALL_DETAILS = {
    "residential-parking-fees": [
        "我们小区有六百多户，车位只有三百个，",
        "我在小区住了八年，停车费涨了三次，",
        "我是业委会委员，",
        "我家两辆车，一辆是电动车，",
        "我们小区的物业去年换了一家，",
        "我经常开车去看望父母，每次都要交临时停车费，",
        "我在物业公司做客服，接到的投诉一半和停车有关，",
        "",
    ],
    "hekou-school-merger": [
        "我家孩子今年上三年级，",
        "我是河口村的家长，孩子他爸在外打工，",
        "我是孩子的奶奶，平时由我接送，",
        "我在村小读的书，对学校很有感情，",
        "我家有两个孩子，一个一年级一个四年级，",
        "我是松林村村民，",
        "我在镇上开小店，",
        "",
    ],
}

GAS_TEXTS = [
    "老旧管道改造居民分担一成可以接受，但要公开改造费用明细。",
    "入户安检的人员要出示证件，最近有冒充燃气公司上门推销报警器的。",
    "小饭馆安装报警器和切断阀要花好几千元，希望政府给补贴。",
    "罚款标准偏低，对不安装报警器的餐馆起不到作用。",
    "希望安检发现隐患后给出书面整改单，写明整改期限。",
    "低保家庭由政府承担改造费用，这一条很好。",
    "建议规定燃气公司不得强制用户购买指定品牌的报警器。",
    "一年一次入户安检不够，老旧小区建议半年一次。",
]

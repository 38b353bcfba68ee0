"""The demo city's departments, districts and staff accounts (all invented)."""

from __future__ import annotations

DEPARTMENTS = [
    {
        "slug": "ecology-environment",
        "name": "示例市生态环境局",
        "name_en": "Shili City Ecology and Environment Bureau",
        "phone": "0999-12345601",
        "address": "示例市东湖区人民路88号",
        "address_en": "88 Renmin Road, Donghu District, Shili City",
        "office_hours": "工作日 9:00–12:00，13:30–17:30",
        "office_hours_en": "Working days 9:00–12:00 and 13:30–17:30",
        "email": "sthjj@shili.example.gov.cn",
    },
    {
        "slug": "natural-resources-planning",
        "name": "示例市自然资源和规划局",
        "name_en": "Shili City Natural Resources and Planning Bureau",
        "phone": "0999-12345602",
        "address": "示例市东湖区建设大道16号",
        "address_en": "16 Jianshe Avenue, Donghu District, Shili City",
        "office_hours": "工作日 9:00–12:00，13:30–17:30",
        "office_hours_en": "Working days 9:00–12:00 and 13:30–17:30",
        "email": "zrzy@shili.example.gov.cn",
    },
    {
        "slug": "housing-urban-rural",
        "name": "示例市住房和城乡建设局",
        "name_en": "Shili City Housing and Urban-Rural Development Bureau",
        "phone": "0999-12345603",
        "address": "示例市东湖区建设大道20号",
        "address_en": "20 Jianshe Avenue, Donghu District, Shili City",
        "office_hours": "工作日 9:00–12:00，13:30–17:30",
        "office_hours_en": "Working days 9:00–12:00 and 13:30–17:30",
        "email": "zjj@shili.example.gov.cn",
    },
    {
        "slug": "justice",
        "name": "示例市司法局",
        "name_en": "Shili City Justice Bureau",
        "phone": "0999-12345604",
        "address": "示例市东湖区法治路5号",
        "address_en": "5 Fazhi Road, Donghu District, Shili City",
        "office_hours": "工作日 9:00–12:00，13:30–17:30",
        "office_hours_en": "Working days 9:00–12:00 and 13:30–17:30",
        "email": "sfj@shili.example.gov.cn",
    },
    {
        "slug": "education",
        "name": "示例市西山区教育局",
        "name_en": "Xishan District Education Bureau, Shili City",
        "phone": "0999-12345605",
        "address": "示例市西山区松林镇学府路3号",
        "address_en": "3 Xuefu Road, Songlin Town, Xishan District, Shili City",
        "office_hours": "工作日 8:30–12:00，14:00–17:30",
        "office_hours_en": "Working days 8:30–12:00 and 14:00–17:30",
        "email": "jyj@xishan.shili.example.gov.cn",
    },
]

# (code, name, name_en, level, parent code). Codes follow the shape of national admin codes.
DISTRICTS = [
    ("999900", "示例市", "Shili City", "city", None),
    ("999901", "东湖区", "Donghu District", "district", "999900"),
    ("999902", "西山区", "Xishan District", "district", "999900"),
    ("999901001", "青石街道", "Qingshi Subdistrict", "subdistrict", "999901"),
    ("999901002", "柳岸街道", "Liu'an Subdistrict", "subdistrict", "999901"),
    ("999902001", "松林镇", "Songlin Town", "subdistrict", "999902"),
    ("999901001001", "青石社区", "Qingshi Community", "community", "999901001"),
    ("999901001002", "望江社区", "Wangjiang Community", "community", "999901001"),
    ("999901002001", "柳岸社区", "Liu'an Community", "community", "999901002"),
    ("999902001001", "石桥村", "Shiqiao Village", "community", "999902001"),
    ("999902001002", "松林村", "Songlin Village", "community", "999902001"),
    ("999902001003", "河口村", "Hekou Village", "community", "999902001"),
]

# username, roles (Role values), department slug or None, superuser, display name
USERS = [
    ("admin", ["site_admin"], None, True, "系统管理员"),
    ("editor", ["editor"], "ecology-environment", False, "生态环境局编辑"),
    ("approver", ["approver"], "ecology-environment", False, "生态环境局审核人"),
    ("editor2", ["editor"], "natural-resources-planning", False, "自然资源和规划局编辑"),
    ("approver2", ["approver"], "natural-resources-planning", False, "自然资源和规划局审核人"),
    # The school merger's department: its response is submitted by one and approved by the other.
    ("editor3", ["editor"], "education", False, "西山区教育局编辑"),
    ("approver3", ["approver"], "education", False, "西山区教育局审核人"),
    ("analyst", ["analyst"], "ecology-environment", False, "意见分析员"),
    ("intake", ["intake_clerk"], "ecology-environment", False, "线下意见录入员"),
    ("privacy", ["privacy_officer"], None, False, "个人信息保护专员"),
    # A second officer: an identity look-up needs one to ask and another to approve.
    ("privacy2", ["privacy_officer"], None, False, "个人信息保护专员（复核）"),
    ("assessor", ["assessor"], None, False, "稳评评估人员"),
]

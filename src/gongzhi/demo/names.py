"""Fictional place and unit names for the demo district."""

DISTRICT = ("110199", "向阳区")
STREETS = ["向阳街道", "朝晖街道", "和平街道"]
COMMUNITIES = [
    ["幸福里社区", "光明社区", "春晖社区", "望京西社区", "枣林社区"],
    ["朝晖社区", "青年路社区", "花园村社区", "金台社区"],
    ["和平里社区", "安华社区", "民旺社区", "樱花园社区"],
]
ESTATES = ["嘉园", "家园", "小区", "北里", "南里", "花园", "公寓", "新村", "苑", "东院"]
ROADS = [
    "向阳路",
    "朝晖路",
    "和平街",
    "光明路",
    "春晖街",
    "幸福大街",
    "青年路",
    "金台路",
    "安华路",
    "樱花东街",
    "民旺路",
    "枣林街",
    "花园北路",
    "望京西路",
]

# code, name, short name, kind
DEPARTMENTS = [
    ("CGW", "区城市管理委员会", "城管", "district_department"),
    ("ZJW", "区住房和城乡建设委员会", "住建", "district_department"),
    ("STHJ", "区生态环境局", "生态环境", "district_department"),
    ("SCJG", "区市场监督管理局", "市场监管", "district_department"),
    ("GAFJ", "区公安分局", "公安", "police"),
    ("WJW", "区卫生健康委员会", "卫健", "district_department"),
    ("JW", "区教育委员会", "教育", "district_department"),
    ("RSJ", "区人力资源和社会保障局", "人社", "district_department"),
    ("JTW", "区交通委员会", "交通", "district_department"),
    ("SWJ", "区水务局", "水务", "district_department"),
    ("GRGS", "区供热服务中心", "供热", "public_service"),
    ("MZJ", "区民政局", "民政", "district_department"),
    ("YLJ", "区园林绿化局", "园林", "district_department"),
    ("CGZF", "区城管执法局", "城管执法", "district_department"),
]

TAGS = [
    ("elderly_alone", "独居老人", "独自居住的 60 岁以上老人"),
    ("disabled", "残疾人", "持残疾人证"),
    ("subsistence", "低保户", "享受最低生活保障"),
    ("veteran", "退役军人", "退役军人及其他优抚对象"),
    ("left_behind_child", "留守儿童", "父母外出务工的未成年人"),
    ("severe_illness", "重病患者", "需重点关爱的重病患者"),
]

ORG_SUFFIX = {
    "enterprise": [
        "科技有限公司",
        "商贸有限公司",
        "物业管理有限公司",
        "建筑工程有限公司",
        "餐饮管理有限公司",
    ],
    "social_org": ["社会工作服务中心", "志愿者协会", "养老服务中心", "文化促进会"],
    "resident_unit": ["中学", "小学", "医院", "研究所", "邮政支局"],
    "merchant": ["便利店", "超市", "水果店", "面馆", "理发店", "洗衣店", "药店", "烧烤店"],
}

# birthplace region codes for ID numbers (real prefixes; not validated against a list by design)
BIRTH_REGIONS = [
    "110105",
    "110108",
    "110101",
    "130102",
    "370202",
    "410105",
    "510104",
    "320106",
    "420106",
    "230103",
    "340104",
    "150102",
    "610113",
    "140105",
    "120101",
    "110199",
]

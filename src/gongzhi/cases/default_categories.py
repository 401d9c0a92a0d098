"""默认事项分类: the built-in 3-level category tree for urban community cases (data only).

Installed by ``services.catalog.install_default_categories``; operators edit it afterwards or replace it
with their city's own tree (``gongzhi cases import-categories FILE``). Deadlines set here are defaults
that children inherit (``policy.deadline_plan``): nodes without a value fall back to their parent and
finally to 2 h to sign, 24 h to contact the reporter and 5 working days to resolve. Keywords on the
leaves are the words residents actually use; the cold-start suggester matches them against case texts
before a trained classifier exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CategorySpec:
    """One node of the default tree: name, optional deadlines, keywords (space separated), children."""

    name: str
    keywords: str = ""
    sign_hours: int | None = None
    contact_hours: int | None = None
    resolve_days: int | None = None
    children: tuple[CategorySpec, ...] = field(default=())


def _node(
    name: str,
    *children: CategorySpec,
    keywords: str = "",
    sign: int | None = None,
    contact: int | None = None,
    days: int | None = None,
) -> CategorySpec:
    return CategorySpec(
        name=name,
        keywords=keywords,
        sign_hours=sign,
        contact_hours=contact,
        resolve_days=days,
        children=tuple(children),
    )


def _leaf(
    name: str, keywords: str, *, sign: int | None = None, contact: int | None = None, days: int | None = None
) -> CategorySpec:
    return CategorySpec(
        name=name, keywords=keywords, sign_hours=sign, contact_hours=contact, resolve_days=days
    )


DEFAULT_TREE: tuple[CategorySpec, ...] = (
    _node(
        "市容环境",
        _node(
            "占道经营",
            _leaf("流动摊贩", "流动摊贩 摊贩 小摊 摆摊 地摊 三轮车卖 推车 叫卖 小贩 无照游商"),
            _leaf("店外经营", "店外经营 出店经营 门前摆放 占用人行道 货架 货物摆到路上 桌椅摆到外面 占道"),
            _leaf("早市夜市占道", "早市 夜市 马路市场 菜市场外 占道卖菜 集市"),
        ),
        _node(
            "户外广告",
            _leaf("违规广告牌", "广告牌 招牌 灯箱 广告位 牌匾 破损招牌 有坠落危险"),
            _leaf("小广告张贴", "小广告 牛皮癣 乱贴 乱涂 喷涂 办证广告 楼道贴广告"),
            _leaf("条幅标语", "条幅 横幅 标语 拉横幅 宣传布"),
        ),
        _node(
            "环境卫生",
            _leaf("道路保洁", "道路保洁 马路脏 路面脏 没人扫 落叶 尘土 清扫不及时"),
            _leaf("公共厕所", "公厕 公共厕所 厕所臭 厕所脏 厕所关门 厕所坏"),
            _leaf("积水积雪", "积水 积雪 结冰 路面结冰 扫雪 除雪 下雨积水 水漫"),
            _leaf("动物尸体清理", "死猫 死狗 死老鼠 动物尸体 尸体发臭"),
        ),
        _node(
            "乱堆乱放",
            _leaf("楼道堆物", "楼道堆物 楼道杂物 楼道堆放 堵塞通道 消防通道堆物 楼梯间杂物"),
            _leaf("废品收购站点", "废品收购 收废品 废品站 回收站 堆放废品 捡破烂"),
            _leaf("私搭乱建杂物棚", "杂物棚 搭棚子 私搭 圈占 堆放杂物 空地堆放"),
        ),
        days=5,
    ),
    _node(
        "垃圾清运",
        _node(
            "生活垃圾",
            _leaf(
                "垃圾未及时清运",
                "垃圾没人清 垃圾没清运 垃圾满了 垃圾桶满 垃圾堆积 垃圾站 清运不及时 臭气熏天",
            ),
            _leaf("垃圾桶设置", "垃圾桶 垃圾箱 桶站 垃圾桶坏了 缺少垃圾桶 撤桶"),
            _leaf("垃圾乱倒", "乱倒垃圾 乱扔垃圾 倾倒垃圾 垃圾倒在路边 偷倒"),
        ),
        _node(
            "垃圾分类",
            _leaf("分类投放指导", "垃圾分类 分类投放 厨余 其他垃圾 可回收物 有害垃圾 分类指导员 定时定点"),
            _leaf("混装混运", "混装混运 分类后又混在一起 垃圾车混装 白分了"),
        ),
        _node(
            "建筑垃圾",
            _leaf("装修垃圾", "装修垃圾 建筑垃圾 渣土 碎砖 装修废料 装修垃圾没人清"),
            _leaf("渣土车遗撒", "渣土车 遗撒 撒漏 泥头车 土方车 带泥上路"),
        ),
        _node(
            "大件垃圾",
            _leaf("大件家具", "大件垃圾 旧家具 旧沙发 床垫 废旧家具 大件"),
            _leaf("废旧电器", "废旧电器 旧冰箱 旧电视 旧空调 电子垃圾"),
        ),
        sign=2,
        days=3,
    ),
    _node(
        "噪音扰民",
        _node(
            "施工噪音",
            _leaf(
                "夜间施工",
                "夜间施工 晚上施工 半夜施工 凌晨施工 通宵施工 夜里打桩 晚上还在干活 深夜作业",
                sign=1,
                contact=2,
                days=2,
            ),
            _leaf("装修噪音", "装修噪音 装修声音 电钻 砸墙 周末装修 午休装修 切割声"),
            _leaf("道路施工噪音", "道路施工 挖路 破路 修路噪音 管线施工 打桩"),
        ),
        _node(
            "商业噪音",
            _leaf("广场舞", "广场舞 跳舞音乐 音响太大 跳舞声音 健身操 音箱"),
            _leaf("商铺外放", "喇叭 外放 大喇叭 叫卖录音 店铺音乐 促销喇叭 循环播放"),
            _leaf("娱乐场所噪音", "KTV 酒吧 歌厅 娱乐场所 唱歌 夜店 麻将馆"),
        ),
        _node(
            "生活噪音",
            _leaf("邻里噪音", "楼上噪音 邻居吵 跺脚 拖椅子 邻里噪音 楼上 半夜吵闹"),
            _leaf("宠物扰民", "狗叫 犬吠 宠物扰民 养狗 遛狗 狗吵"),
            _leaf("设备噪音", "空调外机 水泵 风机 变压器 设备噪音 机器嗡嗡 冷却塔 排风扇"),
        ),
        _node(
            "交通噪音",
            _leaf("车辆鸣笛", "鸣笛 按喇叭 汽车喇叭 车辆噪音"),
            _leaf("改装车炸街", "炸街 改装车 摩托车轰鸣 飙车 排气管"),
        ),
        days=3,
    ),
    _node(
        "生态环境",
        _node(
            "餐饮油烟",
            _leaf("油烟直排", "油烟 油烟直排 油烟味 排烟管道 烟道 餐馆油烟 饭店油烟 呛人 熏得"),
            _leaf("露天烧烤", "露天烧烤 烧烤摊 烤串 炭火 烧烤烟"),
            _leaf("净化设施不运行", "油烟净化器 净化设施 不开净化器 排风口"),
        ),
        _node(
            "大气污染",
            _leaf("工地扬尘", "扬尘 尘土飞扬 工地没苫盖 苫盖 洒水 灰尘大"),
            _leaf("露天焚烧", "焚烧 烧垃圾 烧树叶 烧秸秆 冒黑烟 烧东西"),
            _leaf("工业废气", "废气 排放 工厂排气 喷漆 刺鼻 化学味"),
        ),
        _node(
            "水污染",
            _leaf("河道污染", "河道 河水发黑 河水发臭 水面漂浮物 死鱼 臭水沟"),
            _leaf("污水直排", "污水直排 排污 偷排 污水管 往河里排"),
        ),
        _node(
            "异味扰民",
            _leaf("垃圾站异味", "垃圾站臭 垃圾房异味 垃圾味 臭味"),
            _leaf("养殖异味", "养鸡 养鸽子 养殖 禽类 粪便味"),
        ),
        days=5,
    ),
    _node(
        "交通出行",
        _node(
            "乱停乱放",
            _leaf("机动车乱停", "乱停车 违停 违章停车 堵门 占消防通道 堵路口 停在人行道 僵尸车"),
            _leaf("共享单车堆放", "共享单车 单车乱放 单车堆积 电单车 美团单车 哈啰 青桔"),
            _leaf("地锁占位", "地锁 占车位 私装地锁 锥桶占位 石墩占位"),
        ),
        _node(
            "道路交通",
            _leaf("交通拥堵", "堵车 拥堵 交通拥堵 早高峰 晚高峰 通行不畅"),
            _leaf("信号灯标志", "红绿灯 信号灯 交通标志 标线 斑马线 限速牌 红绿灯坏了"),
            _leaf("道路设施损坏", "护栏 隔离栏 减速带 道路破损 坑洼 坑 路面塌陷"),
        ),
        _node(
            "公共交通",
            _leaf("公交线路站点", "公交 公交车 公交站 线路 站牌 班次 末班车 发车间隔"),
            _leaf("出租网约车", "出租车 网约车 拒载 绕路 黑车"),
            _leaf("地铁", "地铁 地铁站 出入口 换乘 地铁口"),
        ),
        _node(
            "停车设施",
            _leaf("停车收费", "停车费 停车收费 乱收费 停车场收费"),
            _leaf("停车位不足", "停车难 车位不够 没有车位 停车位 增设车位"),
        ),
        days=5,
    ),
    _node(
        "城市建设",
        _node(
            "违法建设",
            _leaf("私搭乱建", "违建 违章建筑 违法建设 私搭乱建 加盖 搭建 彩钢房 阳光房"),
            _leaf("楼顶违建", "楼顶 屋顶 顶楼加盖 楼顶搭建 平台违建"),
            _leaf("破墙开店", "破墙开店 拆承重墙 改门脸 开门洞 改变房屋结构"),
            days=15,
        ),
        _node(
            "市政设施",
            _leaf("井盖缺失", "井盖 井盖丢了 井盖坏了 下水井 窨井 掉进井里", sign=1, days=1),
            _leaf("路灯不亮", "路灯 路灯不亮 路灯坏了 照明 黑灯瞎火 灯不亮"),
            _leaf("道路维修", "修路 路面破损 人行道破损 地砖 道路坑洼 盲道"),
            _leaf("路面塌陷", "塌陷 路面下沉 地面塌了 大坑 空洞", sign=1, days=1),
        ),
        _node(
            "公共设施",
            _leaf("健身器材", "健身器材 健身器 器材坏了 健身设施 单杠"),
            _leaf("座椅凉亭", "座椅 长椅 凉亭 休闲椅 廊架"),
            _leaf("无障碍设施", "无障碍 坡道 轮椅 扶手 盲道被占"),
            _leaf("充电桩", "充电桩 新能源车 充电设施 安装充电桩 充电车位"),
        ),
        _node(
            "房屋安全",
            _leaf("房屋裂缝漏水", "房屋裂缝 墙体裂缝 屋顶漏水 漏雨 外墙脱落 墙皮掉"),
            _leaf("危房", "危房 房子要塌 房屋倾斜 老旧危房"),
            sign=1,
        ),
    ),
    _node(
        "物业管理",
        _node(
            "物业服务",
            _leaf("物业不作为", "物业不管 物业不作为 找物业没用 物业服务差 物业态度"),
            _leaf("物业收费", "物业费 乱收费 收费标准 公摊 水电费加价 物业收费"),
            _leaf("小区卫生", "小区卫生 小区垃圾 保洁 小区脏乱差 楼道卫生"),
            _leaf("门禁安保", "门禁 保安 门卫 小区大门 外来人员 门禁卡"),
            _leaf("物业交接", "物业撤场 物业交接 没有物业 无物业 老旧小区 弃管"),
        ),
        _node(
            "电梯",
            _leaf("电梯困人", "电梯困人 被困电梯 关在电梯里 电梯卡住", sign=1, contact=1, days=1),
            _leaf("电梯故障停运", "电梯坏了 电梯停运 电梯故障 电梯异响 电梯维修 电梯年检"),
            _leaf("加装电梯", "加装电梯 老楼加装 装电梯"),
        ),
        _node(
            "小区公共设施",
            _leaf("楼道照明", "楼道灯 声控灯 楼道照明 楼道黑"),
            _leaf("二次供水设施", "水箱 二次供水 水泵房 蓄水池"),
            _leaf("单元门对讲", "单元门 对讲 防盗门 门锁坏"),
        ),
        _node(
            "业主自治",
            _leaf("业委会", "业委会 业主委员会 业主大会 选举 业主投票"),
            _leaf("公共收益", "公共收益 广告收益 停车收益 维修资金 大修基金"),
        ),
        _node(
            "小区停车",
            _leaf("小区停车管理", "小区停车 小区车位 外来车辆 车位租售 停车管理"),
        ),
        days=5,
    ),
    _node(
        "供暖",
        _node(
            "供暖温度",
            _leaf("室温不达标", "暖气不热 室温低 温度不够 不到18度 屋里冷 暖气温度 冻得", days=2),
            _leaf("局部不热", "部分不热 半截热 上热下凉 末端不热 暖气片不热"),
        ),
        _node(
            "供暖设施",
            _leaf("暖气漏水", "暖气漏水 暖气管漏 暖气跑水 管道爆裂 阀门漏水", sign=1, contact=1, days=1),
            _leaf("管道维修", "供暖管道 暖气管道 管网 换热站 打压"),
        ),
        _node(
            "供暖收费",
            _leaf("采暖费", "采暖费 取暖费 供暖费 暖气费 热费 退费"),
            _leaf("报停开通", "报停 停暖 开通暖气 申请供暖"),
        ),
        sign=1,
        contact=4,
        days=2,
    ),
    _node(
        "供水排水",
        _node(
            "供水",
            _leaf("停水", "停水 没水 断水 突然停水 水停了", sign=1, contact=2, days=1),
            _leaf("水压水质", "水压低 水压小 水质 水发黄 浑浊 自来水有异味 水垢"),
            _leaf("水管爆裂", "水管爆了 爆管 跑水 漏水 自来水管 管道漏水", sign=1, contact=1, days=1),
            _leaf("水表水费", "水表 水费 抄表 水价"),
        ),
        _node(
            "排水",
            _leaf("下水道堵塞", "下水道 堵了 下水不通 管道堵塞 化粪池 反水 污水冒出", sign=1),
            _leaf("雨水排水", "雨水 排水不畅 雨水口 雨篦子 下雨积水"),
        ),
        sign=2,
        contact=4,
        days=3,
    ),
    _node(
        "燃气",
        _node(
            "燃气安全",
            _leaf("燃气泄漏", "燃气泄漏 漏气 煤气味 天然气味 闻到气味 液化气", sign=1, contact=1, days=1),
            _leaf("瓶装液化气", "液化气罐 煤气罐 瓶装气 钢瓶 违规使用液化气"),
        ),
        _node(
            "燃气服务",
            _leaf("停气", "停气 没气 燃气停了 打不着火 燃气灶"),
            _leaf("燃气收费", "燃气费 气费 燃气表 购气 充值"),
            _leaf("燃气安装改造", "燃气安装 燃气改造 开通燃气 燃气管道 壁挂炉"),
        ),
        sign=1,
        contact=2,
        days=1,
    ),
    _node(
        "园林绿化",
        _node(
            "树木管理",
            _leaf("树木修剪", "修剪 树枝 树枝挡窗 树太高 遮挡阳光 树木修剪"),
            _leaf("倒伏断枝", "树倒了 倒伏 断枝 大树倾斜 树枝掉落 刮倒", sign=1, days=1),
            _leaf("病虫害", "虫子 病虫害 杨絮 柳絮 毛毛虫 打药"),
        ),
        _node(
            "绿地养护",
            _leaf("绿地破坏", "绿地 草坪 毁绿 种菜 毁坏绿地 绿化带"),
            _leaf("绿化缺失", "补种 绿化缺失 光秃秃 黄土裸露"),
        ),
        _node(
            "公园广场",
            _leaf("公园管理", "公园 广场 游园 公园设施 开放时间"),
            _leaf("景观水体", "喷泉 景观水 人工湖 水池发臭 景观河"),
        ),
        days=5,
    ),
    _node(
        "劳动保障",
        _node(
            "欠薪",
            _leaf("农民工欠薪", "农民工 工地欠薪 包工头 工钱 民工 干活不给钱 工程款 工地讨薪"),
            _leaf("企业拖欠工资", "拖欠工资 欠薪 讨薪 不发工资 工资没发 克扣工资 公司欠钱 老板跑路 老板"),
            days=10,
        ),
        _node(
            "劳动关系",
            _leaf("劳动合同", "劳动合同 不签合同 辞退 解除合同 经济补偿 赔偿金"),
            _leaf("加班休假", "加班 加班费 休假 年假 996 工作时间"),
        ),
        _node(
            "社会保险",
            _leaf("养老保险", "养老保险 社保 退休金 养老金 缴费年限 补缴"),
            _leaf("医疗保险", "医保 医疗保险 报销 医保卡 异地就医"),
            _leaf("失业保险", "失业保险 失业金 领取失业"),
        ),
        _node(
            "就业服务",
            _leaf("就业帮扶", "就业 找工作 招聘 再就业 技能培训 就业困难"),
            _leaf("创业扶持", "创业 创业补贴 创业贷款 个体户扶持"),
        ),
        days=7,
    ),
    _node(
        "教育文体",
        _node(
            "学校教育",
            _leaf("入学划片", "入学 划片 学区 上学 转学 幼升小 小升初"),
            _leaf("校园周边", "校门口 学校周边 接送孩子 校园安全 学校门口"),
            _leaf("校外培训", "培训机构 补课 校外培训 退费 课外班"),
        ),
        _node(
            "托育幼儿",
            _leaf("幼儿园", "幼儿园 入园 托班 托育 普惠园"),
        ),
        _node(
            "文体设施",
            _leaf("文体活动场地", "活动室 文化站 图书室 篮球场 运动场 活动场地"),
            _leaf("全民健身", "健身 跑道 球场开放 体育场馆 免费开放"),
        ),
        days=5,
    ),
    _node(
        "医疗卫生",
        _node(
            "医疗服务",
            _leaf("就医服务", "看病 挂号 医院 社区医院 卫生服务站 医生态度"),
            _leaf("药品供应", "买不到药 缺药 开药 药店"),
            _leaf("医疗纠纷", "医疗纠纷 医疗事故 误诊 医患"),
        ),
        _node(
            "公共卫生",
            _leaf("病媒生物", "老鼠 蟑螂 蚊子 苍蝇 灭鼠 消杀 鼠患"),
            _leaf("疫苗接种", "疫苗 接种 打疫苗 预防针"),
        ),
        _node(
            "非法行医",
            _leaf("无证诊所", "黑诊所 无证行医 非法行医 游医 小诊所"),
        ),
        days=5,
    ),
    _node(
        "市场监管",
        _node(
            "食品安全",
            _leaf("餐饮卫生", "食品安全 卫生条件差 吃坏肚子 后厨脏 不干净 食物中毒", sign=1),
            _leaf("过期变质食品", "过期 变质 发霉 保质期 过期食品"),
            _leaf("无证食品经营", "无证经营 没有营业执照 小作坊 食品作坊"),
        ),
        _node(
            "消费维权",
            _leaf("预付卡退费", "预付卡 会员卡 办卡 跑路 退卡 健身房 理发店 退费难"),
            _leaf("商品质量", "质量问题 假货 以次充好 售后 退换货"),
            _leaf("虚假宣传", "虚假宣传 保健品 忽悠老人 夸大宣传 会销"),
        ),
        _node(
            "价格监管",
            _leaf("价格违法", "哄抬物价 乱涨价 明码标价 价格欺诈 价格"),
        ),
        days=5,
    ),
    _node(
        "社区服务",
        _node(
            "养老服务",
            _leaf("居家养老", "养老 老人 独居老人 空巢老人 居家养老 上门服务 助餐 老年餐"),
            _leaf("养老机构", "养老院 敬老院 养老机构 护理院"),
            _leaf("适老化改造", "适老化 扶手 防滑 适老 老年人改造"),
        ),
        _node(
            "社会救助",
            _leaf("低保救助", "低保 特困 救助 困难补助 临时救助 生活困难"),
            _leaf("残疾人服务", "残疾人 残疾证 轮椅 助残 残联"),
        ),
        _node(
            "社区事务",
            _leaf("证明开具", "开证明 居住证明 盖章 社区证明 办事难"),
            _leaf("社区活动", "社区活动 志愿服务 居民活动 议事"),
            _leaf("退役军人服务", "退役军人 优抚 军属 双拥"),
        ),
        _node(
            "户籍人口",
            _leaf("户口居住证", "户口 落户 居住证 户籍 身份证办理"),
        ),
        days=5,
    ),
    _node(
        "公共安全",
        _node(
            "消防安全",
            _leaf("飞线充电", "飞线充电 飞线 私拉电线 拉电线 楼道充电 电动车充电 电瓶车 充电 从楼上拉线"),
            _leaf("消防通道堵塞", "消防通道 消防车通道 堵塞 占用消防通道 生命通道"),
            _leaf("消防设施损坏", "灭火器 消火栓 消防栓 烟感 消防设施 应急灯"),
            sign=1,
            days=3,
        ),
        _node(
            "社会治安",
            _leaf("治安隐患", "治安 小偷 偷窃 盗窃 可疑人员 打架 斗殴 醉酒闹事"),
            _leaf("群租房", "群租 群租房 隔断间 住了很多人 出租屋 违规出租"),
            _leaf("电信诈骗", "诈骗 骗子 电信诈骗 骗钱 传销"),
            _leaf("流浪乞讨", "流浪 乞讨 流浪人员 露宿 流浪汉"),
        ),
        _node(
            "安全生产",
            _leaf("安全隐患", "安全隐患 危险品 易燃易爆 高空坠物 脚手架 广告牌松动"),
            _leaf("违规经营场所", "无证 违规经营 地下室 黑作坊 存储仓库"),
            sign=1,
        ),
        days=3,
    ),
)


def count_nodes(tree: tuple[CategorySpec, ...] = DEFAULT_TREE) -> tuple[int, int, int]:
    """Number of level-1, level-2 and level-3 nodes in ``tree`` (for tests and the install report)."""
    level1 = len(tree)
    level2 = sum(len(a.children) for a in tree)
    level3 = sum(len(b.children) for a in tree for b in a.children)
    return level1, level2, level3

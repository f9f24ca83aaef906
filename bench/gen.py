#!/usr/bin/env python3
"""Generate a synthetic dualprev site for benchmarking.

    gen.py --pages N --enterprises M --out DIR [--seed S] [--repo REPO] [--shape ours|guidance]

Writes DIR/data/site.toml, DIR/data/standards/{small-micro,large-medium}.toml (copied from the
repository), N Markdown pages under DIR/content/sec-XXX/page-YYYY.md (100 pages per section, ~1,500
Chinese characters each, several `##` headings, one table, 2-3 `@/` links to other generated pages),
DIR/content/_index.md, and M enterprise records DIR/data/enterprises/<slug>.toml that satisfy
shared/domain.md §6 (correct USCC check character, unique names and USCCs, every reference resolved,
one complete evaluation against small-micro).

Stdlib only and deterministic: the same arguments give byte-identical files.

--shape guidance writes pages of another shape instead, one this project's templates were not
written around (issue #23): ten sections of N/10 pages (content/sec-XX/page-YYYYY.md), each ≈5.5 KB
of Markdown: a title, ≈1,500 Chinese characters drawn from a large vocabulary (words of the 3,755
GB 2312 level-1 characters, Zipf-distributed, so the index sees many distinct bigrams as real prose
does), 6-13 `##`/`###` headings, a 5-row table, a bulleted and a numbered list, standard numbers
(`GB 15577-2018`) and figures (`19.5%`). Its phrases are GUIDE_PHRASES; 粉尘 and 涉爆 are in the same
31% of the pages but never side by side, so the query 粉尘涉爆 matches nothing.

Findable phrases: every phrase in PHRASES appears in exactly round(rate * N) of the Markdown pages
(the pages are drawn with the seeded RNG); the filler text never contains any of them. The list of
pages per phrase is written to DIR/bench-phrases.json so a benchmark can check result counts.
"""

import argparse
import itertools
import datetime as dt
import json
import os
import random
import re
import shutil
import sys
import tomllib

# --------------------------------------------------------------------------------------------- USCC
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check_char(first17):
    """Check character of a 统一社会信用代码 (shared/domain.md §6)."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


assert uscc_check_char("9144030071526726X") == "G"

# ------------------------------------------------------------------------------- findable phrases
# phrase -> (rate in Markdown pages, sentences containing it; {slots} are filled like the filler)
PHRASES = {
    "有限空间": (0.10, [
        "{p}附近的污水井、地坑和储罐都属于有限空间，进入前必须先通风、再检测、后作业，并安排专人在外监护。",
        "有限空间清单要写明每一处的位置、可能存在的有害气体、审批人和应急器材存放点。",
    ]),
    "粉尘涉爆": (0.05, [
        "粉尘涉爆企业的除尘系统要按规定设置泄爆、隔爆装置，{r}每班清扫积尘并做好记录。",
        "对粉尘涉爆岗位，{r}要重点检查除尘器灰斗是否按时清灰、风管有无积尘。",
    ]),
    "动火作业": (0.20, [
        "动火作业前应清除周围可燃物，配备灭火器材，由{r}审批并全程监护。",
        "在{p}进行动火作业，须取得作业票，作业结束后留人观察半小时以上。",
    ]),
    "重大事故隐患": (0.30, [
        "发现属于重大事故隐患的情形，应当立即停止相关作业，落实措施、责任、资金、时限和预案。",
        "对照判定标准，{p}出现的这一问题应按重大事故隐患登记，并报告镇安办。",
    ]),
    "吹哨人": (0.02, [
        "企业设立吹哨人奖励制度，员工报告隐患经核实后给予奖励，报告人信息严格保密。",
    ]),
    "液氨制冷": (0.01, [
        "涉及液氨制冷的企业，包装间、分割间等人员较多的场所不得采用氨直接蒸发制冷系统。",
    ]),
    "GB 15577": (0.03, [
        "除尘系统的检查要点可对照 GB 15577—2018《粉尘防爆安全规程》逐条核对。",
    ]),
    "防爆电气": (0.08, [
        "{p}内的照明、开关和电机应选用防爆电气设备，线路穿管保护，不得私接插座。",
    ]),
    "高处坠落": (0.15, [
        "在屋面、平台和货架上方作业时必须系好安全带，防止高处坠落。",
        "{r}检修{e}时如需登高，应搭设合格的作业平台，严防高处坠落。",
    ]),
    "LEC": (0.25, [
        "采用 LEC 法评价时，L 取 {l}、E 取 {ee}、C 取 {c}，D 值为 {d}，对照分级表属于{lvl}风险。",
    ]),
}

# The fixed query list of the benchmark (bench/query_bytes.py reads it from here).
QUERIES = [
    "有限空间", "粉尘涉爆", "动火作业", "重大事故隐患", "吹哨人", "液氨制冷",
    "GB 15577", "防爆电气", "高处坠落", "LEC", "动火作业 有限空间", "安全",
]

# The guidance shape's tracked phrases: phrase -> (rate, sentences). 粉尘 and 涉爆 are placed
# together (see gen_guidance_pages) and 粉尘涉爆 never occurs.
GUIDE_PHRASES = {
    "有限空间": (0.10, ["进入有限空间作业前，必须先通风、再检测、后作业，监护人员不得离开。"]),
    "重大事故隐患": (0.20, ["对照判定标准，这一情形应当判定为重大事故隐患，立即停产整改并报告。"]),
    "隐患排查": (0.30, ["企业应当建立隐患排查制度，明确排查的频次、内容和责任人。"]),
    "安全": (0.60, ["主要负责人对本单位的安全生产工作全面负责。"]),
    "粉尘": (0.3127, ["除尘系统应当定期清理，作业场所的粉尘浓度要控制在规定范围内。"]),
    "涉爆": (0.3127, ["涉爆作业场所的电气设备应当选用防爆型，并可靠接地。"]),
}
GUIDE_QUERIES = ["有限空间", "安全", "重大事故隐患", "隐患排查", "粉尘涉爆", "粉尘", "GB 15577"]
STANDARDS = ["GB 15577-2018", "GB 30871-2022", "GB/T 33000-2016", "AQ 3009-2007", "GB 6441-1986",
             "GB 50016-2014", "AQ/T 9006-2010", "GB 2894-2008", "GB 39800.1-2020", "AQ 3028-2008"]

# --------------------------------------------------------------------------------- filler words
ROLES = ["主要负责人", "安全管理人员", "车间主任", "班组长", "岗位员工", "设备员", "电工", "仓库保管员",
         "兼职安全员", "生产主管", "维修工", "叉车司机", "行车工", "质检员", "当班组长", "技术负责人"]
EQUIP = ["配电箱", "砂轮机", "储气罐", "冲床", "剪板机", "叉车", "行车", "抛丸机", "木工圆锯", "注塑机",
         "空压机", "燃气锅炉", "烘干炉", "燃气调压箱", "除尘器", "喷漆房", "包装机", "输送带", "折弯机",
         "电焊机", "切割机", "蒸汽发生器", "压力容器", "电动葫芦", "货梯", "中频炉", "烤箱", "搅拌机"]
PLACES = ["仓库", "配电房", "喷涂车间", "包装车间", "机加工车间", "原料库", "成品库", "锅炉房", "污水站",
          "消防通道", "危化品库", "装卸平台", "食堂", "宿舍区", "维修间", "空压机房", "下料区", "发货区",
          "烘干房", "打磨区", "熔炼工部", "化验室", "油品库", "员工通道"]
CONDS = ["防护罩缺失", "安全阀未按期校验", "漏电保护器失效", "通道堆放杂物", "灭火器过期", "疏散指示标志损坏",
         "电线私拉乱接", "接地线松脱", "限位器失灵", "钢丝绳断股", "压力表超期未检", "警示标志缺失",
         "应急照明不亮", "安全出口上锁", "急停按钮失效", "皮带轮外露", "油漆桶混放", "气瓶未固定",
         "护栏高度不足", "地面积油未清理", "插座超负荷使用", "操作规程未上墙", "联锁装置被短接",
         "劳保用品未佩戴", "排风扇损坏", "消火栓被遮挡"]
CONTROLS = ["挂牌上锁", "班前检查", "专人监护", "作业审批", "定期校验", "设置警示标志", "加装防护装置",
            "定置管理", "每月测试", "岗前培训", "双人确认", "交接班检查", "视频巡查", "限量存放"]
ACCIDENTS = ["物体打击", "机械伤害", "起重伤害", "触电", "灼烫", "火灾", "车辆伤害", "容器爆炸",
             "中毒和窒息", "其他伤害", "坍塌", "淹溺", "其他爆炸"]
FREQ = ["每班", "每天", "每周", "每月", "每季度", "每半年", "节假日前", "复工复产前"]
EMERG = ["切断电源", "停机断气", "撤离人员", "设置警戒", "关闭阀门", "疏散周边人员", "启动应急预案",
         "用干粉灭火器扑救初起火灾"]
CATS = ["组织保障与职责", "制度与培训", "风险辨识评估", "风险管控与告知", "隐患排查治理", "台账与信息化",
        "激励约束", "持续改进"]
COLOURS = {"重大": "红色", "较大": "橙色", "一般": "黄色", "低": "蓝色"}
CTRL_LEVEL = {"重大": "公司", "较大": "部门", "一般": "车间", "低": "班组"}
HEADINGS = ["适用范围", "职责分工", "辨识要点", "评估方法", "管控措施", "排查清单", "整改验收", "台账记录",
            "培训要求", "应急处置", "常见问题", "检查要点", "示例说明", "工作流程", "联络员提示", "自查自评"]
TOPICS = EQUIP + PLACES
ASPECTS = ["安全检查要点", "风险辨识示例", "隐患整改指引", "岗位告知卡编写", "日常管理做法", "培训讲解提纲",
           "排查清单示例", "常见问题解答", "现场观摩记录", "管控措施汇编"]

FILLER = [
    "{r}{f}要对{p}的{e}开展一次检查，重点看{h}的问题，发现后当场登记。",
    "{p}的{e}一旦出现{h}，可能引发{a}，必须落实{ctl}。",
    "按照本镇的做法，{r}负责{p}内{e}的{ctl}，检查结果写入台账并签字确认。",
    "上次检查中，{p}发现{n}处{h}，{r}已在{n2}天内整改完毕并申请验收。",
    "对照风险清单，{e}的主要风险是{a}，管控层级定为{cl}，由{r}具体负责。",
    "培训时请{r}讲一讲{e}的操作规程，再到{p}现场指认{h}之类的常见问题。",
    "隐患整改完成后，由{r}组织验收，验收合格才能销号，照片和记录一并存档。",
    "采用 LS 法评估时，可能性取 {ls_l}，严重性取 {ls_s}，风险值为 {ls_r}，对照分级表属于{ls_lvl}风险。",
    "{lvl}风险用{colour}标示，同时写出等级文字，不能只靠颜色区分。",
    "{r}每月向镇安办报送隐患排查情况，逾期未整改的隐患要说明原因和下一步措施。",
    "企业应当把{e}的检查要点写进岗位隐患排查清单，明确查什么、怎么查、谁来查、多久查一次。",
    "发现{h}时，{r}应立即停止使用{e}，设置警戒并报告{r2}。",
    "{p}内严禁吸烟和使用明火，确需作业的必须先办理审批手续并清理周边可燃物。",
    "联络员走访时，可以抽问{n}名员工，看是否讲得清本岗位的风险和应急处置方法。",
    "{n}月份的综合性排查共查出{n2}项问题，其中{n3}项属于{h}一类，已全部落实整改责任人。",
    "应急处置卡要写明：{a}发生后先{em}，再报告{r}，必要时拨打119或120。",
    "评估时，{cat}这一类共{n2}分，每发现一处问题扣{n}分，扣完为止。",
    "{e}的操作人员必须经过培训，熟悉设备性能和安全操作规程，持证上岗的岗位还要核对证件有效期。",
    "风险告知卡张贴在{p}入口处，内容包括主要风险、可能后果、管控措施、应急处置和报告电话。",
    "{r}在交接班时要说明{e}的运行状况，发现{h}要在记录本上写清楚并交代下一班。",
    "外来施工单位进入{p}前，要签订安全协议，明确双方责任，由{r}进行现场安全交底。",
    "{e}旁边的地面应划出作业区域和通道标线，物料按定置区摆放，保持通道宽度不小于1米。",
    "四色分布图要按厂区平面画出{p}、{p2}等区域的风险等级，并在图例中写明颜色含义。",
    "季节性排查重点关注{p}的防雷、防汛和防暑降温措施，雨季前要检查排水沟是否畅通。",
    "企业自评以{cat}为重点，逐项对照评估标准打分，发现的不足列入整改计划。",
    "{r}要熟悉{e}的应急停机方法，每季度组织一次现场处置演练，演练后总结改进。",
    "台账可以用纸质表格，也可以用电子表格，但要做到日期、部位、问题、责任人和整改结果齐全。",
    "有的企业把{h}当成小事，长期不改，结果在{p}酿成{a}事故，这样的教训必须牢记。",
    "小微企业人手少，可以由{r}兼任安全员，但职责必须写清楚，并保证有时间开展检查。",
    "对{e}的维修保养要做到{f}点检，易损件按周期更换，保养记录保存不少于三年。",
]

# High-risk categories, posts, activities, hazard sources for enterprise records
INDUSTRIES = ["冶金", "有色", "建材", "机械", "轻工", "纺织", "烟草", "商贸", "其他"]
HIGH_RISK = ["金属冶炼", "粉尘涉爆", "涉重点监管危险化工工艺", "涉有限空间作业", "劳动密集型", "厂中厂"]
POSTS = ["熔炼工", "浇注工", "造型工", "清理打磨工", "行车工", "电工", "叉车司机", "仓库保管员", "焊工",
         "冲压工", "喷涂工", "包装工", "锅炉工", "维修工", "下料工", "折弯工", "抛光工", "木工", "油漆工",
         "配料工", "烘干工", "质检员", "装卸工", "空压机操作工", "污水处理工", "搅拌工", "注塑工", "切割工"]
ACTIVITIES = ["设备日常操作", "设备检修", "物料搬运", "原料投放", "清扫保洁", "装卸货物", "临时用电",
              "登高检查", "更换模具", "调试设备", "交接班巡检", "库房堆垛", "开停机", "清理积料"]
SOURCES = ["日常排查", "综合性排查", "专业性排查", "季节性排查", "节假日排查", "事故类比排查", "复工复产排查",
           "联络员检查", "职工报告", "执法检查"]
CRITERIA = ["应急管理部令第10号第三条第（一）项", "应急管理部令第10号第三条第（三）项",
            "应急管理部令第10号第七条第（二）项", "应急管理部令第10号第十一条第（四）项",
            "应急管理部令第10号第十三条第（一）项"]
ACTION_KINDS = ["警示提醒", "通报约谈", "考核扣分", "激励支持"]
WORDS = ["鑫", "泰", "宏", "华", "兴", "盛", "恒", "瑞", "丰", "永", "金", "德", "新", "佳", "信", "利", "安",
         "达", "通", "明", "远", "嘉", "顺", "荣", "源", "广", "腾", "鼎", "博", "汇", "晟", "昌", "益", "富",
         "诚", "力", "升", "海", "天", "龙"]
PRODUCTS = ["铸造", "机械", "五金", "家具", "食品", "酿造", "纸箱", "包装", "塑料", "化工", "建材", "陶瓷",
            "门窗", "木业", "纺织", "服装", "电器", "汽车配件", "钢构", "铝业", "橡胶", "印务", "饲料",
            "调味品", "制药辅料", "玻璃", "水泥制品", "物流仓储", "冷链", "电缆"]
FORMS = ["有限公司", "有限责任公司", "厂", "实业有限公司", "科技有限公司"]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶"

VILLAGES = ["新桥社区", "连山社区", "太平村", "石桥村", "白鹤村", "永兴村", "双河村",
            "金鱼村", "红星村", "和平社区", "五一村", "高桥村"]
DEPARTMENTS = ["镇经济发展和建设管理办", "镇应急管理办公室", "连山工业园区管委会"]
LIAISONS = [("L01", "镇安办联络员（一组）"), ("L02", "镇安办联络员（二组）"), ("L03", "经发办联络员"),
            ("L04", "园区管委会联络员"), ("L05", "太平村、石桥村驻村联络员"),
            ("L06", "白鹤村、永兴村、双河村驻村联络员"), ("L07", "金鱼村、红星村驻村联络员"),
            ("L08", "和平社区、五一村、高桥村驻村联络员")]
MILESTONES = [("org_established", "成立工作机构，明确全员岗位职责"), ("trained", "完成全员培训"),
              ("risk_identified", "完成风险辨识评估"), ("controls_published", "落实分级管控并告知（告知卡、四色图）"),
              ("hazard_system", "隐患排查治理制度建立并运行"), ("self_assessed", "完成企业自评")]

LEC_L = [10, 6, 3, 1, 0.5, 0.2, 0.1]
LEC_E = [10, 6, 3, 2, 1, 0.5]
LEC_C = [100, 40, 15, 7, 3, 1]
AS_OF = dt.date(2025, 6, 30)


def q(s):
    """A TOML basic string."""
    return json.dumps(s, ensure_ascii=False)


def num(x):
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def lec_level(d):
    return "重大" if d >= 320 else "较大" if d >= 160 else "一般" if d >= 70 else "低"


def ls_level(r):
    return "重大" if r >= 20 else "较大" if r >= 15 else "一般" if r >= 9 else "低"


def contains_phrase(text):
    return any(p in text for p in PHRASES)


# ------------------------------------------------------------------------------------- sentences
def fill(rng, tpl):
    r1, r2 = rng.sample(ROLES, 2)
    p1, p2 = rng.sample(PLACES, 2)
    l, e, c = rng.choice(LEC_L[:5]), rng.choice(LEC_E), rng.choice(LEC_C)
    d = l * e * c
    ls_l, ls_s = rng.randint(1, 5), rng.randint(1, 5)
    lvl = rng.choice(list(COLOURS))
    return tpl.format(
        r=r1, r2=r2, p=p1, p2=p2, e=rng.choice(EQUIP), h=rng.choice(CONDS), a=rng.choice(ACCIDENTS),
        ctl=rng.choice(CONTROLS), f=rng.choice(FREQ), cl=rng.choice(list(CTRL_LEVEL.values())),
        n=rng.randint(2, 9), n2=rng.randint(3, 30), n3=rng.randint(1, 3), em=rng.choice(EMERG),
        cat=rng.choice(CATS), lvl=lvl, colour=COLOURS[lvl], ls_l=ls_l, ls_s=ls_s, ls_r=ls_l * ls_s,
        ls_lvl=ls_level(ls_l * ls_s), l=num(l), ee=num(e), c=num(c), d=num(d), lvl_d=lec_level(d),
    )


def filler_sentence(rng, used=None):
    """A filler sentence without any tracked phrase (and, given `used`, not yet in this page)."""
    while True:
        s = fill(rng, rng.choice(FILLER))
        if contains_phrase(s) or (used is not None and s in used):
            continue
        if used is not None:
            used.add(s)
        return s


def phrase_sentence(rng, phrase):
    tpl = rng.choice(PHRASES[phrase][1])
    if phrase == "LEC":
        l, e, c = rng.choice(LEC_L[:5]), rng.choice(LEC_E), rng.choice(LEC_C)
        tpl = tpl.replace("{l}", num(l)).replace("{ee}", num(e)).replace("{c}", num(c)) \
                 .replace("{d}", num(l * e * c)).replace("{lvl}", lec_level(l * e * c))
    while True:
        s = fill(rng, tpl)
        others = [p for p in PHRASES if p != phrase and p in s]
        if not others:
            assert phrase in s
            return s


def cjk_len(s):
    return sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff")


# ------------------------------------------------------------------------------------------ pages
def page_path(i):
    """Content path of generated page i (0-based): 100 pages per section."""
    return "sec-%03d/page-%04d.md" % (i // 100 + 1, i % 100 + 1)


def page_title(rng, i):
    while True:
        t = "%s%s（第%d篇）" % (rng.choice(TOPICS), rng.choice(ASPECTS), i + 1)
        if not contains_phrase(t):
            return t


def gen_pages(rng, n, out):
    titles = [page_title(rng, i) for i in range(n)]
    with_phrase = {}
    for phrase, (rate, _) in PHRASES.items():
        k = round(rate * n)
        with_phrase[phrase] = sorted(rng.sample(range(n), k)) if n else []
    phrases_of = [[] for _ in range(n)]
    for phrase, pages in with_phrase.items():
        for i in pages:
            phrases_of[i].append(phrase)

    sections = (n + 99) // 100
    for s in range(sections):
        d = os.path.join(out, "content", "sec-%03d" % (s + 1))
        os.makedirs(d, exist_ok=True)
        first, last = s * 100 + 1, min(n, s * 100 + 100)
        write(os.path.join(d, "_index.md"),
              '+++\ntitle = %s\nweight = %d\ndescription = %s\n+++\n\n%s\n' % (
                  q("工作资料汇编第%d辑" % (s + 1)), s + 1,
                  q("第 %d 至 %d 篇：岗位风险辨识、隐患排查和整改验收的做法与示例。" % (first, last)),
                  filler_sentence(rng) + filler_sentence(rng)))

    for i in range(n):
        # body prose target; headings, the table, links and the phrase sentences add ~250 more
        target = rng.randint(1100, 1400)
        used = set()
        nh = rng.randint(4, 6)
        heads = rng.sample(HEADINGS, nh)
        paras = []  # list of (heading or None, [sentences])
        paras.append((None, [filler_sentence(rng, used) for _ in range(3)]))
        for h in heads:
            for k in range(rng.randint(1, 2)):
                paras.append((h if k == 0 else "", [filler_sentence(rng, used) for _ in range(rng.randint(3, 4))]))
        # grow to the target length
        total = sum(cjk_len(x) for _, ss in paras for x in ss) + cjk_len(titles[i])
        while total < target:
            s = filler_sentence(rng, used)
            rng.choice(paras)[1].append(s)
            total += cjk_len(s)
        for phrase in phrases_of[i]:
            for _ in range(rng.choice([1, 1, 2])):
                rng.choice(paras)[1].insert(rng.randint(0, 2), phrase_sentence(rng, phrase))
        # 2-3 links to other generated pages
        if n > 1:
            others = set()
            while len(others) < min(rng.randint(2, 3), n - 1):
                j = rng.randrange(n)
                if j != i:
                    others.add(j)
            for j in sorted(others):
                link = "详见[%s](@/%s)。" % (titles[j], page_path(j))
                rng.choice(paras[1:])[1].append(link)
        table_at = rng.randrange(1, len(paras))

        lines = ["+++", "title = %s" % q(titles[i]), "weight = %d" % (i % 100 + 1),
                 "description = %s" % q(filler_sentence(rng)), "+++", ""]
        for k, (h, ss) in enumerate(paras):
            if h:
                lines += ["## " + h, ""]
            lines += ["".join(ss), ""]
            if k == table_at:
                lines += ["| 序号 | 检查内容 | 频次 | 责任岗位 |", "|---|---|---|---|"]
                for row in range(rng.randint(4, 6)):
                    lines.append("| %d | %s是否%s | %s | %s |" % (
                        row + 1, rng.choice(EQUIP), rng.choice(CONDS), rng.choice(FREQ), rng.choice(ROLES)))
                lines.append("")
        path = os.path.join(out, "content", page_path(i))
        write(path, "\n".join(lines))
    return titles, with_phrase


def guide_vocabulary(rng, size=20000):
    """Words of 1-4 GB 2312 level-1 characters (3,755 of them, rows 16-55), in a seeded order: the
    first are the most frequent (Zipf weights in guide_sentence)."""
    chars = []
    for row in range(0xB0, 0xD8):
        for col in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, col]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    rng.shuffle(chars)
    # Frequent characters first, as in real text: a Zipf-like pick over the shuffled list.
    cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.1 for i in range(len(chars))))
    words, seen = [], set()
    while len(words) < size:
        n = rng.choice([1, 2, 2, 2, 2, 3, 3, 4])
        w = "".join(rng.choices(chars, cum_weights=cum, k=n))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def guide_clean(text, forbidden):
    return not any(p in text for p in forbidden)


def guide_sentence(rng, words, cum, forbidden):
    """A sentence of 8-24 vocabulary words with commas, no tracked phrase in it."""
    while True:
        n = rng.randint(8, 24)
        ws = rng.choices(words, cum_weights=cum, k=n)
        parts, at = [], 0
        while at < n:
            k = rng.randint(3, 8)
            parts.append("".join(ws[at:at + k]))
            at += k
        s = "，".join(parts) + "。"
        if rng.random() < 0.12:
            s = s[:-1] + "，比例不低于 %.1f%%。" % (rng.randint(50, 999) / 10)
        if rng.random() < 0.08:
            s = s[:-1] + "，应当符合 %s 的规定。" % rng.choice(STANDARDS)
        if guide_clean(s, forbidden):
            return s


def gen_guidance_pages(rng, n, out):
    """The guidance shape (see the module doc): returns titles and the pages of each phrase."""
    words = guide_vocabulary(rng)
    cum = list(itertools.accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(words))))
    forbidden = list(GUIDE_PHRASES) + ["粉尘涉爆"]
    with_phrase = {}
    for phrase, (rate, _) in GUIDE_PHRASES.items():
        if phrase == "涉爆":
            with_phrase[phrase] = with_phrase["粉尘"]
            continue
        with_phrase[phrase] = sorted(rng.sample(range(n), round(rate * n))) if n else []
    phrases_of = [[] for _ in range(n)]
    for phrase, pages in with_phrase.items():
        for i in pages:
            phrases_of[i].append(phrase)
    per = max(1, (n + 9) // 10)
    path = lambda i: "sec-%02d/page-%05d.md" % (i // per + 1, i % per + 1)
    sentence = lambda: guide_sentence(rng, words, cum, forbidden)
    def words_title():
        while True:
            t = "".join(rng.choices(words[:3000], cum_weights=cum[:3000], k=rng.randint(2, 4)))
            if guide_clean(t, forbidden) and 4 <= len(t) <= 14:
                return t
    titles = [words_title() for _ in range(n)]
    for sec in range((n + per - 1) // per):
        d = os.path.join(out, "content", "sec-%02d" % (sec + 1))
        os.makedirs(d, exist_ok=True)
        write(os.path.join(d, "_index.md"), '+++\ntitle = %s\nweight = %d\n+++\n\n%s\n' % (
            q("第%d部分" % (sec + 1)), sec + 1, sentence()))
    for i in range(n):
        heads = rng.randint(6, 13)
        body = []
        chars = 0
        # prose; the title, headings, table and lists bring the page to ~1,500 characters
        target = rng.randint(800, 1000)
        blocks = []
        for h in range(heads):
            level = "##" if h == 0 or rng.random() < 0.6 else "###"
            title = words_title()
            first = sentence()
            chars += cjk_len(first)
            blocks.append([level + " " + title, "", first])
        # prose spread over the headings until the page holds ~1,500 characters
        while chars < target:
            st = sentence()
            chars += cjk_len(st)
            blocks[rng.randrange(heads)].append(st)
        for phrase in phrases_of[i]:
            blocks[rng.randrange(heads)].append(GUIDE_PHRASES[phrase][1][0])
        t_at, l_at = rng.randrange(heads), rng.randrange(heads)
        lines = ["+++", "title = %s" % q(titles[i]), "weight = %d" % (i % per + 1), "+++", ""]
        lines.append(sentence())
        lines.append("")
        for k, b in enumerate(blocks):
            lines += [b[0], ""]
            if len(b) > 2:
                lines += ["".join(b[2:]), ""]
            if k == t_at:
                lines += ["| 项目 | 要求 | 依据 | 数值 |", "|---|---|---|---|"]
                for row in range(5):
                    lines.append("| %s | %s | %s | %.1f%% |" % (
                        words_title(), words_title(), rng.choice(STANDARDS), rng.randint(10, 999) / 10))
                lines.append("")
            if k == l_at:
                lines += ["- " + sentence() for _ in range(rng.randint(3, 5))] + [""]
                lines += ["%d. %s" % (j + 1, sentence()) for j in range(rng.randint(3, 5))] + [""]
        write(os.path.join(out, "content", path(i)), "\n".join(lines))
    return titles, with_phrase


# ------------------------------------------------------------------------------------ enterprises
def rand_date(rng, a, b):
    return a + dt.timedelta(days=rng.randint(0, (b - a).days))


def gen_uscc(rng, seen):
    while True:
        body = "91510681" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        code = body + uscc_check_char(body)
        if code not in seen:
            seen.add(code)
            return code


def gen_name(rng, seen, village):
    stem = village.replace("社区", "").replace("村", "")
    for attempt in range(1000):
        w = "".join(rng.sample(WORDS, 2))
        name = "广汉市%s%s%s%s" % (rng.choice([stem, "连山", ""]), w, rng.choice(PRODUCTS), rng.choice(FORMS))
        if name not in seen:
            seen.add(name)
            return name
    raise SystemExit("could not make a unique enterprise name")


def load_standard(repo, std_id):
    with open(os.path.join(repo, "data", "standards", std_id + ".toml"), "rb") as f:
        std = tomllib.load(f)
    return [(it["id"], it["points"]) for c in std["categories"] for it in c["items"] if not it.get("veto")]


def gen_enterprise(rng, idx, village, names, usccs, sm_items):
    out = []
    w = out.append
    name = gen_name(rng, names, village)
    liaison = LIAISONS[idx % len(LIAISONS)][0]
    industry = rng.choice(INDUSTRIES)
    nposts = rng.randint(6, 10)
    posts = rng.sample(POSTS, nposts)
    heads = [rng.randint(1, 12) for _ in posts]
    employees = min(299, sum(heads) + rng.randint(2, 40))
    hr = sorted(rng.sample(HIGH_RISK, rng.choice([0, 0, 1, 1, 2])), key=HIGH_RISK.index)
    dept_only = idx >= len(VILLAGES) and rng.random() < 0.08
    w("# 一企一档（基准测试生成的虚构企业）")
    w("name = %s" % q(name))
    w("uscc = %s" % q(gen_uscc(rng, usccs)))
    w("address = %s" % q("连山镇%s工业路%d号" % (village, rng.randint(1, 300))))
    if not dept_only:
        w("village = %s" % q(village))
    if dept_only or rng.random() < 0.25:
        w("department = %s" % q(rng.choice(DEPARTMENTS)))
    w("liaison = %s" % q(liaison))
    w("industry = %s" % q(industry))
    w("kind = %s" % q(rng.choice(["生产", "生产", "生产", "仓储"])))
    w('size = "小微型"')
    w("employees = %d" % employees)
    w("high_risk = [%s]" % ", ".join(q(h) for h in hr))
    w("landlord = %s" % q("广汉市连山示例出租厂房有限公司" if "厂中厂" in hr else ""))
    w("demonstration = %s" % ("true" if idx < 2 else "false"))
    w('safety_code_url = ""')
    w('emergency_phone = "0838-53%05d"' % rng.randint(0, 99999))
    w("")
    w("[safety_org]")
    w("safety_department = %s" % ("true" if rng.random() < 0.2 else "false"))
    w("full_time_safety_staff = %d" % rng.randint(0, 2))
    w("part_time_safety_staff = %d" % rng.randint(1, 3))
    for k in range(rng.randint(3, 5)):
        w("")
        w("[[processes]]")
        w("name = %s" % q("%s%d" % (rng.choice(ACTIVITIES), k + 1)))
        w("description = %s" % q("%s配合%s完成本工序，%s" % (rng.choice(EQUIP), rng.choice(EQUIP), rng.choice(CONTROLS))))
    for k, e in enumerate(rng.sample(EQUIP, rng.randint(4, 8))):
        w("")
        w("[[equipment]]")
        w("name = %s" % q(e))
        w("count = %d" % rng.randint(1, 6))
        w("special = %s" % ("true" if e in ("叉车", "行车", "储气罐", "燃气锅炉", "压力容器", "电动葫芦", "货梯") else "false"))
    w("")
    w("[milestones]")
    d = rand_date(rng, dt.date(2024, 2, 1), dt.date(2024, 6, 1))
    done = len(MILESTONES) if rng.random() < 0.8 else rng.randint(1, len(MILESTONES) - 1)
    for key, _ in MILESTONES[:done]:
        w("%s = %s" % (key, d.isoformat()))
        d += dt.timedelta(days=rng.randint(15, 60))
    for p, h in zip(posts, heads):
        w("")
        w("[[posts]]")
        w("name = %s" % q(p))
        w("headcount = %d" % h)
    risk_ids = []
    for k in range(rng.randint(28, 32)):
        rid = "R%02d" % (k + 1)
        risk_ids.append(rid)
        w("")
        w("[[risks]]")
        w("id = %s" % q(rid))
        w("post = %s" % q(rng.choice(posts)))
        if rng.random() < 0.3:
            w("unit = %s" % q(rng.choice(PLACES)))
        w("activity = %s" % q(rng.choice(ACTIVITIES)))
        w("hazard = %s" % q("%s%s，%s" % (rng.choice(EQUIP), rng.choice(CONDS), rng.choice(CONDS))))
        w("accidents = [%s]" % ", ".join(q(a) for a in rng.sample(ACCIDENTS, rng.randint(1, 2))))
        m = rng.random()
        if m < 0.6:
            l = rng.choice([6, 3, 3, 1, 1, 0.5, 0.2])
            e = rng.choice(LEC_E)
            c = rng.choice([40, 15, 15, 7, 7, 3, 1])
            lvl = lec_level(l * e * c)
            w('method = "LEC"')
            w("l = %s\ne = %s\nc = %s" % (num(l), num(e), num(c)))
            if rng.random() < 0.3:
                w("level = %s" % q(lvl))
        elif m < 0.9:
            l, s = rng.randint(1, 5), rng.randint(1, 4)
            lvl = ls_level(l * s)
            w('method = "LS"')
            w("l = %d\ns = %d" % (l, s))
        else:
            lvl = rng.choice(["较大", "一般", "低"])
            w('method = "直接判定"')
            w("level = %s" % q(lvl))
        w("control_level = %s" % q(CTRL_LEVEL[lvl]))
        w("measures = [%s]" % ", ".join(q("%s：%s" % (rng.choice(CONTROLS), rng.choice(CONDS).join(["防止", ""])))
                                         for _ in range(rng.randint(2, 3))))
        w("emergency = [%s]" % ", ".join(q(x) for x in rng.sample(EMERG, rng.randint(1, 2))))
    founds = sorted(rand_date(rng, dt.date(2024, 1, 5), dt.date(2025, 6, 25)) for _ in range(rng.randint(38, 42)))
    counters = {}
    for found in founds:
        counters[found.year] = counters.get(found.year, 0) + 1
        hid = "H%d-%03d" % (found.year, counters[found.year])
        major = rng.random() < 0.04
        deadline = found + dt.timedelta(days=rng.randint(7, 60))
        w("")
        w("[[hazards]]")
        w("id = %s" % q(hid))
        w("found = %s" % found.isoformat())
        w("source = %s" % q(rng.choice(SOURCES)))
        w("location = %s" % q(rng.choice(PLACES)))
        w("description = %s" % q("%s%s" % (rng.choice(EQUIP), rng.choice(CONDS))))
        w("grade = %s" % q("重大" if major else "一般"))
        if major:
            w("criterion = %s" % q(rng.choice(CRITERIA)))
        if rng.random() < 0.7:
            w("risk = %s" % q(rng.choice(risk_ids)))
        w("measures = %s" % q("%s，%s" % (rng.choice(CONTROLS), rng.choice(CONTROLS))))
        if major or rng.random() < 0.5:
            w("funds_yuan = %d" % (rng.randint(1, 300) * 100))
        w("deadline = %s" % deadline.isoformat())
        w("responsible = %s" % q(rng.choice(ROLES[1:])))
        if major:
            w("contingency = %s" % q("整改前停用%s，设置警戒并每班检查" % rng.choice(EQUIP)))
        if rng.random() < (0.9 if deadline < AS_OF else 0.4):
            rect = found + dt.timedelta(days=rng.randint(0, max(0, (deadline - found).days + 5)))
            w("rectified = %s" % rect.isoformat())
            if rng.random() < 0.9:
                w("accepted = %s" % (rect + dt.timedelta(days=rng.randint(0, 6))).isoformat())
    for k in range(rng.randint(2, 4)):
        w("")
        w("[[red_lines]]")
        w("kind = %s" % q(rng.choice(["人的不安全行为", "物的不安全状态"])))
        w("text = %s" % q("%s时%s仍继续作业" % (rng.choice(ACTIVITIES), rng.choice(CONDS))))
    for period in rng.sample(["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"], rng.randint(1, 2)):
        rec = rng.randint(0, 5)
        ver = rng.randint(0, rec)
        rew = rng.randint(0, ver)
        w("")
        w("[[whistleblower]]")
        w('period = %s\nreceived = %d\nverified = %d\nrewarded = %d\nreward_yuan = %d' % (
            q(period), rec, ver, rew, rew * 200))
    for month in range(12):
        y, mth = (2024, 7 + month) if month < 6 else (2025, month - 5)
        w("")
        w("[[contacts]]")
        w("date = %04d-%02d-%02d" % (y, mth, rng.randint(1, 28)))
        w("liaison = %s" % q(liaison))
        w("mode = %s" % q("走访" if rng.random() < 0.8 else "电话"))
        w("notes = %s" % q("检查%s的%s，督促%s" % (rng.choice(PLACES), rng.choice(EQUIP), rng.choice(CONTROLS))))
    w("")
    w("[[evaluations]]")
    w("date = %s" % rand_date(rng, dt.date(2024, 12, 1), dt.date(2024, 12, 28)).isoformat())
    w('standard = "small-micro"')
    w("by = %s" % q(rng.choice(["镇评估组", "自评"])))
    na = ["3.4"] if rng.random() < 0.2 else []
    w("not_applicable = [%s]" % ", ".join(q(x) for x in na))
    w("vetoed = []")
    w("[evaluations.scores]")
    for item, pts in sm_items:
        if item not in na:
            w("%s = %d" % (q(item), rng.randint(max(0, pts - 3), pts)))
    for k in range(rng.choice([0, 0, 1, 2])):
        w("")
        w("[[actions]]")
        w("date = %s" % rand_date(rng, dt.date(2024, 9, 1), dt.date(2025, 6, 28)).isoformat())
        w("kind = %s" % q(rng.choice(ACTION_KINDS)))
        w("reason = %s" % q("%s整改不及时" % rng.choice(CONDS)))
    w("")
    w("[private]")
    w('principal = { name = %s, phone = "139%08d" }' % (q(rng.choice(SURNAMES) + "某"), rng.randint(0, 99999999)))
    w('safety_manager = { name = %s, phone = "137%08d" }' % (q(rng.choice(SURNAMES) + "某"), rng.randint(0, 99999999)))
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------ site
def site_toml():
    lines = [
        "# 基准测试生成的站点配置（虚构数据）",
        'title = "连山镇工贸企业双重预防机制（基准测试）"',
        'town = "连山镇"',
        'base_url = "https://example.org/lianshan/"',
        "as_of = 2025-06-30",
        'description = "基准测试用的生成站点：指导材料、评估标准和企业档案均为虚构。"',
        "",
        "[deadlines]", "high_risk = 2024-12-31", "all = 2025-12-31", "",
        "[plan]", "issued = 2024-07-12", "",
        "[bands.lec]", "major = 320", "considerable = 160", "general = 70", "",
        "[bands.ls]", "major = 20", "considerable = 15", "general = 9",
    ]
    for key, name in MILESTONES:
        lines += ["", "[[milestones]]", "key = %s" % q(key), "name = %s" % q(name)]
    for v in VILLAGES:
        lines += ["", "[[villages]]", "name = %s" % q(v)]
    for d in DEPARTMENTS:
        lines += ["", "[[departments]]", "name = %s" % q(d)]
    for i, (lid, title) in enumerate(LIAISONS):
        lines += ["", "[[liaisons]]", "id = %s" % q(lid), "title = %s" % q(title),
                  "name = %s" % q(SURNAMES[i] + "某"), 'phone = "138%08d"' % (i + 1)]
    return "\n".join(lines) + "\n"


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, required=True)
    ap.add_argument("--enterprises", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repo", default=os.path.dirname(here), help="dualprev repository (standards are copied)")
    ap.add_argument("--shape", choices=["ours", "guidance"], default="ours",
                    help="page shape: ours (the default) or guidance (see above)")
    a = ap.parse_args()

    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    for d in ("content", "data/enterprises", "data/standards"):
        os.makedirs(os.path.join(a.out, d), exist_ok=True)
    for std in ("small-micro", "large-medium"):
        shutil.copyfile(os.path.join(a.repo, "data", "standards", std + ".toml"),
                        os.path.join(a.out, "data", "standards", std + ".toml"))
    write(os.path.join(a.out, "data", "site.toml"), site_toml())

    rng = random.Random(a.seed)
    write(os.path.join(a.out, "content", "_index.md"),
          '+++\ntitle = "连山镇工贸企业双重预防机制（基准测试）"\ndescription = "生成的基准测试站点。"\n+++\n\n'
          "本站由基准测试脚本生成，内容为虚构的工作资料，用于测量生成速度、索引大小和预览刷新延迟。%s\n"
          % ("第一篇见[这里](@/%s)。" % page_path(0) if a.pages and a.shape == "ours" else ""))
    if a.shape == "guidance":
        titles, with_phrase = gen_guidance_pages(random.Random(a.seed * 1000 + 1), a.pages, a.out)
        phrases, queries = GUIDE_PHRASES, GUIDE_QUERIES
    else:
        titles, with_phrase = gen_pages(random.Random(a.seed * 1000 + 1), a.pages, a.out)
        phrases, queries = PHRASES, QUERIES

    erng = random.Random(a.seed * 1000 + 2)
    sm_items = load_standard(a.repo, "small-micro")
    names, usccs = set(), set()
    slugs = []
    for i in range(a.enterprises):
        village = VILLAGES[i] if i < len(VILLAGES) else erng.choice(VILLAGES)
        slug = "e%05d-%s" % (i + 1, erng.choice(["casting", "food", "wood", "chem", "metal", "paper",
                                                   "plastic", "textile", "storage", "parts"]))
        slugs.append(slug)
        write(os.path.join(a.out, "data", "enterprises", slug + ".toml"),
              gen_enterprise(erng, i, village, names, usccs, sm_items))

    write(os.path.join(a.out, "bench-phrases.json"), json.dumps({
        "pages": a.pages, "enterprises": a.enterprises, "seed": a.seed,
        "shape": a.shape,
        "phrases": {p: {"rate": phrases[p][0], "pages": len(v)} for p, v in with_phrase.items()},
        "queries": queries,
    }, ensure_ascii=False, indent=1) + "\n")
    print("generated %s: %d pages in %d sections, %d enterprises" % (
        a.out, a.pages, (a.pages + 99) // 100, a.enterprises), file=sys.stderr)


if __name__ == "__main__":
    main()

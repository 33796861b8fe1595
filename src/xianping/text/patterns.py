"""Regular expressions for the statement shapes of the spec (docs/text_extraction.md §1)."""

from __future__ import annotations

import re

CN = "零〇一二两三四五六七八九十百千万亿"
CN_SMALL = "一二三四五六七八九十"
ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
PLACEHOLDER = r"\*+|[xX]{1,2}(?:\.[xX])?"

# units as printed, longest first; 亿/万 alone are magnitudes (亿 after a money indicator = 亿元)
UNITS = sorted(
    """个百分点 百分点 个工作日 工作日 平方公里 平方千米 万千瓦时 亿千瓦时 千瓦时 万千瓦 千瓦 万吨 亿吨 吨 万亩 千公顷 公顷 亩
    公里 千米 万家 万个 万名 亿美元 万美元 美元 万亿元 亿元 万元 元 万人次 人次 万人 人 万户 户 家 个 所 座 项 条 间 辆 台 套 张 名
    % ‰ 成 倍 天
    万头 头 万只 只 万羽 羽 万担 担 亿立方米 万立方米 立方米 万平方米 平方米 万标箱 标箱 万辆 万套 万张 万台 亿斤 万斤 斤""".split(),
    key=len,
    reverse=True,
)
MEASURE_UNITS = frozenset(u for u in UNITS if u not in {"家", "个", "所", "座", "项", "条", "间", "辆", "台", "套", "张", "名", "户", "万户"})
CLASSIFIERS = frozenset({"家", "个", "所", "座", "项", "条", "间", "辆", "台", "套", "张", "名"})
# units of livestock and poultry (头 pigs and cattle, 只 sheep and poultry, 羽 poultry): measures, not classifiers
LIVESTOCK_UNITS = frozenset({"万头", "头", "万只", "只", "万羽", "羽"})
UNIT_ALT = "|".join(re.escape(u) for u in UNITS)
# a Chinese numeral is read only before these (三大改造, 四个平台, 两次对接会 are enumerations, not data)
CN_UNITS = "亿元|万元|元|%|‰|成|万人|人|万吨|吨|万亩|亩|公顷|公里|千瓦时|户|倍"

SIGNED = rf"(?:(?<![0-9A-Za-z.\-])-\s?)?{ARABIC}"
# (the leading look-ahead lets the scan skip, at C speed, every position where no branch can start: 4x faster)
VALUE = re.compile(
    rf"(?=[\d*xX\-{CN}])(?:(?P<num>{SIGNED}|{PLACEHOLDER})\s?(?P<approx>余|多)?\s?(?P<unit>{UNIT_ALT}|亿|万(?![\u4e00-\u9fff]))"
    rf"|(?<![第每前各\d.])(?P<cnum>[{CN}]+(?:点[零〇一二三四五六七八九]+)?)(?P<cunit>{CN_UNITS})"
    rf"|百分之(?P<pnum>{ARABIC}|[{CN}]+(?:点[零〇一二三四五六七八九]+)?))"
)
# 3千亿元, 1.2百万吨: an Arabic number times a Chinese magnitude before 万/亿 (read whole, never as 1千亿)
MAGNITUDE = re.compile(rf"(?<![\d.])(?P<num>{ARABIC})\s?(?P<mag>[十百千])(?P<unit>(?:万|亿)(?:{UNIT_ALT})?)")
MAGNITUDE_FACTOR = {"十": 10, "百": 100, "千": 1000}
RANGE = re.compile(rf"(?P<a>{ARABIC})\s?[~～—\-至到]\s?(?P<b>{ARABIC})\s?(?P<unit>{UNIT_ALT})")
STRUCT = rf"{ARABIC}(?:\s?[:︰∶﹕]\s?{ARABIC}){{1,3}}"
STRUCTURE = re.compile(rf"(?<![\d.])(?P<all>{STRUCT})(?![\d.])")
# 结构由202117.4629.04﹕53.50调整为17.8830.2451.88: a site dropped the separators — the structure is there, its
# parts cannot be read (a run of digits with two points or more and no ratio sign)
STRUCTURE_LOST = re.compile(r"(?:结构|比例|构成)(?:比)?(?:由[^,;。]{0,30}?)?(?:调整|优化|变化)?为\s?(?P<d>\d+\.\d+\.[\d.﹕:]*)")
# 由上年的12.3:35.4:52.3调整为12.1:34.8:53.1 / 由2.31:1缩小为2.26:1 — one statement, the new structure, with the old
# one as its previous value (precedence: read before STRUCTURE, so the old ratio is never a statement of its own)
STRUCTURE_MOVE = re.compile(
    rf"由(?:上年|去年|上年末|(?:19|20)\d\d年(?:末)?)?的?\s?(?P<prev>{STRUCT})\s?"
    rf"(?:调整|优化|变化|变动|转变|缩小|扩大|提高|下降|降低|演变|演进)?(?:为|到|至)\s?(?P<all>{STRUCT})(?![\d.])"
)
# 分别下降0.2个、下降0.6个、提高0.8个百分点: a list of percentage-point changes sharing one 百分点, each with its verb
PP_VERB = r"提高|提升|上升|增加|扩大|下降|降低|减少|回落|缩小|收窄"
PP_LIST = re.compile(
    rf"(?:(?:{PP_VERB})?\s?{SIGNED}\s?(?:个\s?)?(?:百分点)?\s?[、和及]\s?)+(?:{PP_VERB})?\s?{SIGNED}\s?个?百分点"
)
PP_ITEM = re.compile(rf"(?P<verb>{PP_VERB})?\s?(?P<num>{SIGNED})\s?个?(?:百分点)?")
DATE = re.compile(r"\d{1,2}月(?:\d{1,2}日|份|末|底|初|中旬|上旬|下旬)?|\d{1,2}日")
YEAR = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})年(?:度)?")
HEDGE_BEFORE = re.compile(r"(?:近|约|超过|超|逾|不足|不到|突破|将近|接近|大约)$")
HEDGE_AFTER = re.compile(r"^(?:左右|以上|以下|以内|之内|内|多)")

GROWTH_TAIL = re.compile(
    r"(?P<basis>同比|环比|(?:比|较)(?:上年|去年)(?:同期|末|底)?|(?:比|较)年初|按可比价格计算|按可比价计算|可比年均|可比价|年均|两年平均|平均)?"
    r"(?P<dist>分别)?(?P<verb>增长|下降|减少|回落|上升|增加|下滑|上涨|下跌|增速为|增幅为|涨幅为|增速|增幅|涨幅)(?P<dist2>分别)?(?:了|为|是)?\s*$"
)
PP_TAIL = re.compile(
    r"(?P<basis>比上年|较上年|比去年|同比|比[^,;。]{0,12}?)?(?P<dist>分别)?(?P<verb>提高|提升|上升|增加|扩大|下降|降低|减少|回落|缩小|收窄)(?:了)?$"
)
CHANGE_BASIS = re.compile(r"(?:比|较|与)?(?:上年|去年|上年末|年初|同期|上年同期|去年同期)(?:末|相比)?|同比|环比")
NEGATIVE_VERBS = frozenset({"下降", "减少", "回落", "下滑", "下跌", "降低", "缩小", "收窄"})
# 最终消费支出拉动国内生产总值增长2.5个百分点: a contribution to growth, a value in percentage points of its own
PULL_TAIL = re.compile(r"(?:分别)?拉动(?:GDP|经济|国内生产总值|地区生产总值|全县经济|全市经济|经济增长)?(?:增长|贡献)?(?P<dist>分别)?(?:为|是)?$")
# 比上年减少22660亩 / 比年初增加36.07亿元: an absolute change from the previous period — it belongs to the
# statement before it, never a level of its own
CHANGE_TAIL = re.compile(r"(?:比|较)(?:上年|去年|年初|上年末|上年同期|去年同期|同期)(?:末)?(?:净)?(?P<verb>增加|减少|增长|下降|多|少|增|减)了?$"
                         r"|^[,、\s]*(?P<verb2>增加|减少|净增|净减)了?$")
COMPARE_TAIL = re.compile(
    r"(?P<dir>高于|低于|快于|慢于|高过|低过|快过|慢过|超过|超出|领先|落后于|落后)(?P<ref>全国|全省|全市|全区|全县|[^,;。]{1,10}?)(?:平均水平|平均)?(?:的)?$"
    r"|比(?P<ref2>全国|全省|全市|全区|全县)(?:平均水平|平均)?(?P<dir2>高|低|快|慢|多|少)(?:出)?$"
)
SHARE_TAIL = re.compile(
    r"占(?!比)(?P<ref>全国|全省|全市|全区|全县|全州|全乡|县域)?(?P<what>[^,;。占]{0,14}?)(?:的)?(?:比重|比例|总量的比重|份额)?(?P<dist>分别)?"
    r"(?:达到|达|为|超过|超)?$"
)
TARGET = re.compile(r"(?=[到力确目预计规])(?:到20\d\d年|力争|确保|目标(?:是|为)|预期目标|预计到|(?<![一])计划(?!生育|单列|经济|内|外|执行|完成情况)|规划到)")
ESTIMATE = re.compile(r"预计|初步核算|初步统计|预估")

VERBS_TAIL = re.compile(
    r"(?:分别)?(?:达到了|达到|达|为|是|完成|实现|突破|超过|增至|增加到|增加至|降至|降到|下降到|下降至|提高到|提高至|提升到|提升至|"
    r"上升到|上升至|缩小为|缩小到|缩小至|发展到|保持在|稳定在|控制在|压减至|压减到|减少到|减少至|共计|总计|合计|累计|共|约|近|超|逾|有|覆盖|惠及|"
    r"增长到|扩大到|扩大至|调整为|调整到|调整|新增|全部|均|都|已|已经|了|的|投入|新建|建成|实施|开展了|开展|建设|引进|培育|创建|完成了|实现了|达成)$"
)
LEAD_STRIP = re.compile(
    r"^(?:其中|同时|另外|此外|目前|当前|截至目前|截至|全年|年末|年底|今年|去年|上年|预计|初步核算|初步统计|按常住地分|分产业看|"
    r"全市|全县|全区|全省|全国|我市|我县|我区|我省|本市|本县|该市|该县|共|累计|另|并|和|与|及|、|:|在|已|先后|"
    r"(?:19|20)\d\d年(?:度)?|年(?!产)|[一二三四五六七八九十]季度|前三季度|上半年|下半年|[\d]{1,2}[-—至~]\d{1,2}月|\d{1,2}月(?:末|底)?)+"
)
GENERIC = frozenset({"", "总量", "总额", "规模", "数量", "数", "水平", "增速", "比重", "占比", "资金", "投资", "收入", "最短", "最长", "最高", "最低"})

RANK_POS = re.compile(
    r"(?P<verb>位居|位列|居于|稳居|跃居|排名|排在|名列|升至|跃升至|居|排|列)(?P<scope>[^,;。第]{0,24}?)第(?P<pos>\d+|[一二三四五六七八九十]+)(?:位|名)?(?![次批届产类期部轮场个项章条号])"
)
RANK_NEXT = re.compile(
    r"、(?P<name>[^,;。、第]{2,14}?)第(?P<pos>\d+|[一二三四五六七八九十]+)(?:位|名)?(?![次批届产类期部轮场个项章条号\d])"
)
RANK_MOVE = re.compile(
    r"由(?P<scope>[^,;。第]{0,12}?)第(?P<a>\d+|[一二三四五六七八九十]+)(?:位|名)(?P<dir>上升|提升|前移|跃升|提高|下降|后移|下滑|回落)"
    r"(?:了?\d+位)?(?:到|至)第(?P<b>\d+|[一二三四五六七八九十]+)(?:位|名)"
)
RANK_TOP = re.compile(
    r"(?P<verb>进入|跻身|入围|入选|位居|稳居|保持|位列|居于|居|列)(?P<scope>[^,;。]{0,24}?)前(?:列)?(?P<n>\d+|[一二三四五六七八九十百]+)(?:位|名|强)?(?!季|个月|年|月|天|批|\d)"
)
RANK_LIST = re.compile(
    r"(?:(?P<verb>入围|入选|进入|跻身|评为|荣获|获评|列入|成为|获得)(?P<q0>[“\"])?|(?P<q>[“\"]))(?P<list>[^,;。“”\"、]{0,18}?(?P<n>\d+|百|千|十|五十|五百)(?:强|佳)(?:县市|县\(市\)|县|市|区|企业)?)(?P<q2>[”\"])?"
)
RANK_TIER = re.compile(
    r"(?P<verb>进入|跻身|入围|位居|保持|稳居|位列)(?P<scope>[^,;。“\"]{0,8}?)[“\"]?第一方阵[”\"]?(?:\(前(?P<n>\d+)(?:位|名)\))?"
)
RANK_LEAD = re.compile(r"(?P<verb>保持|继续保持|位居|居|处于)(?P<scope>[^,;。]{0,12}?)(?P<q>领先|前列)")
RANK_COUNT = re.compile(r"(?:连续(?P<y>\d+|[一二三四五六七八九十]+)年|(?:先后|累计|共)?(?P<t>\d+|[一二三四五六七八九十]+)次)(?:入选|入围|进入|跻身|获评|荣获|被评为)?$")

//! The record workbook's layout, stated once for export, template and import: which sheets there
//! are, which TOML field each column holds, its Chinese header (the label on the enterprise page),
//! the note that explains it and the kind of value it takes.

use crate::domain::{
    ActionKind, ContactMode, ControlLevel, HazardGrade, HighRisk, Industry, Kind as EKind, Level,
    Method, RedLineKind, Size, Source,
};

/// Where a drop-down's choices come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Choices {
    Fixed(&'static [&'static str]),
    Villages,
    Departments,
    Liaisons,
    Standards,
    Milestones,
    Accidents,
    Bool,
    /// The risk factors: L (LEC and LS values together), E, C, S, from site.toml's scales.
    FactorL,
    FactorE,
    FactorC,
    FactorS,
}

/// The kind of value a column holds: how a cell is read, compared and written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Free text, trimmed.
    Text,
    /// An identifier or code kept as text (credit code, ids, phone numbers): full-width
    /// letters and digits become half-width.
    Code,
    /// A whole number ≥ 0.
    Count,
    /// Any number (money).
    Number,
    /// A number from a scale, offered as a drop-down.
    Factor(Choices),
    Date,
    /// One of a list.
    Choice(Choices),
    /// Several short values in one cell, separated by 、 ， ; or line breaks.
    Tags(Choices),
    /// Several sentences in one cell, one per line (Alt+Enter).
    Lines,
    /// Worked out by a formula from the other columns; never read back.
    Computed,
}

/// One column: its header, the TOML key (a dotted path inside the item) and what it takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub header: &'static str,
    pub key: &'static str,
    pub kind: Kind,
    pub note: &'static str,
}

/// How a sheet's rows map onto a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One row per record: the record's own fields (企业).
    Root,
    /// One row per `[[key]]` table, in the file's order.
    Items(&'static str),
    /// `[milestones]`: one row per key = date.
    Milestones,
    /// `[private]`: one row per person (internal profile only).
    Private,
    /// `[evaluations.scores]`: one row per item scored, under the evaluation of that date.
    Scores,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Sheet {
    pub name: &'static str,
    pub shape: Shape,
    pub columns: &'static [Column],
    /// Holds personal data: only in the internal profile's workbook.
    pub personal: bool,
}

/// The first column of every sheet: the record's file name without `.toml`.
pub(crate) const RECORD: &str = "档案";
pub(crate) const RECORD_NOTE: &str = "档案名：data/enterprises/ 下的文件名（不含 .toml），只用小写英文字母、数字和连字符，例如 lianshan-casting。新企业填一个新的档案名，导入时新建档案";
/// The hidden sheet holding the drop-down lists.
pub(crate) const LISTS: &str = "选项";

const fn c(header: &'static str, key: &'static str, kind: Kind, note: &'static str) -> Column {
    Column {
        header,
        key,
        kind,
        note,
    }
}

const BOOL: Kind = Kind::Choice(Choices::Bool);

const ENTERPRISE: &[Column] = &[
    c("企业名称", "name", Kind::Text, "与营业执照一致"),
    c(
        "统一社会信用代码",
        "uscc",
        Kind::Code,
        "统一社会信用代码（18 位）",
    ),
    c("地址", "address", Kind::Text, "生产经营地址"),
    c(
        "所在村（社区）",
        "village",
        Kind::Choice(Choices::Villages),
        "所在村（社区），须是 site.toml 中 [[villages]] 的 name；与包联部门至少填一项",
    ),
    c(
        "包联部门",
        "department",
        Kind::Choice(Choices::Departments),
        "或包联部门（[[departments]] 的 name），与所在村（社区）至少填一项",
    ),
    c(
        "联络员",
        "liaison",
        Kind::Choice(Choices::Liaisons),
        "联络员编号，须是 site.toml 中 [[liaisons]] 的 id",
    ),
    c(
        "行业",
        "industry",
        Kind::Choice(Choices::Fixed(Industry::NAMES)),
        "行业",
    ),
    c(
        "类型",
        "kind",
        Kind::Choice(Choices::Fixed(EKind::NAMES)),
        "生产或仓储",
    ),
    c(
        "规模",
        "size",
        Kind::Choice(Choices::Fixed(Size::NAMES)),
        "大中型或小微型",
    ),
    c("从业人员", "employees", Kind::Count, "从业人员数"),
    c(
        "高风险类别",
        "high_risk",
        Kind::Tags(Choices::Fixed(HighRisk::NAMES)),
        "高风险类别，可多选，用顿号分隔；不涉及则留空",
    ),
    c(
        "出租方（厂中厂）",
        "landlord",
        Kind::Text,
        "厂中厂：出租方名称（承租方填写；出租方按高风险企业的期限建设）",
    ),
    c(
        "危险物品",
        "hazardous_goods",
        BOOL,
        "是否生产、经营、储存、装卸危险物品（《安全生产法》第二十四条）",
    ),
    c(
        "示范企业",
        "demonstration",
        BOOL,
        "是否示范企业（全镇最多 2 家：生产类、仓储类各 1 家，或生产类 2 家）",
    ),
    c(
        "省平台安全码",
        "safety_code_url",
        Kind::Text,
        "省平台“安全码”页面地址（如有）",
    ),
    c(
        "企业值班电话",
        "emergency_phone",
        Kind::Code,
        "企业值班电话（公开）",
    ),
    c(
        "安全管理机构",
        "safety_org.safety_department",
        BOOL,
        "是否设安全管理机构",
    ),
    c(
        "专职安全管理人员",
        "safety_org.full_time_safety_staff",
        Kind::Count,
        "专职安全管理人员数（金属冶炼、危险物品单位和超过 100 人的单位须设机构或配专职）",
    ),
    c(
        "兼职安全管理人员",
        "safety_org.part_time_safety_staff",
        Kind::Count,
        "兼职安全管理人员数",
    ),
    c(
        "注册安全工程师",
        "safety_org.registered_safety_engineers",
        Kind::Count,
        "注册安全工程师人数（金属冶炼、危险物品生产储存单位须有，《安全生产法》第二十七条）",
    ),
];

const POSTS: &[Column] = &[
    c(
        "岗位",
        "name",
        Kind::Text,
        "岗位名称（小微企业以岗位为核心）",
    ),
    c("人数", "headcount", Kind::Count, "本岗位人数"),
];

const PROCESSES: &[Column] = &[
    c("工艺", "name", Kind::Text, "主要工艺名称"),
    c("说明", "description", Kind::Text, "简要说明"),
];

const EQUIPMENT: &[Column] = &[
    c("设备", "name", Kind::Text, "主要设备名称"),
    c("数量", "count", Kind::Count, "台（套）数"),
    c(
        "特种设备",
        "special",
        BOOL,
        "是否特种设备（锅炉、压力容器、起重机械、叉车等）",
    ),
];

const RISKS: &[Column] = &[
    c("编号", "id", Kind::Code, "风险编号，本档案内唯一，例如 R01"),
    c(
        "岗位",
        "post",
        Kind::Text,
        "所在岗位（“岗位”表的岗位名称）；或填单元/区域",
    ),
    c(
        "单元/区域",
        "unit",
        Kind::Text,
        "所在单元或区域（不按岗位时填写）",
    ),
    c("作业活动", "activity", Kind::Text, "作业活动"),
    c("危险有害因素", "hazard", Kind::Text, "危险有害因素"),
    c(
        "事故类型",
        "accidents",
        Kind::Tags(Choices::Accidents),
        "可能导致的事故类型（GB 6441），可多选，用顿号分隔",
    ),
    c(
        "评价方法",
        "method",
        Kind::Choice(Choices::Fixed(Method::NAMES)),
        "评价方法：LEC（填 L E C）、LS（填 L S）或直接判定（填风险等级）",
    ),
    c(
        "L",
        "l",
        Kind::Factor(Choices::FactorL),
        "可能性 L（LEC 法、LS 法）",
    ),
    c(
        "E",
        "e",
        Kind::Factor(Choices::FactorE),
        "暴露频繁程度 E（LEC 法）",
    ),
    c("C", "c", Kind::Factor(Choices::FactorC), "后果 C（LEC 法）"),
    c(
        "S",
        "s",
        Kind::Factor(Choices::FactorS),
        "严重性 S（LS 法）",
    ),
    c(
        "分值",
        "",
        Kind::Computed,
        "自动计算：LEC 法 D = L×E×C，LS 法 R = L×S（导入时不读取）",
    ),
    c(
        "计算等级",
        "",
        Kind::Computed,
        "按 site.toml 的分级标准自动计算的等级（导入时不读取）",
    ),
    c(
        "风险等级",
        "level",
        Kind::Choice(Choices::Fixed(Level::NAMES)),
        "直接判定时填写；按分值定级时留空，或填写高于计算结果的等级",
    ),
    c(
        "管控层级",
        "control_level",
        Kind::Choice(Choices::Fixed(ControlLevel::NAMES)),
        "管控层级",
    ),
    c(
        "管控措施",
        "measures",
        Kind::Lines,
        "管控措施，每条一行（单元格内换行：Alt+Enter）",
    ),
    c(
        "应急处置措施",
        "emergency",
        Kind::Lines,
        "应急处置措施，每条一行（单元格内换行：Alt+Enter）",
    ),
];

const HAZARDS: &[Column] = &[
    c(
        "编号",
        "id",
        Kind::Code,
        "隐患编号，本档案内唯一，例如 H2025-001",
    ),
    c("发现日期", "found", Kind::Date, "发现日期"),
    c(
        "来源",
        "source",
        Kind::Choice(Choices::Fixed(Source::NAMES)),
        "隐患来源",
    ),
    c("位置", "location", Kind::Text, "位置"),
    c("隐患描述", "description", Kind::Text, "隐患描述"),
    c(
        "等级",
        "grade",
        Kind::Choice(Choices::Fixed(HazardGrade::NAMES)),
        "一般或重大；重大隐患须填判定依据、整改措施、整改资金、整改期限、责任岗位和应急预案",
    ),
    c(
        "判定依据",
        "criterion",
        Kind::Text,
        "重大隐患的判定依据（标准条款）",
    ),
    c(
        "关联风险",
        "risk",
        Kind::Code,
        "对应的风险编号（如 R01，可不填）",
    ),
    c("整改措施", "measures", Kind::Text, "整改措施"),
    c(
        "整改资金（元）",
        "funds_yuan",
        Kind::Number,
        "整改资金（元）",
    ),
    c("整改期限", "deadline", Kind::Date, "整改期限"),
    c(
        "责任岗位",
        "responsible",
        Kind::Text,
        "责任岗位（不写人名）",
    ),
    c(
        "应急预案",
        "contingency",
        Kind::Text,
        "重大隐患整改期间的安全防范和应急措施",
    ),
    c("整改完成", "rectified", Kind::Date, "整改完成日期（可选）"),
    c("验收销号", "accepted", Kind::Date, "验收销号日期（可选）"),
];

const RED_LINES: &[Column] = &[
    c(
        "类别",
        "kind",
        Kind::Choice(Choices::Fixed(RedLineKind::NAMES)),
        "人的不安全行为或物的不安全状态",
    ),
    c("红线内容", "text", Kind::Text, "安全生产红线内容"),
];

const WHISTLEBLOWER: &[Column] = &[
    c("期间", "period", Kind::Code, "统计期间，例如 2025 年上半年"),
    c("收到", "received", Kind::Count, "收到举报件数"),
    c("查实", "verified", Kind::Count, "查实件数"),
    c("奖励人次", "rewarded", Kind::Count, "奖励人次"),
    c(
        "奖励金额（元）",
        "reward_yuan",
        Kind::Number,
        "奖励金额（元）",
    ),
];

const CONTACTS: &[Column] = &[
    c("日期", "date", Kind::Date, "联系日期"),
    c(
        "联络员",
        "liaison",
        Kind::Choice(Choices::Liaisons),
        "联络员编号（site.toml 中 [[liaisons]] 的 id）",
    ),
    c(
        "方式",
        "mode",
        Kind::Choice(Choices::Fixed(ContactMode::NAMES)),
        "走访或电话",
    ),
    c("情况", "notes", Kind::Text, "情况记录"),
];

const EVALUATIONS: &[Column] = &[
    c("评估日期", "date", Kind::Date, "评估日期"),
    c(
        "标准",
        "standard",
        Kind::Choice(Choices::Standards),
        "评估标准（data/standards/ 下的文件名）",
    ),
    c("评估方", "by", Kind::Text, "评估单位或评估组"),
    c(
        "不适用条款",
        "not_applicable",
        Kind::Tags(Choices::Fixed(&[])),
        "不适用的条款编号，用顿号分隔",
    ),
    c(
        "否决项",
        "vetoed",
        Kind::Tags(Choices::Fixed(&[])),
        "触发否决的条款编号，用顿号分隔",
    ),
];

const SCORES: &[Column] = &[
    c("评估日期", "", Kind::Date, "对应“评估”表中本档案的评估日期"),
    c("条款", "", Kind::Code, "评分条款编号，例如 1.1"),
    c("得分", "", Kind::Count, "该条款得分"),
];

const MILESTONES: &[Column] = &[
    c(
        "里程碑",
        "",
        Kind::Choice(Choices::Milestones),
        "建设进度的里程碑（site.toml 中 [[milestones]] 的 name）",
    ),
    c("完成日期", "", Kind::Date, "完成日期"),
];

const ACTIONS: &[Column] = &[
    c("日期", "date", Kind::Date, "督导日期"),
    c(
        "措施",
        "kind",
        Kind::Choice(Choices::Fixed(ActionKind::NAMES)),
        "督导措施",
    ),
    c("原因", "reason", Kind::Text, "原因"),
];

const PRIVATE: &[Column] = &[
    c(
        "角色",
        "",
        Kind::Text,
        "人员角色：主要负责人、安全管理人员，或其他角色名",
    ),
    c("姓名", "name", Kind::Text, "个人信息：只在内部版本显示"),
    c("电话", "phone", Kind::Code, "个人信息：只在内部版本显示"),
    c(
        "身份证号",
        "id_number",
        Kind::Code,
        "个人信息：只在内部版本显示",
    ),
    c("证书", "certificate", Kind::Code, "证书编号（个人信息）"),
];

const fn sheet(name: &'static str, shape: Shape, columns: &'static [Column]) -> Sheet {
    Sheet {
        name,
        shape,
        columns,
        personal: false,
    }
}

/// Every sheet, in the workbook's order.
pub(crate) static SHEETS: &[Sheet] = &[
    sheet("企业", Shape::Root, ENTERPRISE),
    sheet("岗位", Shape::Items("posts"), POSTS),
    sheet("工艺", Shape::Items("processes"), PROCESSES),
    sheet("设备", Shape::Items("equipment"), EQUIPMENT),
    sheet("风险", Shape::Items("risks"), RISKS),
    sheet("隐患", Shape::Items("hazards"), HAZARDS),
    sheet("红线", Shape::Items("red_lines"), RED_LINES),
    sheet("联系记录", Shape::Items("contacts"), CONTACTS),
    sheet("评估", Shape::Items("evaluations"), EVALUATIONS),
    sheet("评估得分", Shape::Scores, SCORES),
    sheet("里程碑", Shape::Milestones, MILESTONES),
    sheet("举报奖励", Shape::Items("whistleblower"), WHISTLEBLOWER),
    sheet("督导措施", Shape::Items("actions"), ACTIONS),
    Sheet {
        name: "人员",
        shape: Shape::Private,
        columns: PRIVATE,
        personal: true,
    },
];

/// The sheets an enterprise fills in for itself (`records template`).
pub(crate) const TEMPLATE_SHEETS: &[&str] = &["企业", "岗位", "风险", "隐患", "红线"];

/// The Chinese names of the `[private]` roles the skeleton writes; other roles keep their key.
pub(crate) const ROLES: &[(&str, &str)] = &[
    ("principal", "主要负责人"),
    ("safety_manager", "安全管理人员"),
];

pub(crate) fn sheet_named(name: &str) -> Option<&'static Sheet> {
    SHEETS.iter().find(|s| s.name == name)
}

impl Sheet {
    /// The column whose header (or TOML key, for those who know the files) is `h`.
    pub(crate) fn column(&self, h: &str) -> Option<usize> {
        // Full-width and half-width brackets alike: 整改资金（元） = 整改资金(元).
        let norm = |s: &str| super::value::half_width(s).replace(' ', "");
        let h = norm(h);
        self.columns
            .iter()
            .position(|c| norm(c.header) == h)
            .or_else(|| {
                self.columns
                    .iter()
                    .position(|c| !c.key.is_empty() && c.key == h)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_unique_within_each_sheet_and_keys_are_record_fields() {
        for s in SHEETS {
            let mut seen = std::collections::HashSet::new();
            for c in s.columns {
                assert!(seen.insert(c.header), "{}: {} twice", s.name, c.header);
                assert_ne!(c.header, RECORD);
            }
        }
        let names: Vec<_> = SHEETS.iter().map(|s| s.name).collect();
        for t in TEMPLATE_SHEETS {
            assert!(names.contains(t));
        }
    }

    #[test]
    fn every_item_field_the_loader_reads_has_a_column() {
        // The record's own keys, less the tables that have sheets of their own.
        let skeleton = crate::scaffold::enterprise_skeleton("x");
        for line in skeleton.lines() {
            let line = line.trim_start_matches("# ");
            let Some((key, _)) = line.split_once(" = ") else {
                continue;
            };
            let key = key.trim();
            if key.contains(' ') || key.starts_with('[') || key.contains('_') && key.len() > 40 {
                continue;
            }
            let found = SHEETS.iter().any(|s| {
                s.columns
                    .iter()
                    .any(|c| c.key == key || c.key.ends_with(&format!(".{key}")))
            }) || ["principal", "safety_manager", "risk_identified"].contains(&key);
            assert!(found, "skeleton field {key} has no column");
        }
    }
}

//! The allowed values of a record's enumerated fields, as editors write them: the loader checks
//! against these lists, diagnostics offer them as 可选值 and near matches, and the town's
//! statistics group by them.

pub const INDUSTRIES: &[&str] = &[
    "冶金", "有色", "建材", "机械", "轻工", "纺织", "烟草", "商贸", "其他",
];
pub const KINDS: &[&str] = &["生产", "仓储"];
pub const SIZES: &[&str] = &["大中型", "小微型"];
pub const HIGH_RISK: &[&str] = &[
    "金属冶炼",
    "粉尘涉爆",
    "涉重点监管危险化工工艺",
    "涉有限空间作业",
    "劳动密集型",
    "厂中厂",
];
pub const METHODS: &[&str] = &["LEC", "LS", "直接判定"];
pub const LEVELS: &[&str] = &["重大", "较大", "一般", "低"];
pub const CONTROL_LEVELS: &[&str] = &["公司", "部门", "车间", "班组", "岗位"];
pub const HAZARD_GRADES: &[&str] = &["一般", "重大"];
pub const SOURCES: &[&str] = &[
    "日常排查",
    "综合性排查",
    "专业性排查",
    "季节性排查",
    "节假日排查",
    "事故类比排查",
    "复工复产排查",
    "联络员检查",
    "职工报告",
    "执法检查",
];
pub const RED_LINE_KINDS: &[&str] = &["人的不安全行为", "物的不安全状态"];
pub const CONTACT_MODES: &[&str] = &["走访", "电话"];
pub const ACTION_KINDS: &[&str] = &[
    "警示提醒",
    "通报约谈",
    "考核扣分",
    "行政处罚",
    "移交执法",
    "激励支持",
];

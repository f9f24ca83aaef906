//! The closed vocabularies of the dual prevention mechanism — industry, kind, size, high-risk
//! category, grading method, risk level, hazard grade, status… — each an enum defined once with
//! its Chinese names. The loader parses them, diagnostics list them as 可选值, the skeleton and
//! the exports print them; code compares variants, never Chinese text.

use serde::{Serialize, Serializer};

/// What every domain enum offers: its Chinese names in table order, and the way back.
pub trait DomainEnum: Copy + Sized + 'static {
    /// Every variant, in the order the table lists them (and pages and lists show them).
    const ALL: &'static [Self];
    /// The Chinese names, in the same order as `ALL`.
    const NAMES: &'static [&'static str];
    /// The Chinese name editors write and pages show.
    fn name(self) -> &'static str;
    /// The variant whose Chinese name is exactly `s`.
    fn from_name(s: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .position(|n| *n == s)
            .map(|i| Self::ALL[i])
    }
}

/// Defines one domain enum from its table of `Variant = "中文名"` rows.
macro_rules! domain_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $var:ident = $zh:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vmeta])* $var),+ }

        impl DomainEnum for $name {
            const ALL: &'static [Self] = &[$($name::$var),+];
            const NAMES: &'static [&'static str] = &[$($zh),+];
            fn name(self) -> &'static str {
                match self { $($name::$var => $zh),+ }
            }
        }

        // The same, callable without importing the trait (not every enum uses every one).
        #[allow(dead_code)]
        impl $name {
            pub const ALL: &'static [Self] = <Self as DomainEnum>::ALL;
            pub const NAMES: &'static [&'static str] = <Self as DomainEnum>::NAMES;
            pub fn name(self) -> &'static str {
                <Self as DomainEnum>::name(self)
            }
            pub fn from_name(s: &str) -> Option<Self> {
                <Self as DomainEnum>::from_name(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(DomainEnum::name(*self))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(DomainEnum::name(*self))
            }
        }
    };
}

domain_enum! {
    /// 行业 (the industry groups of 工贸行业).
    Industry {
        Metallurgy = "冶金",
        NonFerrous = "有色",
        BuildingMaterials = "建材",
        Machinery = "机械",
        LightIndustry = "轻工",
        Textile = "纺织",
        Tobacco = "烟草",
        Commerce = "商贸",
        Other = "其他",
    }
}

domain_enum! {
    /// 类型: a production or a warehousing enterprise; the plan's deadlines differ by it.
    Kind {
        Production = "生产",
        Warehousing = "仓储",
    }
}

domain_enum! {
    /// 规模, by the 2017 statistical rule (thresholds in site.toml `[size_rule]`).
    Size {
        LargeMedium = "大中型",
        SmallMicro = "小微型",
    }
}

domain_enum! {
    /// 高风险类别: the six categories the plan asks to finish first.
    HighRisk {
        MetalSmelting = "金属冶炼",
        CombustibleDust = "粉尘涉爆",
        HazardousProcess = "涉重点监管危险化工工艺",
        ConfinedSpace = "涉有限空间作业",
        LabourIntensive = "劳动密集型",
        FactoryInFactory = "厂中厂",
    }
}

domain_enum! {
    /// 评价方法 of one risk.
    Method {
        Lec = "LEC",
        Ls = "LS",
        Direct = "直接判定",
    }
}

domain_enum! {
    /// 风险等级, strictest first (red, orange, yellow, blue).
    Level {
        Major = "重大",
        Considerable = "较大",
        General = "一般",
        Low = "低",
    }
}

domain_enum! {
    /// 管控层级: who controls a risk.
    ControlLevel {
        Company = "公司",
        Department = "部门",
        Workshop = "车间",
        Team = "班组",
        Post = "岗位",
    }
}

domain_enum! {
    /// 隐患等级.
    HazardGrade {
        General = "一般",
        Major = "重大",
    }
}

domain_enum! {
    /// 隐患来源: the kind of inspection or report that found a hazard.
    Source {
        Daily = "日常排查",
        Comprehensive = "综合性排查",
        Specialist = "专业性排查",
        Seasonal = "季节性排查",
        Holiday = "节假日排查",
        AccidentAnalogy = "事故类比排查",
        Resumption = "复工复产排查",
        Liaison = "联络员检查",
        Worker = "职工报告",
        Enforcement = "执法检查",
    }
}

domain_enum! {
    /// 红线 kinds: an unsafe act or an unsafe condition.
    RedLineKind {
        UnsafeAct = "人的不安全行为",
        UnsafeCondition = "物的不安全状态",
    }
}

domain_enum! {
    /// 联系方式 of a liaison's monthly contact.
    ContactMode {
        Visit = "走访",
        Phone = "电话",
    }
}

domain_enum! {
    /// 督导措施 the town takes.
    ActionKind {
        Warning = "警示提醒",
        Interview = "通报约谈",
        Deduction = "考核扣分",
        Penalty = "行政处罚",
        Referral = "移交执法",
        Support = "激励支持",
    }
}

domain_enum! {
    /// The construction status (建设进度) of one enterprise.
    Status {
        Done = "已达标",
        DoneLate = "已达标（逾期完成）",
        InProgress = "推进中",
        Late = "已逾期",
    }
}

domain_enum! {
    /// The dashboard group a status counts in: 已达标 includes late completion.
    StatusGroup {
        Done = "已达标",
        InProgress = "推进中",
        Late = "已逾期",
    }
}

domain_enum! {
    /// Where a hazard stands in the closed loop (闭环) on a date: found and within its deadline,
    /// past the deadline, rectified and waiting for acceptance, or accepted (销号).
    HazardState {
        Open = "整改中",
        Overdue = "逾期",
        Rectified = "待验收",
        Closed = "已销号",
    }
}

domain_enum! {
    /// Which of the plan's two deadlines applies: high-risk enterprises (厂中厂 lessors
    /// included) by the end of 2024, all others by the end of 2025.
    Cohort {
        HighRisk = "高风险企业",
        Other = "其他企业",
    }
}

domain_enum! {
    /// 评估结论 of one evaluation against its standard.
    Verdict {
        Pass = "合格",
        Fail = "不合格",
        Vetoed = "不合格（否决）",
    }
}

impl Status {
    pub fn group(self) -> StatusGroup {
        match self {
            Status::Done | Status::DoneLate => StatusGroup::Done,
            Status::InProgress => StatusGroup::InProgress,
            Status::Late => StatusGroup::Late,
        }
    }
}

/// The name of an optional domain value, or `""` when absent.
pub fn opt_name<E: DomainEnum>(v: Option<E>) -> &'static str {
    v.map(|e| e.name()).unwrap_or("")
}

/// Serializes an optional domain value as its name, or `""` when absent, the way an omitted
/// text field has always reached the templates.
pub fn name_or_empty<E: DomainEnum, S: Serializer>(v: &Option<E>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(opt_name(*v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<E: DomainEnum + PartialEq + std::fmt::Debug>() {
        assert_eq!(E::ALL.len(), E::NAMES.len());
        for (v, n) in E::ALL.iter().zip(E::NAMES) {
            assert_eq!(v.name(), *n);
            assert_eq!(E::from_name(n), Some(*v));
        }
        assert_eq!(E::from_name(""), None);
    }

    #[test]
    fn every_table_round_trips_and_names_are_unique_within_it() {
        round_trips::<Industry>();
        round_trips::<Kind>();
        round_trips::<Size>();
        round_trips::<HighRisk>();
        round_trips::<Method>();
        round_trips::<Level>();
        round_trips::<ControlLevel>();
        round_trips::<HazardGrade>();
        round_trips::<Source>();
        round_trips::<RedLineKind>();
        round_trips::<ContactMode>();
        round_trips::<ActionKind>();
        round_trips::<Status>();
        round_trips::<StatusGroup>();
        round_trips::<Verdict>();
        round_trips::<Cohort>();
    }

    #[test]
    fn a_name_is_serialized_as_the_chinese_text() {
        let v = serde_json::to_string(&(Level::Major, Kind::Warehousing)).unwrap();
        assert_eq!(v, r#"["重大","仓储"]"#);
        assert_eq!(Level::Considerable.to_string(), "较大");
        assert_eq!(Status::DoneLate.group(), StatusGroup::Done);
    }
}

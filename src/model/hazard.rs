//! Hidden hazards (隐患): the checks on a hazard's dates and the closed-loop state as of a date —
//! 整改中, 逾期 N 天, 待验收 (逾期 N 天 when accepted late), 已销号.

use jiff::civil::Date;
use serde::Serialize;

use super::dates::days_between;
use crate::diag::Diagnostic;
use crate::domain::HazardGrade;
use crate::load::enterprise::Hazard;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum HazardState {
    Open,
    Overdue,
    Rectified,
    Closed,
}
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HazardView {
    #[serde(flatten)]
    pub(crate) h: Hazard,
    /// Position in the record (the views are sorted overdue first).
    #[serde(skip)]
    pub(crate) seq: usize,
    pub(crate) state: HazardState,
    /// 整改中 / 逾期 N 天 / 待验收 / 已销号
    pub(crate) state_text: String,
    pub(crate) state_class: &'static str,
    pub(crate) overdue_days: i64,
    pub(crate) major: bool,
}
pub(super) fn check_hazard(h: &Hazard, src: &crate::diag::SourceFile, diags: &mut Vec<Diagnostic>) {
    if h.grade.v == HazardGrade::Major {
        let mut missing = Vec::new();
        if h.criterion.trim().is_empty() {
            missing.push("criterion（判定依据）");
        }
        if h.measures.trim().is_empty() {
            missing.push("measures（措施）");
        }
        if h.funds_yuan.is_none() {
            missing.push("funds_yuan（资金）");
        }
        if h.deadline.is_none() {
            missing.push("deadline（时限）");
        }
        if h.responsible.trim().is_empty() {
            missing.push("responsible（责任）");
        }
        if h.contingency.trim().is_empty() {
            missing.push("contingency（预案）");
        }
        if !missing.is_empty() {
            diags.push(
                Diagnostic::error_at(
                    src,
                    h.grade.span.clone(),
                    format!("重大隐患“{}”缺少：{}", h.id.v, missing.join("、")),
                )
                .with_hint("重大隐患须写明判定依据，并落实措施、责任、资金、时限和预案（五落实）"),
            );
        }
    }
    not_before_found(h, h.rectified.as_ref(), "整改日期", src, diags);
    if let Some(a) = &h.accepted {
        match &h.rectified {
            None => diags.push(
                Diagnostic::error_at(
                    src,
                    a.span.clone(),
                    format!("隐患“{}”有验收日期但没有整改日期", h.id.v),
                )
                .with_hint("先填写 rectified（整改完成日期）"),
            ),
            Some(r) if a.v < r.v => diags.push(Diagnostic::error_at(
                src,
                a.span.clone(),
                format!("隐患“{}”的验收日期 {} 早于整改日期 {}", h.id.v, a.v, r.v),
            )),
            _ => {}
        }
    }
    not_before_found(h, h.deadline.as_ref(), "整改期限", src, diags);
}
/// A date of the hazard (`what`: 整改日期, 整改期限) earlier than the day it was found is an error
/// at that date.
fn not_before_found(
    h: &Hazard,
    date: Option<&crate::load::toml_reader::Sp<Date>>,
    what: &str,
    src: &crate::diag::SourceFile,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(d) = date
        && d.v < h.found.v
    {
        diags.push(Diagnostic::error_at(
            src,
            d.span.clone(),
            format!(
                "隐患“{}”的{what} {} 早于发现日期 {}",
                h.id.v, d.v, h.found.v
            ),
        ));
    }
}

/// The closed-loop state as of a date: events dated later have not happened yet.
pub(crate) fn hazard_state(h: &Hazard, as_of: Date) -> HazardView {
    hazard_view(h.clone(), as_of)
}
/// [`hazard_state`], taking the hazard.
pub(super) fn hazard_view(h: Hazard, as_of: Date) -> HazardView {
    let happened =
        |d: &Option<crate::load::toml_reader::Sp<Date>>| d.as_ref().is_some_and(|d| d.v <= as_of);
    let (state, state_text, state_class, overdue_days) = if happened(&h.accepted) {
        (HazardState::Closed, "已销号".to_string(), "closed", 0)
    } else if happened(&h.rectified) {
        // The loop closes at acceptance: rectified but not accepted by the deadline is still late.
        match &h.deadline {
            Some(d) if d.v < as_of => {
                let n = days_between(d.v, as_of);
                (
                    HazardState::Rectified,
                    format!("待验收（逾期 {n} 天）"),
                    "rectified-overdue",
                    n,
                )
            }
            _ => (HazardState::Rectified, "待验收".to_string(), "rectified", 0),
        }
    } else {
        match &h.deadline {
            Some(d) if d.v < as_of => {
                let n = days_between(d.v, as_of);
                (HazardState::Overdue, format!("逾期 {n} 天"), "overdue", n)
            }
            _ => (HazardState::Open, "整改中".to_string(), "open", 0),
        }
    };
    let major = h.grade.v == HazardGrade::Major;
    HazardView {
        h,
        seq: 0,
        state,
        state_text,
        state_class,
        overdue_days,
        major,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::toml_reader::Sp;
    use jiff::civil::date;

    fn hz(deadline: Option<Date>, rectified: Option<Date>, accepted: Option<Date>) -> Hazard {
        let sp = |d: Date| Sp::new(d, 0..0);
        Hazard {
            id: Sp::new("H1".into(), 0..0),
            found: sp(date(2025, 1, 1)),
            source: None,
            location: String::new(),
            description: String::new(),
            grade: Sp::new(HazardGrade::General, 0..0),
            criterion: String::new(),
            risk: None,
            measures: String::new(),
            funds_yuan: None,
            deadline: deadline.map(sp),
            responsible: String::new(),
            contingency: String::new(),
            rectified: rectified.map(sp),
            accepted: accepted.map(sp),
        }
    }

    #[test]
    fn dates_on_the_same_day_are_in_order_and_a_day_earlier_is_an_error() {
        let src = crate::diag::SourceFile {
            rel: "a.toml".into(),
            text: String::new(),
        };
        let found = date(2025, 1, 1);
        let before = date(2024, 12, 31);
        let errors = |h: &Hazard| {
            let mut d = Vec::new();
            check_hazard(h, &src, &mut d);
            d.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
        };
        // Deadline, rectification and acceptance all on the day it was found: in order.
        assert_eq!(
            errors(&hz(Some(found), Some(found), Some(found))),
            Vec::<String>::new()
        );
        let e = errors(&hz(Some(before), None, None));
        assert_eq!(e, ["隐患“H1”的整改期限 2024-12-31 早于发现日期 2025-01-01"]);
        let e = errors(&hz(None, Some(before), None));
        assert_eq!(e, ["隐患“H1”的整改日期 2024-12-31 早于发现日期 2025-01-01"]);
        let e = errors(&hz(None, Some(date(2025, 1, 2)), Some(found)));
        assert_eq!(e, ["隐患“H1”的验收日期 2025-01-01 早于整改日期 2025-01-02"]);
    }

    #[test]
    fn hazard_states_by_date() {
        let as_of = date(2025, 6, 30);
        let h = hazard_state(&hz(Some(date(2025, 7, 1)), None, None), as_of);
        assert_eq!(
            (h.state, h.state_text.as_str()),
            (HazardState::Open, "整改中")
        );
        let h = hazard_state(&hz(Some(date(2025, 6, 30)), None, None), as_of);
        assert_eq!(h.state, HazardState::Open, "due today is not overdue");
        let h = hazard_state(&hz(Some(date(2025, 6, 20)), None, None), as_of);
        assert_eq!(
            (h.state, h.state_text.as_str()),
            (HazardState::Overdue, "逾期 10 天")
        );
        let h = hazard_state(
            &hz(Some(date(2025, 6, 20)), Some(date(2025, 6, 1)), None),
            as_of,
        );
        assert_eq!(
            (h.state_text.as_str(), h.overdue_days),
            ("待验收（逾期 10 天）", 10),
            "rectified in time but not accepted by the deadline"
        );
        let h = hazard_state(
            &hz(Some(date(2025, 7, 20)), Some(date(2025, 6, 1)), None),
            as_of,
        );
        assert_eq!((h.state_text.as_str(), h.overdue_days), ("待验收", 0));
        let h = hazard_state(
            &hz(None, Some(date(2025, 6, 1)), Some(date(2025, 6, 2))),
            as_of,
        );
        assert_eq!(h.state_text, "已销号");
        // Acceptance after the as-of date has not happened yet.
        let h = hazard_state(
            &hz(None, Some(date(2025, 6, 1)), Some(date(2025, 7, 2))),
            as_of,
        );
        assert_eq!(h.state_text, "待验收");
    }
}

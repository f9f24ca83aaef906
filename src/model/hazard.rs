//! Hidden hazards (隐患): the checks on a hazard's dates and the closed-loop state as of a date —
//! 整改中, 逾期 N 天, 待验收 (逾期 N 天 when accepted late), 已销号.

use jiff::civil::Date;

use super::dates::days_between;
use crate::diag::Diagnostic;
use crate::domain::HazardGrade;
use crate::load::enterprise::Hazard;

pub(crate) use crate::domain::HazardState;

/// A hazard and where it stands in the closed loop on the as-of date.
#[derive(Debug, Clone)]
pub(crate) struct TrackedHazard {
    pub(crate) h: Hazard,
    /// Position in the record (an enterprise's hazards are sorted overdue first).
    pub(crate) seq: usize,
    pub(crate) state: HazardState,
    /// Days past the deadline, for a hazard not accepted by then; 0 otherwise.
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
pub(crate) fn hazard_state(h: &Hazard, as_of: Date) -> TrackedHazard {
    track(h.clone(), as_of)
}
/// A hazard's state on a date and its days past the deadline, without copying it (the month-end
/// series asks this of every hazard for every month).
pub(crate) fn state_on(h: &Hazard, on: Date) -> (HazardState, i64) {
    let happened =
        |d: &Option<crate::load::toml_reader::Sp<Date>>| d.as_ref().is_some_and(|d| d.v <= on);
    let late = |deadline: &Option<crate::load::toml_reader::Sp<Date>>| match deadline {
        Some(d) if d.v < on => days_between(d.v, on),
        _ => 0,
    };
    // The loop closes at acceptance: rectified but not accepted by the deadline is still late.
    if happened(&h.accepted) {
        (HazardState::Closed, 0)
    } else if happened(&h.rectified) {
        (HazardState::Rectified, late(&h.deadline))
    } else {
        match late(&h.deadline) {
            0 => (HazardState::Open, 0),
            n => (HazardState::Overdue, n),
        }
    }
}

/// [`hazard_state`], taking the hazard.
pub(super) fn track(h: Hazard, as_of: Date) -> TrackedHazard {
    let (state, overdue_days) = state_on(&h, as_of);
    let major = h.grade.v == HazardGrade::Major;
    TrackedHazard {
        h,
        seq: 0,
        state,
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
        let at = |deadline, rectified, accepted| {
            let h = hazard_state(&hz(deadline, rectified, accepted), as_of);
            (h.state, h.overdue_days)
        };
        use HazardState::*;
        assert_eq!(at(Some(date(2025, 7, 1)), None, None), (Open, 0));
        assert_eq!(
            at(Some(date(2025, 6, 30)), None, None),
            (Open, 0),
            "due today is not overdue"
        );
        assert_eq!(at(Some(date(2025, 6, 20)), None, None), (Overdue, 10));
        assert_eq!(
            at(Some(date(2025, 6, 20)), Some(date(2025, 6, 1)), None),
            (Rectified, 10),
            "rectified in time but not accepted by the deadline"
        );
        assert_eq!(
            at(Some(date(2025, 7, 20)), Some(date(2025, 6, 1)), None),
            (Rectified, 0)
        );
        assert_eq!(
            at(None, Some(date(2025, 6, 1)), Some(date(2025, 6, 2))),
            (Closed, 0)
        );
        assert_eq!(
            at(
                Some(date(2025, 6, 1)),
                Some(date(2025, 6, 1)),
                Some(date(2025, 6, 20))
            ),
            (Closed, 0),
            "accepted late is closed, not overdue"
        );
        // Acceptance after the as-of date has not happened yet.
        assert_eq!(
            at(None, Some(date(2025, 6, 1)), Some(date(2025, 7, 2))),
            (Rectified, 0)
        );
    }
}

//! The construction status the plan asks about, and the sentence that explains it. An enterprise
//! has reached the standard (已达标) when a passing evaluation — its own self-evaluation included,
//! unless site.toml names the evaluators that count — is dated on or before the as-of date.

use jiff::civil::Date;

pub(crate) use crate::domain::Status;

/// What the status rule needs to know of one evaluation.
#[derive(Debug, Clone)]
pub(crate) struct EvalFact<'a> {
    pub(crate) date: Date,
    pub(crate) by: &'a str,
    pub(crate) pass: bool,
    /// `87.5`
    pub(crate) percent: &'a str,
    pub(crate) line: f64,
}

/// The status and the one-sentence reason for it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub(crate) status: Status,
    pub(crate) reason: String,
    /// The first counted passing evaluation, if any.
    pub(crate) passed_on: Option<Date>,
}

/// Whether an evaluation by `by` counts; an empty list means every evaluator does.
pub(crate) fn counts(by: &str, evaluators: &[String]) -> bool {
    evaluators.is_empty() || evaluators.iter().any(|e| e == by)
}

fn line_text(line: f64) -> String {
    crate::model::risk::fmt_score(line)
}

/// Decides the status as of `as_of`. Evaluations dated after `as_of` have not happened yet.
pub(crate) fn decide(
    evals: &[EvalFact],
    deadline: Option<Date>,
    as_of: Date,
    evaluators: &[String],
) -> Decision {
    let mut happened: Vec<&EvalFact> = evals.iter().filter(|e| e.date <= as_of).collect();
    happened.sort_by_key(|e| e.date);
    let counted: Vec<&&EvalFact> = happened
        .iter()
        .filter(|e| counts(e.by, evaluators))
        .collect();
    let first_pass = counted.iter().find(|e| e.pass).copied().copied();
    let who = |e: &EvalFact| {
        if e.by == "自评" {
            "企业自评".to_string()
        } else {
            format!("{}评估", e.by)
        }
    };
    if let Some(p) = first_pass {
        let late = deadline.is_some_and(|d| p.date > d);
        let status = if late { Status::DoneLate } else { Status::Done };
        let when = match deadline {
            Some(d) if late => format!("晚于建设期限 {d}"),
            Some(d) => format!("在建设期限 {d} 之前"),
            None => String::new(),
        };
        let reason = format!(
            "{} 的{}得分率 {}%，达到合格线 {}%{}{}，因此{}。",
            p.date,
            who(p),
            p.percent,
            line_text(p.line),
            if when.is_empty() { "" } else { "，" },
            when,
            status.name()
        );
        return Decision {
            status,
            reason,
            passed_on: Some(p.date),
        };
    }
    let last = happened.last().copied();
    let not_counted = last.is_some_and(|e| !counts(e.by, evaluators));
    let latest = match last {
        None => "还没有评估报告".to_string(),
        Some(e) if not_counted => format!(
            "最近一次是 {} 的{}，按本镇规定不计入（只认可{}的评估）",
            e.date,
            who(e),
            evaluators.join("、")
        ),
        Some(e) => format!(
            "最近一次是 {} 的{}，得分率 {}%，未达到合格线 {}%",
            e.date,
            who(e),
            e.percent,
            line_text(e.line)
        ),
    };
    match deadline {
        Some(d) if as_of > d => Decision {
            status: Status::Late,
            reason: format!("建设期限 {d} 已过，还没有合格的评估（{latest}），因此已逾期。"),
            passed_on: None,
        },
        Some(d) => Decision {
            status: Status::InProgress,
            reason: format!("建设期限为 {d}，还没有合格的评估（{latest}），因此推进中。"),
            passed_on: None,
        },
        None => Decision {
            status: Status::InProgress,
            reason: format!("还没有合格的评估（{latest}），因此推进中。"),
            passed_on: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ev(d: Date, by: &'static str, pass: bool, percent: &'static str) -> EvalFact<'static> {
        EvalFact {
            date: d,
            by,
            pass,
            percent,
            line: 60.0,
        }
    }

    const DEADLINE: Date = date(2024, 12, 31);

    #[test]
    fn self_evaluation_counts_by_default() {
        // park-electronics: 自评 77 % on 2024-12-26, high-risk deadline 2024-12-31.
        let d = decide(
            &[ev(date(2024, 12, 26), "自评", true, "77.0")],
            Some(DEADLINE),
            date(2025, 6, 30),
            &[],
        );
        assert_eq!(d.status, Status::Done);
        assert_eq!(
            d.reason,
            "2024-12-26 的企业自评得分率 77.0%，达到合格线 60%，在建设期限 2024-12-31 之前，因此已达标。"
        );
        assert_eq!(d.passed_on, Some(date(2024, 12, 26)));
    }

    #[test]
    fn a_pass_dated_on_the_deadline_is_on_time() {
        let d = decide(
            &[ev(DEADLINE, "自评", true, "61.0")],
            Some(DEADLINE),
            date(2025, 6, 30),
            &[],
        );
        assert_eq!(d.status, Status::Done);
        let d = decide(
            &[ev(date(2025, 1, 1), "自评", true, "61.0")],
            Some(DEADLINE),
            date(2025, 6, 30),
            &[],
        );
        assert_eq!(d.status, Status::DoneLate, "one day after the deadline");
    }

    #[test]
    fn pass_after_the_deadline_is_late_completion() {
        let d = decide(
            &[
                ev(date(2024, 12, 20), "自评", false, "52.0"),
                ev(date(2025, 3, 1), "第三方", true, "81.5"),
            ],
            Some(DEADLINE),
            date(2025, 6, 30),
            &[],
        );
        assert_eq!(d.status, Status::DoneLate);
        assert_eq!(d.status.name(), "已达标（逾期完成）");
        assert_eq!(d.status.group().name(), "已达标");
        assert!(d.reason.contains("晚于建设期限 2024-12-31"), "{}", d.reason);
    }

    #[test]
    fn named_evaluators_exclude_the_others() {
        let only = vec!["镇督导服务团队".to_string()];
        let d = decide(
            &[ev(date(2024, 12, 26), "自评", true, "77.0")],
            Some(DEADLINE),
            date(2025, 6, 30),
            &only,
        );
        assert_eq!(d.status, Status::Late);
        assert_eq!(
            d.reason,
            "建设期限 2024-12-31 已过，还没有合格的评估（最近一次是 2024-12-26 的企业自评，按本镇规定不计入（只认可镇督导服务团队的评估）），因此已逾期。"
        );
        let d = decide(
            &[ev(date(2024, 12, 28), "镇督导服务团队", true, "70.0")],
            Some(DEADLINE),
            date(2025, 6, 30),
            &only,
        );
        assert_eq!(d.status, Status::Done);
    }

    #[test]
    fn before_the_deadline_without_a_pass_is_in_progress() {
        let d = decide(
            &[ev(date(2024, 11, 1), "自评", false, "55.0")],
            Some(DEADLINE),
            date(2024, 12, 31),
            &[],
        );
        assert_eq!(d.status, Status::InProgress, "due today is not late");
        assert_eq!(
            d.reason,
            "建设期限为 2024-12-31，还没有合格的评估（最近一次是 2024-11-01 的企业自评，得分率 55.0%，未达到合格线 60%），因此推进中。"
        );
        let d = decide(&[], Some(DEADLINE), date(2025, 1, 1), &[]);
        assert_eq!(d.status, Status::Late);
        assert!(d.reason.contains("还没有评估报告"));
    }

    #[test]
    fn a_future_evaluation_has_not_happened() {
        let d = decide(
            &[ev(date(2025, 7, 1), "自评", true, "90.0")],
            Some(DEADLINE),
            date(2025, 6, 30),
            &[],
        );
        assert_eq!(d.status, Status::Late);
    }
}

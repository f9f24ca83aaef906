//! The quarters of the plan (the joint meeting's rhythm: 每季度至少召开 1 次联席会议) and what
//! changed in each: enterprises that reached 已达标, new 重大 hazards, hazards overdue at the
//! quarter's end, and enterprises left without a liaison contact in one of its months. The
//! numbers per month come from `series`; this module adds the lists behind them.

use jiff::civil::Date;

use super::enterprise::{Enterprise, status_on};
use super::hazard::{HazardState, TrackedHazard, state_on};
use super::series::Month;
use crate::domain::StatusGroup;
use crate::load::site_config::SiteConfig;

/// One quarter of the series: which of its months it spans.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Quarter {
    pub(crate) year: i16,
    /// 1–4
    pub(crate) q: i8,
    /// Indices into the series' months (a first quarter may start mid-way, with the plan).
    pub(crate) months: std::ops::Range<usize>,
    pub(crate) start: Date,
    pub(crate) end: Date,
    /// Not over on the as-of date: numbers are 截至 `end`.
    pub(crate) partial: bool,
}

impl Quarter {
    /// `2025-Q2`, the folder name under reports/quarterly/.
    pub(crate) fn key(&self) -> String {
        format!("{}-Q{}", self.year, self.q)
    }
}

/// The quarters the months fall in, oldest first.
pub(crate) fn quarters(months: &[Month]) -> Vec<Quarter> {
    let mut out: Vec<Quarter> = Vec::new();
    for (i, m) in months.iter().enumerate() {
        let (year, q) = (m.start.year(), (m.start.month() - 1) / 3 + 1);
        match out.last_mut() {
            Some(last) if last.year == year && last.q == q => {
                last.months.end = i + 1;
                last.end = m.end;
                last.partial = m.partial || m.start.month() % 3 != 0;
            }
            _ => out.push(Quarter {
                year,
                q,
                months: i..i + 1,
                start: m.start,
                end: m.end,
                partial: m.partial || m.start.month() % 3 != 0,
            }),
        }
    }
    out
}

/// An enterprise's hazard as a quarter's lists show it.
#[derive(Debug, Clone)]
pub(crate) struct HazardAt<'a> {
    pub(crate) enterprise: &'a Enterprise,
    pub(crate) hazard: &'a TrackedHazard,
    /// The hazard's state at the quarter's end.
    pub(crate) state: HazardState,
    pub(crate) overdue_days: i64,
}

/// What changed in one quarter, enterprise by enterprise.
#[derive(Debug, Clone, Default)]
pub(crate) struct Changes<'a> {
    /// Reached 已达标 in the quarter, with the date of the evaluation that counted.
    pub(crate) reached: Vec<(&'a Enterprise, Option<Date>)>,
    /// 重大 hazards found in the quarter.
    pub(crate) new_major: Vec<HazardAt<'a>>,
    /// Hazards past their deadline and not accepted at the quarter's end, longest first.
    pub(crate) overdue: Vec<HazardAt<'a>>,
    /// Enterprises with a month of the quarter without a contact, with those months.
    pub(crate) not_contacted: Vec<(&'a Enterprise, Vec<String>)>,
}

/// The lists for quarter `q`; `months` are the series' months.
pub(crate) fn changes<'a>(
    ents: &'a [Enterprise],
    cfg: &SiteConfig,
    months: &[Month],
    q: &Quarter,
) -> Changes<'a> {
    let before = q.start.yesterday().unwrap_or(q.start);
    let mut c = Changes::default();
    for e in ents {
        let now = status_on(e, cfg, q.end);
        if now.status.group() == StatusGroup::Done
            && status_on(e, cfg, before).status.group() != StatusGroup::Done
        {
            c.reached.push((e, now.passed_on));
        }
        for t in e.hazards.iter().filter(|t| t.h.found.v <= q.end) {
            let (state, overdue_days) = state_on(&t.h, q.end);
            let at = HazardAt {
                enterprise: e,
                hazard: t,
                state,
                overdue_days,
            };
            if t.major && t.h.found.v >= q.start {
                c.new_major.push(at.clone());
            }
            if state != HazardState::Closed && overdue_days > 0 {
                c.overdue.push(at);
            }
        }
        let missed: Vec<String> = months[q.months.clone()]
            .iter()
            .filter(|m| {
                !e.rec
                    .contacts
                    .iter()
                    .any(|x| m.start <= x.date.v && x.date.v <= m.end)
            })
            .map(|m| m.label.clone())
            .collect();
        if !missed.is_empty() {
            c.not_contacted.push((e, missed));
        }
    }
    c.overdue.sort_by(|a, b| {
        (b.overdue_days, &a.enterprise.rec.name.v, &a.hazard.h.id.v).cmp(&(
            a.overdue_days,
            &b.enterprise.rec.name.v,
            &b.hazard.h.id.v,
        ))
    });
    c.new_major.sort_by(|a, b| {
        (a.hazard.h.found.v, &a.enterprise.rec.name.v)
            .cmp(&(b.hazard.h.found.v, &b.enterprise.rec.name.v))
    });
    c.reached
        .sort_by(|a, b| (a.1, &a.0.rec.name.v).cmp(&(b.1, &b.0.rec.name.v)));
    c.not_contacted
        .sort_by(|a, b| (b.1.len(), &a.0.rec.name.v).cmp(&(a.1.len(), &b.0.rec.name.v)));
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::series::months;
    use jiff::civil::date;

    #[test]
    fn quarters_follow_the_calendar_from_the_plan_start() {
        let m = months(date(2024, 7, 12), date(2025, 5, 10));
        let q = quarters(&m);
        let keys: Vec<String> = q.iter().map(Quarter::key).collect();
        assert_eq!(keys, ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]);
        assert_eq!(q[0].months, 0..3);
        assert_eq!(
            (q[1].start, q[1].end, q[1].partial),
            (date(2024, 10, 1), date(2024, 12, 31), false)
        );
        assert_eq!(
            (q[3].months.clone(), q[3].end, q[3].partial),
            (9..11, date(2025, 5, 10), true)
        );
        // Starting in the quarter's second month: the quarter is whole once its last month is.
        let q = quarters(&months(date(2024, 8, 1), date(2024, 9, 30)));
        assert_eq!((q[0].months.clone(), q[0].partial), (0..2, false));
    }
}

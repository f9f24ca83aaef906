//! Progress over time: for every month from the plan's start to the as-of month, the numbers at
//! the month's end (status by the plan's rule, hazards open / overdue / awaiting acceptance /
//! major) and what happened in the month (hazards found and closed, contacts, evaluations,
//! supervision actions) — town-wide, per village, department and high-risk category, and per
//! enterprise. Everything comes from the dated events in the records: a month's numbers depend only
//! on events dated up to its end, so an earlier as-of date gives the same past.

use jiff::civil::Date;
use rayon::prelude::*;

use super::dates::{month_index, month_label};
use super::enterprise::{Enterprise, in_category, status_on};
use super::hazard::{HazardState, state_on};
use crate::domain::{HighRisk, StatusGroup};
use crate::load::site_config::SiteConfig;

/// One month of the series: its label and the day its numbers are taken.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Month {
    /// `2024-07`
    pub(crate) label: String,
    /// The first day of the month.
    pub(crate) start: Date,
    /// The month's last day, or the as-of date for the month not yet over.
    pub(crate) end: Date,
    /// The month is not over on the as-of date: its numbers are 截至 `end`.
    pub(crate) partial: bool,
}

/// The numbers of one month for one group of enterprises (for one enterprise, each is 0 or 1 for
/// the enterprise counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct MonthCounts {
    pub(crate) enterprises: usize,
    /// 已达标 at the month's end (a late completion included).
    pub(crate) done: usize,
    /// 推进中
    pub(crate) progress: usize,
    /// 已逾期
    pub(crate) late: usize,
    /// Found by the month's end and not accepted (整改中 + 逾期 + 待验收).
    pub(crate) hazards_open: usize,
    /// Of those, past their deadline (逾期未整改 and 待验收 past the deadline).
    pub(crate) hazards_overdue: usize,
    /// Of those, rectified and waiting for acceptance (待验收).
    pub(crate) hazards_awaiting: usize,
    /// Of those, 重大.
    pub(crate) hazards_major_open: usize,
    /// Found in the month.
    pub(crate) hazards_found: usize,
    /// Accepted (销号) in the month.
    pub(crate) hazards_closed: usize,
    /// Enterprises with a liaison contact dated in the month.
    pub(crate) contacted: usize,
    /// Enterprises with none.
    pub(crate) not_contacted: usize,
    /// Evaluations dated in the month.
    pub(crate) evaluations: usize,
    /// Supervision actions dated in the month.
    pub(crate) actions: usize,
}

impl MonthCounts {
    fn add(&mut self, o: &MonthCounts) {
        self.enterprises += o.enterprises;
        self.done += o.done;
        self.progress += o.progress;
        self.late += o.late;
        self.hazards_open += o.hazards_open;
        self.hazards_overdue += o.hazards_overdue;
        self.hazards_awaiting += o.hazards_awaiting;
        self.hazards_major_open += o.hazards_major_open;
        self.hazards_found += o.hazards_found;
        self.hazards_closed += o.hazards_closed;
        self.contacted += o.contacted;
        self.not_contacted += o.not_contacted;
        self.evaluations += o.evaluations;
        self.actions += o.actions;
    }
}

/// A named group's numbers, one per month of [`Series::months`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GroupSeries {
    pub(crate) name: String,
    pub(crate) counts: Vec<MonthCounts>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Series {
    pub(crate) months: Vec<Month>,
    pub(crate) town: Vec<MonthCounts>,
    /// In site.toml's order.
    pub(crate) villages: Vec<GroupSeries>,
    pub(crate) departments: Vec<GroupSeries>,
    /// In the domain table's order (厂中厂 counts lessors too, as everywhere else).
    pub(crate) categories: Vec<GroupSeries>,
    /// Per enterprise, in the site's order.
    pub(crate) enterprises: Vec<Vec<MonthCounts>>,
    /// (slug, index into `enterprises`), sorted by slug, for [`Series::of_enterprise`].
    slugs: Vec<(String, usize)>,
}

impl Series {
    /// One enterprise's months; empty without a series.
    pub(crate) fn of_enterprise(&self, slug: &str) -> &[MonthCounts] {
        self.slugs
            .binary_search_by(|(s, _)| s.as_str().cmp(slug))
            .map_or(&[], |k| &self.enterprises[self.slugs[k].1])
    }
}

/// The month the series starts: the plan's issue date, else its first phase's start.
pub(crate) fn start(cfg: &SiteConfig) -> Option<Date> {
    cfg.plan
        .issued
        .or_else(|| cfg.plan.phases.iter().map(|p| p.start).min())
}

/// The months from `start`'s month to `as_of`'s month; none when the plan starts later.
pub(crate) fn months(start: Date, as_of: Date) -> Vec<Month> {
    (month_index(start)..=month_index(as_of))
        .filter_map(|m| {
            let first =
                Date::new((m.div_euclid(12)) as i16, (m.rem_euclid(12) + 1) as i8, 1).ok()?;
            let last = first.last_of_month();
            Some(Month {
                label: month_label(m),
                start: first,
                end: last.min(as_of),
                partial: as_of < last,
            })
        })
        .collect()
}

/// The series for the site's enterprises; empty when site.toml gives no plan start.
pub(crate) fn build(ents: &[Enterprise], cfg: &SiteConfig, as_of: Date) -> Series {
    let Some(first) = start(cfg) else {
        return Series::default();
    };
    let months = months(first, as_of);
    let enterprises: Vec<Vec<MonthCounts>> = ents
        .par_iter()
        .map(|e| months.iter().map(|m| of_enterprise(e, cfg, m)).collect())
        .collect();
    let sum = |pick: &dyn Fn(&Enterprise) -> bool| -> Vec<MonthCounts> {
        let mut total = vec![MonthCounts::default(); months.len()];
        for (e, per) in ents.iter().zip(&enterprises) {
            if pick(e) {
                for (t, c) in total.iter_mut().zip(per) {
                    t.add(c);
                }
            }
        }
        total
    };
    let named = |name: &str, pick: &dyn Fn(&Enterprise) -> bool| GroupSeries {
        name: name.to_string(),
        counts: sum(pick),
    };
    let is = |v: &Option<crate::load::toml_reader::Sp<String>>, name: &str| {
        v.as_ref().is_some_and(|v| v.v == name)
    };
    Series {
        town: sum(&|_| true),
        villages: cfg
            .villages
            .iter()
            .map(|v| named(&v.v, &|e| is(&e.rec.village, &v.v)))
            .collect(),
        departments: cfg
            .departments
            .iter()
            .map(|d| named(&d.v, &|e| is(&e.rec.department, &d.v)))
            .collect(),
        categories: HighRisk::ALL
            .iter()
            .map(|&c| named(c.name(), &|e| in_category(e, c)))
            .collect(),
        enterprises,
        slugs: {
            let mut v: Vec<(String, usize)> = ents
                .iter()
                .enumerate()
                .map(|(i, e)| (e.rec.slug.clone(), i))
                .collect();
            v.sort();
            v
        },
        months,
    }
}

/// One enterprise's numbers for one month.
fn of_enterprise(e: &Enterprise, cfg: &SiteConfig, m: &Month) -> MonthCounts {
    let within = |d: Date| m.start <= d && d <= m.end;
    let mut c = MonthCounts {
        enterprises: 1,
        ..MonthCounts::default()
    };
    match status_on(e, cfg, m.end).status.group() {
        StatusGroup::Done => c.done = 1,
        StatusGroup::InProgress => c.progress = 1,
        StatusGroup::Late => c.late = 1,
    }
    for t in e.hazards.iter().filter(|t| t.h.found.v <= m.end) {
        c.hazards_found += usize::from(within(t.h.found.v));
        let accepted = t.h.accepted.as_ref().map(|a| a.v);
        c.hazards_closed += usize::from(accepted.is_some_and(within));
        let (state, overdue_days) = state_on(&t.h, m.end);
        if state == HazardState::Closed {
            continue;
        }
        c.hazards_open += 1;
        c.hazards_overdue += usize::from(overdue_days > 0);
        c.hazards_awaiting += usize::from(state == HazardState::Rectified);
        c.hazards_major_open += usize::from(t.major);
    }
    let contacted = e.rec.contacts.iter().any(|x| within(x.date.v));
    c.contacted = usize::from(contacted);
    c.not_contacted = usize::from(!contacted);
    c.evaluations = e.evaluations.iter().filter(|v| within(v.e.date.v)).count();
    c.actions = e.rec.actions.iter().filter(|a| within(a.date)).count();
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// tests/fixtures/town-small with the plan starting 2024-09-01, checked as of `as_of`.
    fn town_small(as_of: Date) -> (crate::model::Site, tempfile::TempDir) {
        let src =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/town-small");
        let tmp = tempfile::tempdir().unwrap();
        for entry in walkdir::WalkDir::new(&src) {
            let entry = entry.unwrap();
            let to = tmp.path().join(entry.path().strip_prefix(&src).unwrap());
            if entry.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(entry.path(), &to).unwrap();
            }
        }
        let toml = tmp.path().join("data/site.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(&toml, format!("{text}\n[plan]\nissued = 2024-09-01\n")).unwrap();
        let (site, diags) = crate::pipeline::check(&crate::pipeline::BuildOptions {
            root: tmp.path().to_path_buf(),
            out: tmp.path().join("public"),
            as_of: Some(as_of),
            today: as_of,
            profile: crate::model::Profile::Public,
            base_url: None,
            offline: false,
        });
        assert!(!diags.iter().any(|d| d.is_error()), "{diags:?}");
        (site.unwrap(), tmp)
    }

    /// The town's numbers for town-small, month by month from 2024-09 to 2025-06, worked out by
    /// hand from the three records (see tests/records.rs for the records themselves):
    /// - status: qiaotou passes on 2024-12-20 (done from 2024-12); taiping fails on 2024-12-18 and
    ///   is late from 2025-01 (its deadline 2024-12-31 is not past on 2024-12-31); yingji (deadline
    ///   2025-12-31, no evaluation) is in progress throughout;
    /// - hazards: H2024-104 found 2024-09-01 and accepted 09-15; H2024-201 open from 2024-11,
    ///   overdue after 12-15; H2025-202 found 02-03, accepted 02-06; H2025-102 (重大) open from
    ///   2025-03, overdue after 05-20; in June H2025-101, H2025-103 (rectified, 5 days past its
    ///   deadline), H2025-105 (rectified, 1 day past; accepted only on 07-03) and yingji's hazard
    ///   are found;
    /// - contacts: qiaotou 2024-10, 2024-11, 2025-01…05; taiping 2025-01…06; yingji 2025-05, 06;
    ///   evaluations: two in 2024-12; no supervision actions.
    #[test]
    fn town_small_month_by_month() {
        let as_of = date(2025, 6, 30);
        let (site, _tmp) = town_small(as_of);
        let s = build(&site.enterprises, &site.config, as_of);
        let labels: Vec<&str> = s.months.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels.first(), Some(&"2024-09"));
        assert_eq!(labels.len(), 10);
        let col = |f: fn(&MonthCounts) -> usize| s.town.iter().map(f).collect::<Vec<_>>();
        assert_eq!(col(|c| c.enterprises), [3; 10]);
        assert_eq!(col(|c| c.done), [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
        assert_eq!(col(|c| c.progress), [3, 3, 3, 2, 1, 1, 1, 1, 1, 1]);
        assert_eq!(col(|c| c.late), [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
        assert_eq!(col(|c| c.hazards_open), [0, 0, 1, 1, 1, 1, 2, 2, 2, 6]);
        assert_eq!(col(|c| c.hazards_overdue), [0, 0, 0, 1, 1, 1, 1, 1, 2, 4]);
        assert_eq!(col(|c| c.hazards_awaiting), [0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(
            col(|c| c.hazards_major_open),
            [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]
        );
        assert_eq!(col(|c| c.hazards_found), [1, 0, 1, 0, 0, 1, 1, 0, 0, 4]);
        assert_eq!(col(|c| c.hazards_closed), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(col(|c| c.contacted), [0, 1, 1, 0, 2, 2, 2, 2, 3, 2]);
        assert_eq!(col(|c| c.not_contacted), [3, 2, 2, 3, 1, 1, 1, 1, 0, 1]);
        assert_eq!(col(|c| c.evaluations), [0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
        assert_eq!(col(|c| c.actions), [0; 10]);
        // Groups: 新桥社区 is qiaotou alone; 粉尘涉爆 is qiaotou and taiping.
        let group = |list: &[GroupSeries], name: &str| {
            list.iter().find(|g| g.name == name).unwrap().counts.clone()
        };
        let xinqiao = group(&s.villages, "新桥社区");
        assert_eq!(
            xinqiao.iter().map(|c| c.done).collect::<Vec<_>>(),
            [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]
        );
        let dust = group(&s.categories, "粉尘涉爆");
        assert_eq!(
            dust.iter().map(|c| c.late).collect::<Vec<_>>(),
            [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
        );
        assert_eq!(
            dust.iter().map(|c| c.hazards_open).collect::<Vec<_>>(),
            [0, 0, 1, 1, 1, 1, 2, 2, 2, 5]
        );
        let dept = group(&s.departments, "镇应急管理办公室");
        assert_eq!(
            dept.iter().map(|c| c.hazards_open).collect::<Vec<_>>(),
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        );
        assert!(!s.months[9].partial);
    }

    #[test]
    fn an_earlier_as_of_date_gives_the_same_past() {
        let (late_site, _a) = town_small(date(2025, 6, 30));
        let (early_site, _b) = town_small(date(2025, 3, 15));
        let late = build(&late_site.enterprises, &late_site.config, date(2025, 6, 30));
        let early = build(
            &early_site.enterprises,
            &early_site.config,
            date(2025, 3, 15),
        );
        assert_eq!(early.months.len(), 7);
        assert!(early.months[6].partial);
        assert_eq!(early.months[6].end, date(2025, 3, 15));
        assert_eq!(early.town[..6], late.town[..6]);
        assert_eq!(early.enterprises[0][..6], late.enterprises[0][..6]);
        let taiping = late.of_enterprise("taiping-woodwork");
        assert_eq!(
            taiping.iter().map(|c| c.hazards_open).collect::<Vec<_>>(),
            [0, 0, 1, 1, 1, 1, 1, 1, 1, 1]
        );
        assert!(late.of_enterprise("nobody").is_empty());
        // 2025-03 up to the 15th: H2025-102 (found 03-10) is already open.
        assert_eq!(early.town[6].hazards_open, 2);
    }

    #[test]
    fn months_run_from_the_start_to_the_as_of_date() {
        let m = months(date(2024, 7, 12), date(2025, 2, 10));
        let labels: Vec<&str> = m.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12", "2025-01",
                "2025-02"
            ]
        );
        assert_eq!(
            (m[0].start, m[0].end, m[0].partial),
            (date(2024, 7, 1), date(2024, 7, 31), false)
        );
        assert_eq!(m[7].end, date(2025, 2, 10));
        assert!(m[7].partial);
        // The as-of date on a month's last day: that month is whole.
        let m = months(date(2024, 7, 12), date(2025, 2, 28));
        assert!(!m.last().unwrap().partial);
        assert!(months(date(2025, 3, 1), date(2025, 2, 28)).is_empty());
    }
}

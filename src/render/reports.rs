//! The town's index of reports (`/reports/`): the quarterly briefings and monthly reports, newest
//! first, then the evaluation reports, one section per year, each enterprise's report for that
//! year with its date, evaluator, score and verdict. A year not over by the as-of date is marked
//! as interim (中期), a quarter or month not over as 截至 the as-of date.

use serde::Serialize;

use super::enterprise::report_counts;
use super::periodic::Listed;
use super::{Ctx, Job, base_context};
use crate::model::Site;

#[derive(Serialize)]
struct Entry<'a> {
    slug: &'a str,
    name: &'a str,
    date: String,
    by: &'a str,
    percent: &'a str,
    line: f64,
    pass: bool,
    verdict: &'a str,
}

#[derive(Serialize)]
struct Year<'a> {
    year: i16,
    interim: bool,
    passed: usize,
    entries: Vec<Entry<'a>>,
}

pub(crate) fn index_job(site: &Site, quarterly: Vec<Listed>, monthly: Vec<Listed>) -> Job<'_> {
    let mut years: Vec<Year> = Vec::new();
    for e in &site.enterprises {
        let mut seen: Vec<i16> = Vec::new();
        // The year's report is its last counted evaluation (as on the enterprise's report page).
        for v in e
            .evaluations
            .iter()
            .rev()
            .filter(|v| report_counts(site, v))
        {
            let y = v.e.date.v.year();
            if seen.contains(&y) {
                continue;
            }
            seen.push(y);
            let entry = Entry {
                slug: &e.rec.slug,
                name: &e.rec.name.v,
                date: v.e.date.v.to_string(),
                by: &v.e.by,
                percent: &v.score.percent,
                line: v.score.line,
                pass: v.score.pass,
                verdict: v.score.verdict.name(),
            };
            match years.iter_mut().find(|x| x.year == y) {
                Some(x) => x.entries.push(entry),
                None => years.push(Year {
                    year: y,
                    interim: jiff::civil::Date::new(y, 12, 31).is_ok_and(|end| site.as_of < end),
                    passed: 0,
                    entries: vec![entry],
                }),
            }
        }
    }
    years.sort_by_key(|y| std::cmp::Reverse(y.year));
    for y in &mut years {
        y.entries.sort_by(|a, b| a.name.cmp(b.name));
        y.passed = y.entries.iter().filter(|e| e.pass).count();
    }
    let mut ctx = base_context(site, "reports/", "报告");
    ctx.insert("years", &years);
    ctx.insert("quarterly", &quarterly);
    ctx.insert("monthly", &monthly);
    ctx.insert("evaluators", &site.config.plan.evaluators);
    Job {
        key: "reports/".into(),
        file: "index.html".into(),
        template: "reports.html".into(),
        ctx: Ctx::Ready(ctx),
        in_sitemap: true,
        indexed: true,
    }
}

//! The periodic reports made from the month-end series: the quarterly briefing for the joint
//! meeting (`/reports/quarterly/YYYY-Qn/`: headline numbers against the previous quarter, what
//! changed, the problems for the agenda) and the monthly report sent upward
//! (`/reports/monthly/YYYY-MM/`: the month's numbers by village, department and category, with
//! an XLSX of the same tables).

use serde::Serialize;

use super::ledger::{Cell, Kind, Row, Spec, Table};
use super::views::hazard_state_text;
use super::{Ctx, Job, base_context};
use crate::model::Site;
use crate::model::quarter::{Changes, HazardAt, Quarter, changes, quarters};
use crate::model::series::{GroupSeries, Month, MonthCounts, Series};

/// A report page: in the sitemap, not in the search index (its numbers change every build).
fn report_job<'a>(key: &str, template: &str, ctx: tera::Context) -> Job<'a> {
    Job {
        key: key.to_string(),
        file: "index.html".into(),
        template: template.into(),
        ctx: Ctx::Ready(ctx),
        in_sitemap: true,
        indexed: false,
    }
}

/// The town's name as report titles start with it.
fn town_name(site: &Site) -> &str {
    if site.config.town.is_empty() {
        &site.config.title
    } else {
        &site.config.town
    }
}

/// How many rows a briefing list shows before it points at the ledger: the briefing is handed
/// out on a few A4 pages.
const LIST_MAX: usize = 15;

/// A report as the index lists it.
#[derive(Serialize)]
pub(crate) struct Listed {
    pub(crate) key: String,
    pub(crate) title: String,
    pub(crate) partial: bool,
}

/// One headline number: at the end of this period and of the one before.
#[derive(Serialize)]
struct Headline {
    label: &'static str,
    now: usize,
    prev: Option<usize>,
    /// `+3`, `−2`, `持平`, or empty without a previous period.
    change: String,
}

fn change(now: usize, prev: Option<usize>) -> String {
    match prev {
        None => String::new(),
        Some(p) if p == now => "持平".into(),
        Some(p) if now > p => format!("+{}", now - p),
        Some(p) => format!("−{}", p - now),
    }
}

/// A counts row for the quarter: states at its last month, flows summed over its months.
fn quarter_counts(counts: &[MonthCounts], q: &Quarter) -> MonthCounts {
    let mut c = counts[q.months.end - 1];
    let flows = &counts[q.months.clone()];
    c.hazards_found = flows.iter().map(|m| m.hazards_found).sum();
    c.hazards_closed = flows.iter().map(|m| m.hazards_closed).sum();
    c.evaluations = flows.iter().map(|m| m.evaluations).sum();
    c.actions = flows.iter().map(|m| m.actions).sum();
    c.contacted = flows.iter().map(|m| m.contacted).sum();
    c
}

/// A headline's label and how to read it from a quarter's counts.
type Pick = (&'static str, fn(&MonthCounts) -> usize);

/// The headline rows of a quarter against the previous one.
fn headlines(now: &MonthCounts, prev: Option<&MonthCounts>) -> Vec<Headline> {
    let rows: [Pick; 12] = [
        ("在册企业", |c| c.enterprises),
        ("已达标", |c| c.done),
        ("推进中", |c| c.progress),
        ("已逾期", |c| c.late),
        ("未销号隐患", |c| c.hazards_open),
        ("其中逾期", |c| c.hazards_overdue),
        ("其中待验收", |c| c.hazards_awaiting),
        ("其中重大", |c| c.hazards_major_open),
        ("本季新发现隐患", |c| c.hazards_found),
        ("本季销号隐患", |c| c.hazards_closed),
        ("本季评估报告", |c| c.evaluations),
        ("本季督导措施", |c| c.actions),
    ];
    rows.iter()
        .map(|(label, get)| Headline {
            label,
            now: get(now),
            prev: prev.map(get),
            change: change(get(now), prev.map(get)),
        })
        .collect()
}

#[derive(Serialize)]
struct HazardItem<'a> {
    slug: &'a str,
    enterprise: &'a str,
    id: &'a str,
    description: &'a str,
    found: String,
    deadline: String,
    state: String,
    overdue_days: i64,
}

impl<'a> HazardItem<'a> {
    fn of(h: &HazardAt<'a>) -> Self {
        HazardItem {
            slug: &h.enterprise.rec.slug,
            enterprise: &h.enterprise.rec.name.v,
            id: &h.hazard.h.id.v,
            description: &h.hazard.h.description,
            found: h.hazard.h.found.v.to_string(),
            deadline: h
                .hazard
                .h
                .deadline
                .as_ref()
                .map(|d| d.v.to_string())
                .unwrap_or_default(),
            state: hazard_state_text(h.state, h.overdue_days),
            overdue_days: h.overdue_days,
        }
    }
}

/// The first rows of a hazard list.
fn items<'a>(list: &[HazardAt<'a>]) -> Vec<HazardItem<'a>> {
    list.iter().take(LIST_MAX).map(HazardItem::of).collect()
}

/// A village or department that is behind at the quarter's end.
#[derive(Serialize)]
struct Behind<'a> {
    name: &'a str,
    enterprises: usize,
    done: usize,
    done_prev: Option<usize>,
    late: usize,
    overdue: usize,
}

/// Villages and departments with enterprises past their deadline or hazards past theirs, the
/// most behind first.
fn behind<'a>(groups: &'a [GroupSeries], q: &Quarter, prev: Option<&Quarter>) -> Vec<Behind<'a>> {
    let mut out: Vec<Behind> = groups
        .iter()
        .map(|g| {
            let c = &g.counts[q.months.end - 1];
            Behind {
                name: &g.name,
                enterprises: c.enterprises,
                done: c.done,
                done_prev: prev.map(|p| g.counts[p.months.end - 1].done),
                late: c.late,
                overdue: c.hazards_overdue,
            }
        })
        .filter(|b| b.late > 0 || b.overdue > 0)
        .collect();
    out.sort_by_key(|b| std::cmp::Reverse((b.late, b.overdue)));
    out
}

/// The problems a joint meeting should take up, each from the quarter's numbers.
fn agenda(
    site: &Site,
    now: &MonthCounts,
    c: &Changes,
    behind: &[&str],
    q: &Quarter,
) -> Vec<String> {
    let mut out = Vec::new();
    if now.late > 0 {
        out.push(format!(
            "{} 家企业已过建设期限仍未达标（已逾期），请包联村（社区）和部门逐家督促，明确达标时间。",
            now.late
        ));
    }
    if let Some(first) = c.overdue.first() {
        out.push(format!(
            "{} 项隐患已过整改期限仍未销号，最长逾期 {} 天（{} {}），请督促整改并及时验收销号。",
            c.overdue.len(),
            first.overdue_days,
            first.enterprise.rec.name.v,
            first.hazard.h.id.v
        ));
    }
    if now.hazards_major_open > 0 {
        out.push(format!(
            "{} 项重大隐患尚未销号，请逐项核实措施、责任、资金、时限和预案的落实情况。",
            now.hazards_major_open
        ));
    }
    if !c.not_contacted.is_empty() {
        out.push(format!(
            "{} 家企业本季度有月份没有联络员联系记录，请联络员补齐每月联系。",
            c.not_contacted.len()
        ));
    }
    if !behind.is_empty() {
        let names: Vec<&str> = behind.iter().take(5).copied().collect();
        out.push(format!(
            "{}{}有已逾期企业或逾期隐患，请说明原因和下一步安排。",
            names.join("、"),
            if behind.len() > 5 { " 等" } else { "" }
        ));
    }
    if let Some(d) = &site.config.deadlines {
        let next_quarter_end = q.end.saturating_add(jiff::Span::new().months(3));
        for (date, who) in [(d.high_risk, "高风险企业"), (d.all, "全部生产、仓储企业")]
        {
            if q.end < date && date <= next_quarter_end && now.progress > 0 {
                out.push(format!(
                    "{who}的建设期限 {date} 将在下季度到期，目前仍有 {} 家企业推进中。",
                    now.progress
                ));
            }
        }
    }
    out
}

/// The quarterly briefing pages, and their entries for the index.
pub(crate) fn quarterly_jobs<'a>(
    site: &'a Site,
    s: &Series,
    jobs: &mut Vec<Job<'a>>,
) -> Vec<Listed> {
    let qs = quarters(&s.months);
    let mut listed = Vec::new();
    for (i, q) in qs.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| &qs[p]);
        let now = quarter_counts(&s.town, q);
        let before = prev.map(|p| quarter_counts(&s.town, p));
        let c = changes(&site.enterprises, &site.config, &s.months, q);
        let town = town_name(site);
        let title = format!(
            "{town}双重预防机制建设 {} 年第 {} 季度联席会议简报",
            q.year, q.q
        );
        let key = format!("reports/quarterly/{}/", q.key());
        let mut ctx = base_context(site, &key, &title);
        let villages = behind(&s.villages, q, prev);
        let departments = behind(&s.departments, q, prev);
        let names: Vec<&str> = villages
            .iter()
            .chain(&departments)
            .map(|b| b.name)
            .collect();
        // Escaped here, with dates and hazard ids kept on one line.
        let agenda_html: Vec<String> = agenda(site, &now, &c, &names, q)
            .iter()
            .map(|a| super::html::escape_keep_tokens(a))
            .collect();
        ctx.insert("agenda", &agenda_html);
        ctx.insert("quarter", &q.key());
        ctx.insert("start", &q.start.to_string());
        ctx.insert("end", &q.end.to_string());
        ctx.insert("partial", &q.partial);
        ctx.insert("prev_quarter", &prev.map(Quarter::key));
        ctx.insert("headlines", &headlines(&now, before.as_ref()));
        let reached: Vec<serde_json::Value> = c
            .reached
            .iter()
            .map(|(e, on)| {
                serde_json::json!({
                    "slug": e.rec.slug, "name": e.rec.name.v,
                    "where": e.rec.village.as_ref().or(e.rec.department.as_ref()).map(|v| v.v.clone()).unwrap_or_default(),
                    "on": on.map(|d| d.to_string()).unwrap_or_default(),
                })
            })
            .collect();
        ctx.insert("reached", &reached);
        ctx.insert("new_major", &items(&c.new_major));
        ctx.insert("new_major_count", &c.new_major.len());
        ctx.insert("overdue", &items(&c.overdue));
        ctx.insert("overdue_count", &c.overdue.len());
        ctx.insert("villages_behind", &villages);
        ctx.insert("departments_behind", &departments);
        let missed: Vec<serde_json::Value> = c
            .not_contacted
            .iter()
            .take(LIST_MAX)
            .map(|(e, months)| serde_json::json!({ "slug": e.rec.slug, "name": e.rec.name.v, "months": months }))
            .collect();
        ctx.insert("not_contacted", &missed);
        ctx.insert("not_contacted_count", &c.not_contacted.len());
        ctx.insert("list_max", &LIST_MAX);
        jobs.push(report_job(&key, "quarterly.html", ctx));
        listed.push(Listed {
            key,
            title,
            partial: q.partial,
        });
    }
    listed.reverse();
    listed
}

const MONTH_COLUMNS: &[Spec] = &[
    ("名称", Kind::Text),
    ("企业数", Kind::Num),
    ("已达标", Kind::Num),
    ("推进中", Kind::Num),
    ("已逾期", Kind::Num),
    ("未销号|隐患", Kind::Num),
    ("其中|逾期", Kind::Num),
    ("其中|重大", Kind::Num),
    ("本月新发现|隐患", Kind::Num),
    ("本月销号|隐患", Kind::Num),
    ("本月|已联系", Kind::Num),
    ("本月|未联系", Kind::Num),
    ("本月|评估", Kind::Num),
    ("本月督导|措施", Kind::Num),
];

fn month_row(name: &str, c: &MonthCounts, class: &str) -> Row {
    let mut cells = vec![Cell::Text(name.to_string())];
    cells.extend(
        [
            c.enterprises,
            c.done,
            c.progress,
            c.late,
            c.hazards_open,
            c.hazards_overdue,
            c.hazards_major_open,
            c.hazards_found,
            c.hazards_closed,
            c.contacted,
            c.not_contacted,
            c.evaluations,
            c.actions,
        ]
        .map(|v| Cell::Num(v as f64)),
    );
    Row {
        slug: String::new(),
        anchor: String::new(),
        cells,
        class: class.into(),
    }
}

/// The monthly report's tables for month `i`: by village and department, and by category, each
/// closed by the town's total.
fn month_tables(s: &Series, i: usize) -> [Table; 2] {
    let total = month_row("全镇合计", &s.town[i], "total");
    let rows = |groups: &[&GroupSeries]| -> Vec<Row> {
        groups
            .iter()
            .map(|g| month_row(&g.name, &g.counts[i], ""))
            .chain(std::iter::once(total.clone()))
            .collect()
    };
    let places: Vec<&GroupSeries> = s.villages.iter().chain(&s.departments).collect();
    let categories: Vec<&GroupSeries> = s.categories.iter().collect();
    [
        Table::new("按村（社区）和部门", MONTH_COLUMNS, rows(&places)),
        Table::new("按高风险类别", MONTH_COLUMNS, rows(&categories)),
    ]
}

/// The monthly report pages and their workbooks (written to `out`), and their entries for the index.
pub(crate) fn monthly_jobs<'a>(
    site: &'a Site,
    s: &Series,
    emit: &mut dyn FnMut(String, Vec<u8>) -> anyhow::Result<()>,
    jobs: &mut Vec<Job<'a>>,
) -> anyhow::Result<Vec<Listed>> {
    let mut listed = Vec::new();
    let town = town_name(site);
    for (i, m) in s.months.iter().enumerate() {
        let Month {
            label,
            end,
            partial,
            ..
        } = m;
        let title = format!("{town}双重预防机制建设月报（{label}）");
        let key = format!("reports/monthly/{label}/");
        let tables = month_tables(s, i);
        let workbook = super::ledger::xlsx(&[&tables[0], &tables[1]], site.as_of)
            .map_err(|e| anyhow::anyhow!("无法生成月报工作簿 {key}：{e}"))?;
        let download = format!("{town}-双重预防机制月报-{label}.xlsx");
        emit(format!("{key}report.xlsx"), workbook)?;
        let mut ctx = base_context(site, &key, &title);
        let shown: Vec<serde_json::Value> = tables
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": t.name,
                    "headers": t.words,
                    "rows": t.rows.iter().map(|r| serde_json::json!({
                        "class": r.class,
                        "cells": r.cells.iter().map(Cell::text).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        ctx.insert("tables", &shown);
        ctx.insert("month", label);
        ctx.insert("end", &end.to_string());
        ctx.insert("partial", partial);
        ctx.insert("download", &download);
        jobs.push(report_job(&key, "monthly.html", ctx));
        listed.push(Listed {
            key,
            title,
            partial: *partial,
        });
    }
    listed.reverse();
    Ok(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_with_their_sign() {
        assert_eq!(change(5, Some(3)), "+2");
        assert_eq!(change(3, Some(5)), "−2");
        assert_eq!(change(4, Some(4)), "持平");
        assert_eq!(change(4, None), "");
    }
}

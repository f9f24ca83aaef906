//! Trend figures from the month-end series (`model::series`): a line chart drawn at build time with
//! the same numbers in a table behind it (`<details>`), for the dashboard, each village,
//! department and category ledger, and each enterprise page.

use std::fmt::Write;

use super::svg::{Line, Marker, lines};
use crate::load::site_config::SiteConfig;
use crate::model::dates::{month_index, month_label};
use crate::model::series::{Month, MonthCounts};
use crate::text::escape_into as esc;

/// What one line of a figure shows: its name and class, and how to read it from a month.
type Column = (&'static str, &'static str, fn(&MonthCounts) -> usize);

const STATUS: &[Column] = &[
    ("已达标", "done", |c| c.done),
    ("推进中", "progress", |c| c.progress),
    ("已逾期", "late", |c| c.late),
];

const HAZARDS: &[Column] = &[
    ("未销号", "open", |c| c.hazards_open),
    ("其中逾期", "overdue", |c| c.hazards_overdue),
    ("其中重大", "major", |c| c.hazards_major_open),
];

/// Enterprises by status at each month's end, with the plan's two deadlines marked.
pub(crate) fn status(
    who: &str,
    months: &[Month],
    counts: &[MonthCounts],
    cfg: &SiteConfig,
) -> String {
    let mut markers = Vec::new();
    if let Some(d) = &cfg.deadlines {
        for (date, label) in [(d.high_risk, "高风险企业期限"), (d.all, "全部企业期限")]
        {
            let at = month_label(month_index(date));
            if let Some(i) = months.iter().position(|m| m.label == at) {
                markers.push(Marker {
                    at: i,
                    label: label.into(),
                });
            }
        }
    }
    figure(
        &format!("{who}建设状态（月末企业数）"),
        "企业数",
        months,
        counts,
        STATUS,
        &markers,
    )
}

/// Open hazards at each month's end, and of them the overdue and the major ones.
pub(crate) fn hazards(who: &str, months: &[Month], counts: &[MonthCounts]) -> String {
    figure(
        &format!("{who}未销号隐患（月末）"),
        "隐患数",
        months,
        counts,
        HAZARDS,
        &[],
    )
}

/// One enterprise's open and overdue hazards at each month's end (a small chart on its page).
pub(crate) fn enterprise_hazards(months: &[Month], counts: &[MonthCounts]) -> String {
    figure(
        "本企业未销号隐患（月末）",
        "隐患数",
        months,
        counts,
        &HAZARDS[..2],
        &[],
    )
}

/// A chart and its table. Nothing when the series is empty (no plan start in site.toml).
fn figure(
    title: &str,
    unit: &str,
    months: &[Month],
    counts: &[MonthCounts],
    columns: &[Column],
    markers: &[Marker],
) -> String {
    if months.is_empty() || counts.len() != months.len() {
        return String::new();
    }
    let labels: Vec<String> = months.iter().map(|m| m.label.clone()).collect();
    let chart_lines: Vec<Line> = columns
        .iter()
        .map(|(name, class, get)| Line {
            name: (*name).into(),
            class,
            values: counts.iter().map(get).collect(),
        })
        .collect();
    // The caption comes first: a figure's caption must be its first or last child.
    let mut out = String::from("<figure class=\"trend\"><figcaption>");
    esc(&mut out, title);
    let last = &months[months.len() - 1];
    let _ = write!(
        out,
        "，<span class=\"nowrap\">{}</span> 至 <span class=\"nowrap\">{}</span>",
        months[0].label, last.label
    );
    if last.partial {
        let _ = write!(out, "（截至 <span class=\"nowrap\">{}</span>）", last.end);
    }
    out.push_str("</figcaption>");
    out.push_str(&lines(title, &labels, &chart_lines, markers));
    out.push_str("<details class=\"chart-data\"><summary>数据表</summary><div class=\"table-scroll\" tabindex=\"0\"><table class=\"data-table trend-table\"><caption>");
    esc(&mut out, title);
    let _ = write!(
        out,
        "（{unit}）</caption><thead><tr><th scope=\"col\">月份</th>"
    );
    for (name, _, _) in columns {
        let _ = write!(out, "<th scope=\"col\">{name}</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for (m, c) in months.iter().zip(counts) {
        let _ = write!(out, "<tr><th scope=\"row\" class=\"nowrap\">{}", m.label);
        if m.partial {
            let _ = write!(out, "<small>（截至 {}）</small>", m.end);
        }
        out.push_str("</th>");
        for (_, _, get) in columns {
            let _ = write!(out, "<td class=\"num\">{}</td>", get(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div></details></figure>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_table_behind_the_chart_holds_every_month() {
        let months = crate::model::series::months(date(2024, 11, 5), date(2025, 1, 20));
        let counts = vec![
            MonthCounts {
                hazards_open: 2,
                hazards_overdue: 1,
                ..Default::default()
            },
            MonthCounts {
                hazards_open: 3,
                ..Default::default()
            },
            MonthCounts::default(),
        ];
        let html = hazards("全镇", &months, &counts);
        assert!(html.contains("<title>全镇未销号隐患（月末）</title>"));
        assert!(html.contains(
            "，<span class=\"nowrap\">2024-11</span> 至 <span class=\"nowrap\">2025-01</span>（截至 <span class=\"nowrap\">2025-01-20</span>）</figcaption>"
        ));
        assert!(html.contains(
            "<tr><th scope=\"row\" class=\"nowrap\">2024-11</th><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">0</td></tr>"
        ));
        assert!(html.contains("2025-01<small>（截至 2025-01-20）</small>"));
        assert!(hazards("全镇", &[], &[]).is_empty());
    }
}

//! Progress over time on the built site: the month-end tables behind the trend charts of the
//! dashboard and of the village ledgers, for `tests/fixtures/town-small` with its plan starting
//! 2024-09-01, against numbers worked out by hand from the three records (the reasoning is in
//! `src/model/series.rs`, `town_small_month_by_month`); and an earlier as-of date gives the same
//! numbers for the months before it.

use crate::common::*;

/// town-small with `[plan] issued = 2024-09-01`.
fn planned_site() -> Site {
    let s = site("town-small");
    let toml = s.root.join("data/site.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n[plan]\nissued = 2024-09-01\n")).unwrap();
    s
}

/// The rows of every trend table on a page, in page order: (month cell text, numbers).
fn trend_tables(html: &str) -> Vec<Vec<(String, Vec<usize>)>> {
    html.split("<table class=\"data-table trend-table\">")
        .skip(1)
        .map(|t| {
            let body =
                &t[t.find("<tbody>").expect("tbody") + 7..t.find("</tbody>").expect("/tbody")];
            body.split("<tr>")
                .filter(|r| !r.is_empty())
                .map(|r| {
                    let month = page_text(&r[..r.find("</th>").unwrap()]);
                    let nums = r
                        .split("<td class=\"num\">")
                        .skip(1)
                        .map(|c| c[..c.find("</td>").unwrap()].parse().unwrap())
                        .collect();
                    (month.trim().to_string(), nums)
                })
                .collect()
        })
        .collect()
}

fn months(table: &[(String, Vec<usize>)]) -> Vec<&str> {
    table.iter().map(|(m, _)| m.as_str()).collect()
}

fn column(table: &[(String, Vec<usize>)], k: usize) -> Vec<usize> {
    table.iter().map(|(_, n)| n[k]).collect()
}

#[test]
fn dashboard_and_village_trends_match_the_records_month_by_month() {
    let s = planned_site();
    s.build(&["--quiet"]).ok();
    let home = read(&s.out(), "index.html");
    let tables = trend_tables(&home);
    assert_eq!(tables.len(), 2, "a status table and a hazard table");
    let (status, hazards) = (&tables[0], &tables[1]);
    assert_eq!(
        months(status),
        [
            "2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03", "2025-04",
            "2025-05", "2025-06"
        ]
    );
    // 已达标 / 推进中 / 已逾期
    assert_eq!(column(status, 0), [0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    assert_eq!(column(status, 1), [3, 3, 3, 2, 1, 1, 1, 1, 1, 1]);
    assert_eq!(column(status, 2), [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    // 未销号 / 其中逾期 / 其中重大
    assert_eq!(column(hazards, 0), [0, 0, 1, 1, 1, 1, 2, 2, 2, 6]);
    assert_eq!(column(hazards, 1), [0, 0, 0, 1, 1, 1, 1, 1, 2, 4]);
    assert_eq!(column(hazards, 2), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    // The chart names itself, and marks the high-risk deadline (2024-12).
    assert!(
        home.contains("<title>全镇建设状态（月末企业数）</title>"),
        "chart title"
    );
    assert!(home.contains(">高风险企业期限</text>"));

    // 太平村 is taiping-woodwork alone: late from 2025-01; its one hazard open from 2024-11.
    let village = read(&s.out(), &format!("ledger/village/{}/index.html", "太平村"));
    let v = trend_tables(&village);
    assert_eq!(column(&v[0], 2), [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    assert_eq!(column(&v[1], 0), [0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert!(village.contains("<title>太平村建设状态（月末企业数）</title>"));
}

#[test]
fn an_earlier_as_of_date_gives_the_same_months_before_it() {
    let s = planned_site();
    s.build(&["--quiet"]).ok();
    let early_out = s.tmp_path("early");
    run(&[
        a("build"),
        a("--root"),
        a(&s.root),
        a("--out"),
        a(&early_out),
        a("--as-of"),
        a("2025-03-15"),
        a("--quiet"),
    ])
    .ok();
    let late = trend_tables(&read(&s.out(), "index.html"));
    let early = trend_tables(&read(&early_out, "index.html"));
    for (l, e) in late.iter().zip(&early) {
        assert_eq!(e.len(), 7, "2024-09 … 2025-03");
        assert_eq!(
            e[..6],
            l[..6],
            "the whole months before the earlier as-of date"
        );
        assert_eq!(e[6].0, "2025-03（截至 2025-03-15）");
    }
}

#[test]
fn no_plan_start_no_trends() {
    let s = site("town-small");
    s.build(&["--quiet"]).ok();
    let home = read(&s.out(), "index.html");
    assert!(!home.contains("trend-table") && !home.contains("逐月进展"));
}

/// The rows of the headline table: (label, this quarter, previous quarter, change).
fn headlines(html: &str) -> Vec<(String, String, String, String)> {
    let t = &html[html.find("headline-table").expect("headline table")..];
    let body = &t[t.find("<tbody>").unwrap() + 7..t.find("</tbody>").unwrap()];
    body.split("<tr>")
        .filter(|r| !r.is_empty())
        .map(|r| {
            let cells: Vec<String> = r
                .split("</t")
                .filter_map(|c| {
                    c.rfind('>')
                        .map(|i| page_text(&c[i + 1..]).trim().to_string())
                })
                .collect();
            (
                cells[0].clone(),
                cells[1].clone(),
                cells[2].clone(),
                cells[3].clone(),
            )
        })
        .collect()
}

/// 2025-Q2 of town-small, worked out by hand (the months are in `dashboard_and_village_trends…`):
/// at 2025-06-30 against 2025-03-31 — enterprises 3/3, done 1/1, in progress 1/1, late 1/1, open
/// hazards 6/2, overdue 4/1, awaiting 2/0, major 1/1; found in the quarter 4 (all in June) against
/// 2 in Q1 (H2025-202, H2025-102), closed 0 against 1, no evaluations or actions in either.
#[test]
fn quarterly_briefing_compares_with_the_previous_quarter_and_lists_what_changed() {
    let s = planned_site();
    s.build(&["--quiet"]).ok();
    let html = read(&s.out(), "reports/quarterly/2025-Q2/index.html");
    let rows = headlines(&html);
    let got: Vec<(&str, &str, &str, &str)> = rows
        .iter()
        .map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("在册企业", "3", "3", "持平"),
            ("已达标", "1", "1", "持平"),
            ("推进中", "1", "1", "持平"),
            ("已逾期", "1", "1", "持平"),
            ("未销号隐患", "6", "2", "+4"),
            ("其中逾期", "4", "1", "+3"),
            ("其中待验收", "2", "0", "+2"),
            ("其中重大", "1", "1", "持平"),
            ("本季新发现隐患", "4", "2", "+2"),
            ("本季销号隐患", "0", "1", "−1"),
            ("本季评估报告", "0", "0", "持平"),
            ("本季督导措施", "0", "0", "持平"),
        ]
    );
    let text = page_text(&html);
    // Overdue at the quarter's end, longest first: H2024-201 197 days, H2025-102 41, H2025-103
    // (rectified, not accepted) 5, H2025-105 1.
    let order: Vec<usize> = ["H2024-201", "H2025-102", "H2025-103", "H2025-105"]
        .iter()
        .map(|id| text.find(id).unwrap_or_else(|| panic!("{id} listed")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert!(text.contains("季度末逾期的隐患（4 项）"));
    assert!(text.contains("逾期 197 天") && text.contains("待验收（逾期 5 天）"));
    // No new 重大 hazard in Q2 (H2025-102 was found in Q1); nobody reached 已达标 in Q2.
    assert!(text.contains("本季度新发现的重大隐患（0 项）"));
    assert!(text.contains("本季度达标的企业（0 家）"));
    // Months without a contact: qiaotou June, yingji April; taiping every month.
    assert!(text.contains("本季度有月份未联系的企业（2 家）"));
    assert!(text.contains("小测试镇桥头示例铸造有限公司：2025-06 未联系"));
    assert!(text.contains("小测试镇示例物流仓储有限公司：2025-04 未联系"));
    // Behind: 太平村 (one late enterprise, one overdue hazard) before 新桥社区 (three overdue).
    let (t, x) = (
        text.find("太平村").unwrap(),
        text.rfind("新桥社区").unwrap(),
    );
    assert!(t < x);
    // The agenda quotes the numbers.
    assert!(text.contains("1 家企业已过建设期限仍未达标"), "{text}");
    assert!(text.contains(
        "4 项隐患已过整改期限仍未销号，最长逾期 197 天（小测试镇太平示例木业有限公司 H2024-201）"
    ));
    assert!(text.contains("1 项重大隐患尚未销号"));

    // 2024-Q4: qiaotou reached 已达标 with its evaluation of 2024-12-20.
    let q4 = page_text(&read(&s.out(), "reports/quarterly/2024-Q4/index.html"));
    assert!(q4.contains("本季度达标的企业（1 家）"));
    assert!(q4.contains("小测试镇桥头示例铸造有限公司（新桥社区），2024-12-20 评估合格"));

    // The index lists every quarter and month, newest first.
    let index = read(&s.out(), "reports/index.html");
    let quarters: Vec<usize> = ["2025-Q2", "2025-Q1", "2024-Q4", "2024-Q3"]
        .iter()
        .map(|k| index.find(&format!("reports/quarterly/{k}/")).unwrap())
        .collect();
    assert!(quarters.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        index.matches("reports/monthly/").count() / 2,
        10,
        "a page and a workbook link per month"
    );
}

/// The monthly report's workbook for 2025-06: one sheet per table, the same numbers as the page;
/// 新桥社区 is qiaotou alone (open H2025-101, -102, -103, -105, of which -102, -103, -105 overdue;
/// three found in June; no June contact).
#[test]
fn monthly_report_and_its_workbook() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let s = planned_site();
    s.build(&["--quiet"]).ok();
    let dir = s.out().join("reports/monthly/2025-06");
    let mut wb: Xlsx<_> = open_workbook(dir.join("report.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["按村（社区）和部门", "按高风险类别"]);
    let range = wb.worksheet_range("按村（社区）和部门").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(rows[0][0], "名称");
    assert_eq!(rows[0][13], "本月督导措施");
    let row = |name: &str| rows.iter().find(|r| r[0] == name).unwrap().join(" ");
    assert_eq!(row("新桥社区"), "新桥社区 1 1 0 0 4 3 1 3 0 0 1 0 0");
    assert_eq!(
        row("镇应急管理办公室"),
        "镇应急管理办公室 1 0 1 0 1 0 0 1 0 1 0 0 0"
    );
    assert_eq!(row("全镇合计"), "全镇合计 3 1 1 1 6 4 1 4 0 2 1 0 0");
    let page = read(&s.out(), "reports/monthly/2025-06/index.html");
    let cells: String = [
        "1", "1", "0", "0", "4", "3", "1", "3", "0", "0", "1", "0", "0",
    ]
    .map(|n| format!("<td class=\"num\">{n}</td>"))
    .concat();
    assert!(
        page.contains(&format!("<th scope=\"row\">新桥社区</th>{cells}")),
        "{page}"
    );
}

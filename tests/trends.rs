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

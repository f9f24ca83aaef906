//! The site follows the town plan's rules. Each test edits a copy of
//! `tests/fixtures/town-small` (as-of 2025-06-30, deadlines 2024-12-31 / 2025-12-31) and checks the
//! built pages against expectations worked out by hand in the comments:
//! - a passing evaluation counts whoever made it (自评 included) unless site.toml names evaluators;
//!   passing after the deadline is 已达标（逾期完成）; every enterprise page says why;
//! - an enterprise named as `landlord` by a 厂中厂 record is high-risk (出租方), both pages link;
//!   a landlord with no record is listed on the dashboard;
//! - more than two demonstration enterprises, or two warehouse ones, is a warning at the flag;
//! - `{{ stat(…) }}` in prose counts from the records on the date it names;
//! - the year report of a year not over is interim, lists only what had happened by its date and
//!   gives the standard's deduction rule for each lost point; `/reports/` indexes them by year.

use crate::common::*;

const Q: &str = "data/enterprises/qiaotou-foundry.toml";
const T: &str = "data/enterprises/taiping-woodwork.toml";
const Y: &str = "data/enterprises/yingji-warehouse.toml";
const YINGJI: &str = "小测试镇示例物流仓储有限公司";

#[track_caller]
fn append(s: &Site, rel: &str, text: &str) {
    let p = s.root.join(rel);
    let mut src = std::fs::read_to_string(&p).unwrap();
    src.push_str(text);
    std::fs::write(&p, src).unwrap();
}

/// A 自评 of `slug`'s standard with every scored item at full points, read from the fixture's
/// standard with the `toml` crate (not with dualprev): 100.0 %.
fn full_marks_self_evaluation(s: &Site, date: &str) -> String {
    let std: toml::Table = toml::from_str(
        &std::fs::read_to_string(s.root.join("data/standards/small-micro.toml")).unwrap(),
    )
    .unwrap();
    let mut out = format!(
        "\n[[evaluations]]\ndate = {date}\nstandard = \"small-micro\"\nby = \"自评\"\n[evaluations.scores]\n"
    );
    for c in std["categories"].as_array().unwrap() {
        for it in c["items"].as_array().unwrap() {
            if it.get("veto").and_then(|v| v.as_bool()) == Some(true) {
                continue;
            }
            out.push_str(&format!(
                "\"{}\" = {}\n",
                it["id"].as_str().unwrap(),
                it["points"].as_integer().unwrap()
            ));
        }
    }
    out
}

/// The text of the element opening at the first `marker` (up to its closing `</p>`).
fn para(html: &str, marker: &str) -> String {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker:?} in the page"));
    let at = html[..at].rfind('<').unwrap_or(at);
    let end = html[at..].find("</p>").map_or(html.len(), |e| at + e);
    page_text(&html[at..end])
}

fn build(s: &Site) -> (std::path::PathBuf, Run) {
    let r = s.build(&[]);
    r.ok();
    (s.out(), r)
}

/// [count, 已达标, 推进中, 已逾期] of the dashboard's row `name` in the table with `caption`.
fn dashboard_row(html: &str, caption: &str, name: &str) -> [usize; 4] {
    let at = html
        .find(&format!("<caption>{caption}</caption>"))
        .unwrap_or_else(|| panic!("no table {caption}"));
    let end = html[at..].find("</table>").unwrap() + at;
    let table = &html[at..end];
    let row_at = table
        .find(&format!(">{name}</a>"))
        .unwrap_or_else(|| panic!("no row {name} in {caption}"));
    let row_end = table[row_at..].find("</tr>").unwrap() + row_at;
    let cells: Vec<usize> = table[row_at..row_end]
        .split("<td")
        .skip(1)
        .take(4)
        .map(|c| page_text(&format!("<td{c}")).trim().parse().unwrap())
        .collect();
    [cells[0], cells[1], cells[2], cells[3]]
}

#[test]
fn self_evaluation_counts_and_late_completion_is_said() {
    let s = site("town-small");
    // taiping-woodwork (粉尘涉爆, deadline 2024-12-31) failed the town's evaluation on 2024-12-18;
    // it evaluates itself at full marks on 2025-02-01: passed, after its deadline.
    append(&s, T, &full_marks_self_evaluation(&s, "2025-02-01"));
    let (out, _) = build(&s);
    let page = read(&out, "enterprises/taiping-woodwork/index.html");
    // The status word carries its colour class (late completion is coloured as done).
    assert!(page.contains("<span class=\"status status-done\">已达标（逾期完成）</span>"));
    assert!(
        para(&page, "class=\"deadline\"").ends_with("已达标（逾期完成）"),
        "{}",
        para(&page, "class=\"deadline\"")
    );
    assert_eq!(
        para(&page, "class=\"status-reason\""),
        "2025-02-01 的企业自评得分率 100.0%，达到合格线 60%，晚于建设期限 2024-12-31，因此已达标（逾期完成）。 状态怎么判定"
    );
    // qiaotou-foundry passed the town's evaluation (2024-12-20) before its deadline.
    let q = read(&out, "enterprises/qiaotou-foundry/index.html");
    assert!(
        para(&q, "class=\"status-reason\"").contains("在建设期限 2024-12-31 之前，因此已达标。"),
        "{}",
        para(&q, "class=\"status-reason\"")
    );
    // yingji-warehouse: no evaluation, deadline 2025-12-31 not reached.
    let y = read(&out, "enterprises/yingji-warehouse/index.html");
    assert_eq!(
        para(&y, "class=\"status-reason\""),
        "建设期限为 2025-12-31，还没有合格的评估（还没有评估报告），因此推进中。 状态怎么判定"
    );
    // Dashboard: late completion counts as 已达标; the legend defines the three statuses.
    let home = read(&out, "index.html");
    assert_eq!(dashboard_row(&home, "按企业类型", "生产"), [2, 2, 0, 0]);
    assert_eq!(dashboard_row(&home, "按企业类型", "仓储"), [1, 0, 1, 0]);
    let legend = page_text(&home[home.find("id=\"status-rules\"").unwrap()..]);
    for word in [
        "已达标有一次合格的评估（企业自评或评估机构评估均可）",
        "推进中建设期限未到",
        "已逾期建设期限已过，仍没有合格的评估",
    ] {
        assert!(legend.contains(word), "legend lacks {word:?}");
    }
    // The ledger's status column holds the status word.
    let csv = read(&out, "ledger/ledger.csv");
    let row = csv
        .lines()
        .find(|l| l.contains("小测试镇太平示例木业有限公司"))
        .unwrap();
    assert!(row.contains(",已达标（逾期完成）,"), "{row}");

    // The 2025 report is interim: dated 2025-02-01, it lists H2024-201 (due 2024-12-15, open:
    // 48 days late on 02-01) and not H2025-202 (found 02-03). Full marks: no deductions.
    let r = read(&out, "enterprises/taiping-woodwork/report-2025/index.html");
    let t = page_text(&r);
    assert!(
        t.contains("2025 年度双重预防机制建设运行评估报告（中期）"),
        "{t}"
    );
    assert!(t.contains("H2024-201") && t.contains("逾期 48 天"), "{t}");
    assert!(
        !t.contains("H2025-202"),
        "a hazard found after the report's date: {t}"
    );
    assert!(t.contains("扣分情况 没有扣分项。"), "{t}");
    assert!(
        t.contains("联络员（签收）"),
        "reports go to the liaison: {t}"
    );
    // The 2024 report (镇评估组, 2024-12-18) gives the standard's rule for each lost point:
    // item 1.1 is worth 5 and got 3.
    let std: toml::Table = toml::from_str(
        &std::fs::read_to_string(s.root.join("data/standards/small-micro.toml")).unwrap(),
    )
    .unwrap();
    let rule = std["categories"][0]["items"][0]["deduction"]
        .as_str()
        .unwrap()
        .to_string();
    let r = read(&out, "enterprises/taiping-woodwork/report-2024/index.html");
    let at = r
        .find("class=\"data-table deductions")
        .expect("deductions table");
    let table = page_text(&r[at..at + r[at..].find("</table>").unwrap()]);
    assert!(
        table.contains(&format!(
            "1.1{}2{}",
            requirement(&std, 0, 0),
            page_text(&rule)
        )),
        "{table}"
    );
    assert!(!page_text(&r).contains("（中期）"), "2024 is over");
    // The town index lists both years, 2025 first and marked interim.
    let idx = page_text(&read(&out, "reports/index.html"));
    let y25 = idx
        .find("2025 年度（中期，年度尚未结束）")
        .expect("2025 section");
    let y24 = idx.find("2024 年度 ").expect("2024 section");
    assert!(y25 < y24, "{idx}");
    assert!(
        idx[y24..].contains("小测试镇桥头示例铸造有限公司")
            && idx[y24..].contains("小测试镇太平示例木业有限公司")
    );
}

fn requirement(std: &toml::Table, c: usize, i: usize) -> String {
    page_text(
        std["categories"][c]["items"][i]["requirement"]
            .as_str()
            .unwrap(),
    )
}

#[test]
fn named_evaluators_leave_self_evaluation_out() {
    let s = site("town-small");
    append(&s, T, &full_marks_self_evaluation(&s, "2025-02-01"));
    replace_once(
        &s,
        "data/site.toml",
        "[deadlines]",
        "[plan]\nevaluators = [\"镇评估组\"]\n\n[deadlines]",
    );
    let (out, _) = build(&s);
    let page = read(&out, "enterprises/taiping-woodwork/index.html");
    assert!(para(&page, "class=\"deadline\"").ends_with("已逾期"));
    assert_eq!(
        para(&page, "class=\"status-reason\""),
        "建设期限 2024-12-31 已过，还没有合格的评估（最近一次是 2025-02-01 的企业自评，按本镇规定不计入（只认可镇评估组的评估）），因此已逾期。 状态怎么判定"
    );
    let home = read(&out, "index.html");
    assert!(page_text(&home).contains("企业自评不计；只认可镇评估组的评估"));
    // No 2025 report: the only 2025 evaluation does not count.
    assert!(
        !out.join("enterprises/taiping-woodwork/report-2025")
            .exists()
    );
    assert!(!page_text(&read(&out, "reports/index.html")).contains("2025 年度"));
}

#[test]
fn an_evaluation_that_does_not_count_is_not_a_year_end_submission() {
    // The dashboard's deadline table: the cells of one group's row.
    fn row(home: &str, group: &str) -> Vec<String> {
        let start = home
            .find(&format!("class=\"group-name\">{group}</th>"))
            .unwrap_or_else(|| panic!("no row for {group}"));
        let end = start + home[start..].find("</tr>").unwrap();
        home[start..end]
            .split("<td")
            .skip(1)
            .map(|c| page_text(&format!("<td{c}")))
            .collect()
    }
    let named = |with_self_evaluation: bool| {
        let s = site("town-small");
        if with_self_evaluation {
            // taiping is high-risk (deadline 2024-12-31): a 自评 in the deadline year, in time.
            append(&s, T, &full_marks_self_evaluation(&s, "2024-11-01"));
        }
        // Only an evaluator no record names counts, so no evaluation in the fixture does.
        replace_once(
            &s,
            "data/site.toml",
            "[deadlines]",
            "[plan]\nevaluators = [\"县评估机构\"]\n\n[deadlines]",
        );
        let (out, _) = build(&s);
        row(&read(&out, "index.html"), "高风险企业")
    };
    let (before, after) = (named(false), named(true));
    // Columns: deadline, count, evaluated, passed, passed on time, submitted by year end.
    assert_eq!(before.len(), 6, "{before:?}");
    assert_eq!(
        before[5], "0",
        "nothing counts, so nothing was submitted: {before:?}"
    );
    assert_eq!(
        after, before,
        "a 自评 that does not count changes no column"
    );
}

#[test]
fn a_lessor_is_high_risk_and_both_pages_link() {
    let s = site("town-small");
    // Before: yingji-warehouse has no category, deadline 2025-12-31, 推进中.
    let (out, _) = build(&s);
    let y = read(&out, "enterprises/yingji-warehouse/index.html");
    assert!(para(&y, "class=\"deadline\"").contains("2025-12-31（其他企业）：推进中"));
    assert!(y.contains("<span class=\"status status-progress\">推进中</span>"));

    let s = site("town-small");
    replace_once(
        &s,
        T,
        "high_risk = [\"粉尘涉爆\"]",
        &format!("high_risk = [\"粉尘涉爆\", \"厂中厂\"]\nlandlord = \"{YINGJI}\""),
    );
    replace_once(
        &s,
        Q,
        "landlord = \"\"",
        "landlord = \"小测试镇未建档示例物业公司\"",
    );
    let (out, _) = build(&s);
    // yingji-warehouse lets space to taiping-woodwork: high-risk deadline 2024-12-31 has passed
    // with no evaluation → 已逾期.
    let y = read(&out, "enterprises/yingji-warehouse/index.html");
    assert!(y.contains("<span class=\"status status-late\">已逾期</span>"));
    assert!(
        para(&y, "class=\"deadline\"").contains("2024-12-31（高风险企业）：已逾期"),
        "{}",
        para(&y, "class=\"deadline\"")
    );
    assert!(y.contains("<span class=\"badge badge-risk\">厂中厂（出租方）</span>"));
    assert!(
        y.contains(
            "<a href=\"../../enterprises/taiping-woodwork/\">小测试镇太平示例木业有限公司</a>"
        ),
        "the lessor lists its tenant"
    );
    let t = read(&out, "enterprises/taiping-woodwork/index.html");
    assert!(
        t.contains(&format!(
            "<a href=\"../../enterprises/yingji-warehouse/\">{YINGJI}</a>"
        )),
        "the tenant links its lessor"
    );
    let q = read(&out, "enterprises/qiaotou-foundry/index.html");
    assert!(page_text(&q).contains("小测试镇未建档示例物业公司（未建档，不属于本站企业）"));
    // Dashboard: 厂中厂 holds tenant and lessor; nobody is left outside the high-risk group.
    let home = read(&out, "index.html");
    assert_eq!(dashboard_row(&home, "按高风险类别", "厂中厂"), [2, 0, 0, 2]);
    assert_eq!(
        dashboard_row(&home, "按高风险类别", "不涉及高风险类别"),
        [0, 0, 0, 0]
    );
    let landlords = page_text(&home[home.find("id=\"h-landlords\"").expect("outside landlords")..]);
    assert!(
        landlords.contains("小测试镇未建档示例物业公司：承租企业 小测试镇桥头示例铸造有限公司"),
        "{landlords}"
    );
    // The category ledger and its CSV agree.
    let ledger = read(&out, "ledger/category/厂中厂/ledger.csv");
    assert_eq!(ledger.lines().count(), 3, "header and two rows:\n{ledger}");
}

#[test]
fn more_than_two_demonstration_enterprises_or_two_warehouses_warn_at_the_flag() {
    let s = site("town-small");
    replace_once(&s, Q, "demonstration = false", "demonstration = true");
    replace_once(
        &s,
        T,
        "high_risk = [\"粉尘涉爆\"]",
        "high_risk = [\"粉尘涉爆\"]\ndemonstration = true",
    );
    replace_once(
        &s,
        Y,
        "high_risk = []",
        "high_risk = []\ndemonstration = true",
    );
    let r = s.check();
    // Three flagged; the one past the second (in file order: yingji-warehouse, line 12) warns.
    assert_warning(
        &r.stderr,
        "全镇标记了 3 家示范企业（小测试镇桥头示例铸造有限公司、小测试镇太平示例木业有限公司、小测试镇示例物流仓储有限公司），实施方案要求最多 2 家",
        &format!("{Y}:12:17"),
        "demonstration = true",
    );
    assert_eq!(r.stderr.matches("示范企业").count(), 2, "{}", r.stderr);

    let s = site("town-small");
    replace_once(&s, Q, "kind = \"生产\"", "kind = \"仓储\"");
    replace_once(&s, Q, "demonstration = false", "demonstration = true");
    replace_once(
        &s,
        Y,
        "high_risk = []",
        "high_risk = []\ndemonstration = true",
    );
    let r = s.check();
    assert_warning(
        &r.stderr,
        "仓储类示范企业有 2 家，实施方案只要求 1 家",
        &format!("{Y}:12:17"),
        "demonstration = true",
    );
    assert!(!r.stderr.contains("全镇标记了"), "{}", r.stderr);
}

#[test]
fn stat_in_prose_counts_from_the_records_on_its_date() {
    let s = site("town-small");
    s.write(
        "content/progress.md",
        "+++\ntitle = \"进度\"\n+++\n\n\
         截至月底未销号隐患 {{ stat(name=\"hazards_open\") }} 项，其中逾期 {{ stat(name=\"hazards_late\") }} 项。\n\n\
         - 6 月 1 日：未销号 {{ stat(name=\"hazards_open\", on=\"2025-06-01\") }} 项，逾期 {{ stat(name=\"hazards_late\", on=\"2025-06-01\") }} 项；\n\
         - 高风险企业 {{ stat(name=\"enterprises\", group=\"高风险企业\") }} 家，已逾期 {{ stat(name=\"late\", group=\"高风险企业\") }} 家。\n\
         - 6 月 28 日：待验收 {{ stat(name=\"hazards_awaiting\", on=\"2025-06-28\") }} 项，其中过期未验收 {{ stat(name=\"hazards_awaiting_overdue\", on=\"2025-06-28\") }} 项。\n",
    );
    let (out, _) = build(&s);
    let t = page_text(&read(&out, "progress/index.html"));
    // 2025-06-30: qiaotou 101, 102, 103, 105 and taiping 201, yingji 301 are not closed; 102,
    // 103 (due 06-25), 105 (due 06-29) and 201 are past their deadline.
    assert!(
        t.contains("截至月底未销号隐患 6 项，其中逾期 4 项。"),
        "{t}"
    );
    // 2025-06-01: only qiaotou 102 (found 03-10, due 05-20) and taiping 201 had been found and
    // were still open, both late. High-risk: qiaotou and taiping; taiping failed → 已逾期.
    assert!(t.contains("6 月 1 日：未销号 2 项，逾期 2 项；"), "{t}");
    assert!(t.contains("高风险企业 2 家，已逾期 1 家。"), "{t}");
    // 2025-06-28: qiaotou 103 (rectified 06-20, due 06-25) is past its deadline unaccepted;
    // 105 (rectified 06-28, due 06-29) is waiting but not late.
    assert!(
        t.contains("6 月 28 日：待验收 2 项，其中过期未验收 1 项。"),
        "{t}"
    );

    s.write(
        "content/progress.md",
        "+++\ntitle = \"进度\"\n+++\n\n共 {{ stat(name=\"hazard_open\") }} 项。\n",
    );
    let r = s.check();
    assert_diagnostic(
        &r.stderr,
        "stat 的 name“hazard_open”未知",
        "content/progress.md:5:3",
        "共 {{ stat(name=\"hazard_open\") }} 项。",
    );
}

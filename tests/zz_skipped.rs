//! The end of the test run: what was skipped and why. Cargo runs the integration tests in name
//! order, so this one comes last; the groups that skipped (no Chromium, no Nu checker…) recorded
//! themselves through `common::skip_group` in a file kept for this `cargo test` run.
//! With `DUALPREV_REQUIRE_BROWSER=1` nothing may have been skipped.

mod common;

use std::io::Write;

#[test]
fn summary_of_skipped_groups() {
    let log = common::skip_log();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    let mut groups: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    groups.sort();
    groups.dedup();
    let bar = "=".repeat(88);
    let msg = if groups.is_empty() {
        format!("\n{bar}\n测试小结：没有跳过任何测试组。\n{bar}\n")
    } else {
        let lines: Vec<String> = groups
            .iter()
            .map(|l| {
                let (group, why) = l.split_once('\t').unwrap_or((l, ""));
                format!("!!!   {group}：{why}")
            })
            .collect();
        format!(
            "\n{bar}\n!!! 测试小结：本次运行跳过了 {} 个测试组（它们“通过”只是因为没有运行）：\n{}\n{bar}\n",
            groups.len(),
            lines.join("\n")
        )
    };
    // Straight to stderr: the harness would capture eprintln! and hide it.
    let _ = std::io::stderr().write_all(msg.as_bytes());
    if std::env::var("DUALPREV_REQUIRE_BROWSER").as_deref() == Ok("1") {
        assert!(groups.is_empty(), "skipped although required:\n{text}");
    }
}

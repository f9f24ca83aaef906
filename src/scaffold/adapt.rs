//! The repository's handbook and standards are written for 连山镇, the town this repository is the
//! site of. A new town gets them with Lianshan's name taken out: a few exact replacements, each of
//! which must still match (the tests fail when the handbook changes under them), after which no
//! embedded file may name 连山 or any of Lianshan's villages, departments or liaisons. The legal
//! citations are not touched: only the row of sources.md that cites Lianshan's own plan changes.

use std::borrow::Cow;

/// `(file, or "*" for every file; Lianshan's text; the new town's text)`, applied in order.
const RULES: &[(&str, &str, &str)] = &[
    // The town's own plan, in the handbook's table of sources: the new town's plan is its own,
    // named on its plan page (from data/site.toml's [plan]).
    (
        "content/handbook/sources.md",
        "| 《加强连山镇工贸企业安全风险分级管控和隐患排查治理双重预防机制建设实施方案》 | 广汉市连山镇人民政府印发 | 2024-07-12 |",
        "| [本镇实施方案](@/plan.md)：本镇工贸企业安全风险分级管控和隐患排查治理双重预防机制建设实施方案 | 本镇人民政府印发 | 以本镇印发的文件为准 |",
    ),
    // The small/micro manual's example workshop is fictional, but it stood in a Lianshan village.
    ("content/handbook/small-micro/_index.md", "位于石桥村，", ""),
    ("*", "连山镇镇安办", "镇安办"),
    ("*", "连山示例", "示例"),
    ("*", "连山镇", "本镇"),
];

/// The text of an embedded file as a new town gets it. Only text files change.
pub(super) fn for_new_town<'a>(rel: &str, bytes: &'a [u8]) -> Cow<'a, [u8]> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Cow::Borrowed(bytes);
    };
    let mut out = Cow::Borrowed(text);
    for (file, from, to) in RULES {
        if (*file == "*" || *file == rel) && out.contains(from) {
            out = Cow::Owned(out.replace(from, to));
        }
    }
    match out {
        Cow::Borrowed(_) => Cow::Borrowed(bytes),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::embedded::{HANDBOOK, STANDARDS};
    use super::{RULES, for_new_town};

    fn adapted() -> Vec<(&'static str, String)> {
        HANDBOOK
            .iter()
            .chain(STANDARDS)
            .map(|(rel, bytes)| {
                let text = String::from_utf8(for_new_town(rel, bytes).into_owned());
                (*rel, text.expect("the handbook and standards are UTF-8"))
            })
            .collect()
    }

    /// Names that belong to Lianshan: its villages, departments and liaisons' titles in the
    /// repository's data/site.toml (the town name is caught by 连山 itself; the liaisons' names
    /// are pseudonyms such as 张某, which the manuals use too).
    fn lianshan_names() -> Vec<String> {
        let site: toml::Table = include_str!("../../data/site.toml")
            .parse()
            .expect("data/site.toml parses");
        let mut names = Vec::new();
        for (table, key) in [
            ("villages", "name"),
            ("departments", "name"),
            ("liaisons", "title"),
        ] {
            for item in site[table].as_array().into_iter().flatten() {
                if let Some(name) = item.get(key).and_then(|v| v.as_str()) {
                    names.push(name.to_string());
                }
            }
        }
        assert!(names.len() > 10, "{names:?}");
        names
    }

    #[test]
    fn no_embedded_file_names_lianshan_once_adapted() {
        let names = lianshan_names();
        for (rel, text) in adapted() {
            assert!(!text.contains("连山"), "{rel} still names 连山");
            for name in &names {
                assert!(
                    !text.contains(name.as_str()),
                    "{rel} names Lianshan's “{name}”"
                );
            }
        }
    }

    #[test]
    fn every_rule_still_matches_the_text_it_was_written_for() {
        for (file, from, _) in RULES {
            let hits = HANDBOOK
                .iter()
                .chain(STANDARDS)
                .filter(|(rel, _)| *file == "*" || file == rel)
                .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(from))
                .count();
            assert!(hits > 0, "the rule for {file} no longer matches “{from}”");
        }
    }

    #[test]
    fn legal_citations_and_everything_else_are_kept() {
        for (rel, text) in adapted() {
            let original = HANDBOOK
                .iter()
                .chain(STANDARDS)
                .find(|(r, _)| *r == rel)
                .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            // Every line keeps its place; only lines that named Lianshan change.
            assert_eq!(text.lines().count(), original.lines().count(), "{rel}");
            for (new, old) in text.lines().zip(original.lines()) {
                assert!(new == old || old.contains("连山"), "{rel}: {old}");
            }
        }
        let sources = adapted()
            .into_iter()
            .find(|(rel, _)| *rel == "content/handbook/sources.md")
            .map(|(_, t)| t)
            .unwrap_or_default();
        for citation in [
            "德安办〔2024〕27 号",
            "广安办〔2024〕10 号",
            "应急管理部令第 10 号",
            "GB 30871-2022",
        ] {
            assert!(sources.contains(citation), "{citation}");
        }
    }

    #[test]
    fn the_example_workshop_keeps_its_name_throughout() {
        let texts = adapted();
        let count = |w: &str| {
            texts
                .iter()
                .map(|(_, t)| t.matches(w).count())
                .sum::<usize>()
        };
        assert!(count("示例铝件抛光厂") >= 10);
        assert_eq!(count("连山示例铝件抛光厂"), 0);
    }
}

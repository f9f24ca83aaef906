//! `dualprev init` in the library: the new town's site.toml has every table the repository's
//! site uses, its placeholders say so, and the site it makes checks clean without naming 连山.

use std::collections::BTreeSet;

use super::embedded::{HANDBOOK, STANDARDS};
use super::{SITE_TOML, TOWN_PAGES};

const REPO_SITE_TOML: &str = include_str!("../../data/site.toml");

/// Every key of `t` as a dotted path; the tables of an array are merged under `key[]`.
fn key_paths(t: &toml::Table, prefix: &str, out: &mut BTreeSet<String>) {
    for (k, v) in t {
        let path = format!("{prefix}{k}");
        out.insert(path.clone());
        match v {
            toml::Value::Table(t) => key_paths(t, &format!("{path}."), out),
            toml::Value::Array(items) => {
                for t in items.iter().filter_map(|i| i.as_table()) {
                    key_paths(t, &format!("{path}[]."), out);
                }
            }
            _ => {}
        }
    }
}

fn parse(text: &str) -> toml::Table {
    text.parse().expect("site.toml parses")
}

#[test]
fn site_toml_has_every_key_the_repository_site_uses() {
    let (repo, new) = (parse(REPO_SITE_TOML), parse(SITE_TOML));
    let (mut r, mut n) = (BTreeSet::new(), BTreeSet::new());
    key_paths(&repo, "", &mut r);
    key_paths(&new, "", &mut n);
    let missing: Vec<&String> = r.difference(&n).collect();
    // The two dates only the town can know are there as comments, ready to uncomment.
    assert_eq!(
        missing,
        ["as_of", "plan.issued"],
        "missing from the new site.toml"
    );
    assert!(SITE_TOML.contains("\n# as_of = ") && SITE_TOML.contains("\n# issued = "));
    let extra: Vec<&String> = n.difference(&r).collect();
    assert!(
        extra.is_empty(),
        "keys the repository's site does not use: {extra:?}"
    );
    // What the manuals explain and every town of the city shares is the repository's, as is.
    for table in [
        "deadlines",
        "bands",
        "scales",
        "direct_grading",
        "accidents",
        "size_rule",
        "milestones",
    ] {
        assert_eq!(new[table], repo[table], "[{table}]");
    }
}

#[test]
fn site_toml_placeholders_say_to_change_them() {
    const MARK: &str = "请按本镇实际修改";
    for key in [
        "title = ",
        "town = ",
        "base_url = ",
        "description = ",
        "issuer = ",
    ] {
        let line = SITE_TOML
            .lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("no {key}"));
        assert!(line.contains(MARK), "{line}");
    }
    // The comment just above each list of villages, departments and liaisons.
    for table in [
        "[[villages]]",
        "[[departments]]",
        "[[liaisons]]",
        "[[plan.phases]]",
    ] {
        let at = SITE_TOML
            .find(table)
            .unwrap_or_else(|| panic!("no {table}"));
        let before = &SITE_TOML[..at];
        let comment = before.rsplit("\n\n").next().unwrap_or_default();
        assert!(comment.contains(MARK), "{table}: {comment}");
    }
}

/// Names that are Lianshan's: its villages and departments and its liaisons' titles.
fn lianshan_names() -> Vec<String> {
    let repo = parse(REPO_SITE_TOML);
    let mut names = Vec::new();
    for (table, key) in [
        ("villages", "name"),
        ("departments", "name"),
        ("liaisons", "title"),
    ] {
        for item in repo[table].as_array().into_iter().flatten() {
            if let Some(name) = item.get(key).and_then(|v| v.as_str()) {
                names.push(name.to_string());
            }
        }
    }
    names
}

#[test]
fn the_towns_own_files_name_no_other_town() {
    let names = lianshan_names();
    assert!(names.len() > 10, "{names:?}");
    let town_files = TOWN_PAGES.iter().chain([&("data/site.toml", SITE_TOML)]);
    for (rel, text) in town_files {
        assert!(!text.contains("连山"), "{rel} names 连山");
        for name in &names {
            assert!(
                !text.contains(name.as_str()),
                "{rel} names Lianshan's “{name}”"
            );
        }
    }
}

#[test]
fn a_new_site_checks_clean_with_the_whole_handbook() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("某某镇");
    let written = super::init(&dir).expect("init");
    let theme = crate::render::theme::embedded_files()
        .iter()
        .map(|(rel, _)| format!("themes/default/{rel}"));
    let expected = TOWN_PAGES
        .iter()
        .map(|(rel, _)| rel.to_string())
        .chain(["data/site.toml".to_string()])
        .chain(
            HANDBOOK
                .iter()
                .chain(STANDARDS)
                .map(|(rel, _)| rel.to_string()),
        )
        .chain(theme);
    for rel in expected {
        assert!(dir.join(&rel).is_file(), "{rel} not on disk");
        assert!(written.contains(&rel), "{rel} not reported");
    }
    assert!(dir.join("data/enterprises").is_dir());
    assert_eq!(
        std::fs::read_dir(dir.join("data/enterprises"))
            .unwrap()
            .count(),
        0
    );
    assert!(
        super::init(&dir).is_err(),
        "a second init overwrote the site"
    );

    let as_of = jiff::civil::date(2025, 6, 30);
    let (site, diags) = crate::pipeline::check(&crate::pipeline::BuildOptions {
        root: dir.clone(),
        out: dir.join("public"),
        as_of: Some(as_of),
        today: as_of,
        profile: crate::model::Profile::Public,
        base_url: None,
        offline: false,
    });
    // One warning, and a true one: base_url is still the placeholder.
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert!(
        !diags[0].is_error() && diags[0].file == "data/site.toml",
        "{diags:#?}"
    );
    assert!(diags[0].message.contains("base_url"), "{diags:#?}");
    let site = site.expect("the site");
    let (pages, enterprises, standards) = site.counts();
    assert_eq!((enterprises, standards), (0, 2));
    let handbook = site
        .pages
        .iter()
        .filter(|p| p.path.starts_with("handbook/"))
        .count();
    assert_eq!(handbook, HANDBOOK.len());
    assert_eq!(pages, handbook + 4, "home, about, plan, notices");
    for p in &site.pages {
        assert!(!p.html.text.contains("连山"), "{} names 连山", p.path);
        assert!(!p.title.contains("连山") && !p.description.contains("连山"));
    }
    let plan = site
        .pages
        .iter()
        .find(|p| p.path == "plan.md")
        .expect("plan");
    assert!(
        plan.html.text.contains(
            "《<cite>加强某某镇工贸企业安全风险分级管控和隐患排查治理双重预防机制建设实施方案</cite>》（广汉市某某镇人民政府印发）"
        ),
        "{}",
        plan.html.text
    );
    for s in &site.standards {
        assert!(!s.title.contains("连山"), "{}", s.title);
    }
}

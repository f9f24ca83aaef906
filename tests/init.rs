//! `dualprev init DIR`: a new town (镇/街道) of the same city gets a real start — its site.toml to
//! fill in, its home, about, plan and notices pages, the whole handbook and both evaluation
//! standards of this repository (without Lianshan's name), no sample records and the default
//! theme — and the site it makes checks and builds as it is.

use std::path::{Path, PathBuf};

use crate::common::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Regular files under `dir`, relative to `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    snapshot(dir).into_keys().collect()
}

/// Where a handbook Markdown file (relative to `content/`) is built: `handbook/a/_index.md` →
/// `handbook/a/index.html`, `handbook/a/b.md` → `handbook/a/b/index.html`.
fn built_page(rel: &str) -> String {
    let stem = rel.trim_end_matches(".md");
    match stem.strip_suffix("_index") {
        Some(section) => format!("{section}index.html"),
        None => format!("{stem}/index.html"),
    }
}

/// A new site in a fresh temporary folder, named as a clerk would name it.
fn init_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("某某镇");
    let r = run(&[a("init"), a(&dir)]);
    r.ok();
    assert!(r.stdout.contains("新建站点"), "{}", r.stdout);
    (tmp, dir)
}

#[test]
fn init_writes_the_whole_handbook_both_standards_and_no_sample_records() {
    let (_tmp, dir) = init_site();
    let handbook = files(&dir.join("content/handbook"));
    assert_eq!(
        handbook,
        files(&repo().join("content/handbook")),
        "the new site's handbook is not the repository's"
    );
    assert!(handbook.len() >= 40, "{handbook:?}");
    for sub in ["large-medium/", "small-micro/", "topics/"] {
        assert!(handbook.iter().any(|p| p.starts_with(sub)), "no {sub}");
    }
    assert_eq!(
        files(&dir.join("data/standards")),
        ["large-medium.toml", "small-micro.toml"]
    );
    // No sample record, no Lianshan story or notice: the town starts empty.
    assert!(dir.join("data/enterprises").is_dir());
    assert_eq!(files(&dir.join("data/enterprises")), Vec::<String>::new());
    assert!(!dir.join("content/enterprises").exists());
    assert_eq!(files(&dir.join("content/notices")), ["_index.md"]);
    for page in ["content/_index.md", "content/about.md", "content/plan.md"] {
        assert!(dir.join(page).is_file(), "{page}");
    }
    assert!(dir.join("themes/default/templates/base.html").is_file());
    // Nothing the town is given names 连山.
    for (rel, bytes) in snapshot(&dir) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("连山"), "{rel} names 连山");
    }
    // site.toml says what to change, table by table.
    let site = read(&dir, "data/site.toml");
    for table in [
        "[[villages]]",
        "[[departments]]",
        "[[liaisons]]",
        "[[plan.phases]]",
        "[deadlines]",
        "[bands.lec]",
        "[scales.lec]",
        "[direct_grading]",
        "[[milestones]]",
    ] {
        assert!(site.contains(table), "{table}");
    }
    assert!(site.matches("请按本镇实际修改").count() >= 10, "{site}");
    // A second init refuses to overwrite (usage/IO error).
    run(&[a("init"), a(&dir)]).expect_code(2);
}

#[test]
fn init_then_check_and_build() {
    let (tmp, dir) = init_site();
    let handbook = files(&dir.join("content/handbook"));
    // check: no error; the one warning is true — base_url is still the placeholder.
    let c = run(&[a("check"), a("--root"), a(&dir), a("--as-of"), a(AS_OF)]);
    c.ok();
    let pages = handbook.len() + 4; // and home, about, plan, notices
    assert!(
        c.stdout.contains(&format!(
            "检查通过：{pages} 个页面，0 份企业档案，2 个评估标准，1 个警告"
        )),
        "{}",
        c.stdout
    );
    assert_eq!(c.stderr.matches("警告：").count(), 1, "{}", c.stderr);
    assert!(
        c.stderr
            .contains("base_url“https://example.org/”是示例地址")
            && c.stderr.contains("--> data/site.toml:"),
        "{}",
        c.stderr
    );

    let out = tmp.path().join("public");
    let r = run(&[
        a("build"),
        a("--root"),
        a(&dir),
        a("--out"),
        a(&out),
        a("--as-of"),
        a(AS_OF),
    ]);
    r.ok();
    assert!(
        r.stdout
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("已生成"),
        "{}",
        r.stdout
    );
    // Every handbook page, both standards and the town's own pages are built.
    for rel in &handbook {
        let page = built_page(&format!("handbook/{rel}"));
        assert!(out.join(&page).is_file(), "{rel} → {page} not built");
    }
    for page in [
        "index.html",
        "about/index.html",
        "plan/index.html",
        "notices/index.html",
        "standards/large-medium/index.html",
        "standards/small-micro/index.html",
        "handbook/small-micro/print/index.html",
        "handbook/large-medium/print/index.html",
    ] {
        assert!(out.join(page).is_file(), "{page}");
    }
    // No page of the built site names 连山 (the search index included).
    for (rel, bytes) in snapshot(&out) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("连山"),
            "{rel} names 连山"
        );
    }
    // The plan page cites the town's own plan, from site.toml's [plan].
    let plan = read(&out, "plan/index.html");
    assert!(
        plan.contains("《<cite>加强某某镇工贸企业安全风险分级管控和隐患排查治理双重预防机制建设实施方案</cite>》（广汉市某某镇人民政府印发）"),
        "{plan}"
    );
    // The handbook's legal citations are the repository's.
    let sources = page_text(&read(&out, "handbook/sources/index.html"));
    for citation in [
        "应急管理部令第 10 号",
        "德安办〔2024〕27 号",
        "GB 30871-2022",
    ] {
        assert!(sources.contains(citation), "{citation}");
    }
}

#[test]
fn a_town_that_fills_in_site_toml_checks_without_warnings_under_its_own_name() {
    let (tmp, dir) = init_site();
    let path = dir.join("data/site.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let filled = text
        .replace("https://example.org/", "https://aq.jinyu.example.cn/")
        .replace("某某镇", "金鱼镇")
        .replace("name = \"示例村\"", "name = \"红星村\"");
    assert_ne!(filled, text);
    std::fs::write(&path, filled).unwrap();
    let c = run(&[a("check"), a("--root"), a(&dir), a("--as-of"), a(AS_OF)]);
    c.ok();
    assert!(c.stdout.contains("0 个警告"), "{}\n{}", c.stdout, c.stderr);
    let out = tmp.path().join("public");
    run(&[
        a("build"),
        a("--root"),
        a(&dir),
        a("--out"),
        a(&out),
        a("--as-of"),
        a(AS_OF),
    ])
    .ok();
    let home = read(&out, "index.html");
    assert!(
        home.contains("<h1>金鱼镇工贸企业双重预防机制</h1>"),
        "{home}"
    );
    let plan = read(&out, "plan/index.html");
    assert!(plan.contains("广汉市金鱼镇人民政府印发"), "{plan}");
    assert!(!plan.contains("某某镇"), "{plan}");
}

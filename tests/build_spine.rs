//! The spine of `dualprev build`: a small content site through load → model → render → search →
//! write, checked from the outside (the binary on fixture sites in temporary folders).
//!
//! Fixtures: `tests/fixtures/spine-ok` (the happy path), `spine-override` (site templates and static
//! files over the embedded theme), and one `errors-*` site per class of input error. Every expected
//! `file:line:column` below was counted by hand from the fixture (columns in characters, 1-based).

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;

/// The handbook page with a long Chinese file name (`（）《》、` included).
const LONG: &str = "风险辨识（试行）《工贸企业安全风险辨识评估指南》、附录说明与常见问题解答汇编及岗位风险告知卡填写示例";
const BASE: &str = "https://example.org/t/";
const BASE_PATH: &str = "/t/";

fn long_key() -> String {
    format!("handbook/{LONG}/")
}

/// spine-ok built once into `<tmp>/out`, checked to have succeeded.
fn built_ok() -> (Site, std::path::PathBuf) {
    let s = site("spine-ok");
    let r = s.build(&[]);
    r.ok();
    let out = s.out();
    (s, out)
}

/// The `<main>` element of a page (so that header/footer links do not interfere).
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("no <main>");
    let end = html.rfind("</main>").expect("no </main>");
    &html[start..end]
}

/// Position of `needle` in `hay`, with a useful panic.
#[track_caller]
fn pos(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found in:\n{hay}"))
}

// ---------------------------------------------------------------------------------------------
// Happy path
// ---------------------------------------------------------------------------------------------

#[test]
fn happy_path_succeeds_with_summary_on_stdout() {
    let s = site("spine-ok");
    let r = s.build(&[]);
    r.ok();
    assert!(
        !r.stderr.contains("错误"),
        "no errors expected:\n{}",
        r.stderr
    );
    let last = r
        .stdout
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(
        last.starts_with("已生成"),
        "stdout should end with the 已生成 summary, got:\n{}",
        r.stdout
    );
    // The site folder itself is not written to when --out points elsewhere.
    assert_eq!(list_dir(&s.root), ["content", "data"]);
}

#[test]
fn stage_timings_are_printed_only_with_the_timings_flag() {
    let s = site("spine-ok");
    let plain = s.build(&[]);
    plain.ok();
    let last = |out: &str| {
        out.lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or_default()
            .to_string()
    };
    let line = last(&plain.stdout);
    assert!(
        line.ends_with(" 毫秒"),
        "no stage list without --timings: {line}"
    );
    let timed = s.build(&["--timings"]);
    timed.ok();
    let line = last(&timed.stdout);
    let list = line
        .rsplit_once(" 毫秒（")
        .map(|(_, l)| l.trim_end_matches('）'))
        .unwrap_or_else(|| panic!("stage list expected after the total: {line}"));
    let names: Vec<&str> = list
        .split('，')
        .map(|p| p.split_once(' ').map_or(p, |(n, _)| n))
        .collect();
    assert_eq!(
        names,
        [
            "load", "model", "series", "render", "search", "links", "write"
        ]
    );
}

#[test]
fn quiet_build_prints_nothing() {
    let s = site("spine-ok");
    let r = s.build(&["--quiet"]);
    r.ok();
    assert_eq!(r.stdout, "", "--quiet should print nothing on success");
    assert_eq!(r.stderr, "");
}

#[test]
fn default_out_is_public_under_root() {
    let s = site("spine-ok");
    run(&[a("build"), a("--root"), a(&s.root), a("--as-of"), a(AS_OF)]).ok();
    assert!(s.root.join("public/index.html").is_file());
    assert!(
        s.root
            .join("public/handbook/checklist/index.html")
            .is_file()
    );
}

#[test]
fn pages_land_at_their_urls_with_chinese_paths_on_disk() {
    let (_s, out) = built_ok();
    for rel in [
        "index.html",
        "about/index.html",
        "handbook/index.html",
        "handbook/01-overview/index.html",
        "handbook/checklist/index.html",
        "notices/index.html",
        "notices/2025-05-01-meeting/index.html",
        "notices/2025-06-15-training/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "notices/atom.xml",
        "search/meta.json",
    ] {
        assert!(
            out.join(rel).is_file(),
            "missing {rel}; files:\n{:#?}",
            snapshot(&out).keys().collect::<Vec<_>>()
        );
    }
    // The Chinese file name becomes a UTF-8 folder name, unencoded, punctuation and all.
    let dir = out.join("handbook").join(LONG);
    assert!(
        dir.join("index.html").is_file(),
        "missing {}",
        dir.display()
    );
    let names = list_dir(&out.join("handbook"));
    assert!(
        names.contains(&LONG.to_string()),
        "handbook/ holds {names:?}"
    );
    assert!(
        !names.iter().any(|n| n.contains('%')),
        "folder names must not be percent-encoded: {names:?}"
    );
    let html = read(&out, &format!("{}index.html", long_key()));
    assert!(html.contains("<h1>风险辨识指南</h1>"), "{html}");
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(
        html.contains("<title>风险辨识指南 · 测试镇</title>"),
        "{}",
        &html[..html.len().min(600)]
    );
}

#[test]
fn home_page_is_the_dashboard_with_the_intro() {
    let (_s, out) = built_ok();
    let html = read(&out, "index.html");
    assert!(html.contains("<title>测试镇</title>"));
    // content/_index.md's body is shown, with its links resolved from the root.
    let main = main_of(&html);
    assert!(main.contains("欢迎访问测试镇"), "intro missing");
    assert!(
        main.contains(r#"<a href="handbook/">指导手册</a>"#),
        "{main}"
    );
    assert!(main.contains(r#"<a href="about/">关于本站</a>"#), "{main}");
    assert!(
        main.contains("统计截至 <time datetime=\"2025-06-30\">2025-06-30</time>"),
        "as-of date not shown"
    );
}

#[test]
fn heading_ids_and_table_of_contents() {
    let (_s, out) = built_ok();
    let html = read(&out, &format!("{}index.html", long_key()));
    for h in [
        r#"<h2 id="概述">概述</h2>"#,
        r#"<h2 id="风险-辨识">风险 辨识</h2>"#,
        r#"<h3 id="概述-1">概述</h3>"#,
        r#"<h2 id="概述-2">概述</h2>"#,
        r#"<h2 id="custom-id">自定义标题</h2>"#,
        r#"<h2 id="lec-法取值表">LEC 法：取值表</h2>"#,
        r#"<h2 id="使用-重点-提示">使用 <em>重点</em> 提示</h2>"#,
    ] {
        assert!(html.contains(h), "missing {h} in\n{}", main_of(&html));
    }
    // The explicit id wins: no heading keeps the `{#…}` text or gets a slug of it.
    assert!(!html.contains("{#custom-id}"));
    assert!(!html.contains("id=\"自定义标题\""));
    // Ids are unique on the page.
    let all = ids(&html);
    let mut seen = std::collections::BTreeSet::new();
    for id in &all {
        assert!(
            seen.insert(id.clone()),
            "duplicate id {id:?} in page: {all:?}"
        );
    }
    // The table of contents lists every heading, in order, pointing at those ids.
    let toc_start = pos(&html, "class=\"toc\"");
    let toc = &html[toc_start..toc_start + pos(&html[toc_start..], "</details>")];
    let hrefs = attr_values(toc, "href");
    assert_eq!(
        hrefs,
        [
            "#概述",
            "#风险-辨识",
            "#概述-1",
            "#概述-2",
            "#custom-id",
            "#lec-法取值表",
            "#使用-重点-提示"
        ]
    );
}

#[test]
fn markdown_extensions_render() {
    let (_s, out) = built_ok();
    let html = read(&out, "handbook/checklist/index.html");
    let main = main_of(&html);
    // Table.
    assert!(main.contains("<table>"), "{main}");
    assert!(main.contains("<th>项目</th><th>要求</th>"), "{main}");
    assert!(
        main.contains("<td>配电箱</td><td>上锁、有标识</td>"),
        "{main}"
    );
    // Task list: one checked, one not, both disabled.
    let boxes: Vec<&str> = main
        .match_indices("type=\"checkbox\"")
        .map(|(i, _)| &main[main[..i].rfind('<').unwrap()..i + main[i..].find('>').unwrap() + 1])
        .collect();
    assert_eq!(boxes.len(), 2, "{main}");
    assert!(
        boxes[0].contains("checked") && boxes[0].contains("disabled"),
        "{boxes:?}"
    );
    assert!(
        !boxes[1].contains("checked") && boxes[1].contains("disabled"),
        "{boxes:?}"
    );
    // Strikethrough.
    assert!(main.contains("<del>旧的检查要求</del>"), "{main}");
    // Footnote: a reference and its definition.
    assert!(main.contains("class=\"footnote-reference\""), "{main}");
    assert!(main.contains("class=\"footnote-definition\""), "{main}");
    assert!(
        main.contains("依据《工贸企业重大事故隐患判定标准》。"),
        "{main}"
    );
}

#[test]
fn internal_links_resolve_to_relative_hrefs() {
    let (_s, out) = built_ok();
    let html = read(&out, "handbook/01-overview/index.html");
    let main = main_of(&html);
    let long = format!("../../handbook/{}/", pct(LONG));
    // `@/` links with anchors: the page folder and the anchor, both percent-encoded.
    let expect_anchor = |a: &str| format!("{long}#{}", pct(a));
    let hrefs = attr_values(main, "href");
    for want in [
        expect_anchor("风险-辨识"),
        expect_anchor("lec-法取值表"),
        format!("{long}#custom-id"),
        "../../handbook/checklist/".to_string(),
        format!("../../handbook/checklist/#{}", pct("检查项目")),
    ] {
        assert!(hrefs.contains(&want), "no href {want:?} among {hrefs:#?}");
    }
    // No `.md` or `@/` destination survives.
    for h in &hrefs {
        assert!(
            !h.contains(".md") && !h.starts_with("@/"),
            "unresolved link {h:?}"
        );
    }
    // A same-page anchor stays a same-page anchor.
    assert!(
        hrefs
            .iter()
            .any(|h| h == "#目的" || h == &format!("#{}", pct("目的"))),
        "{hrefs:#?}"
    );
    // Relative link with an anchor from the long page back to the overview.
    let back = read(&out, &format!("{}index.html", long_key()));
    let back_hrefs = attr_values(main_of(&back), "href");
    assert!(
        back_hrefs.contains(&format!("../../handbook/01-overview/#{}", pct("目的"))),
        "{back_hrefs:#?}"
    );
    // From a section page (`handbook/_index.md`) a relative link resolves against the handbook folder.
    let section = read(&out, "handbook/index.html");
    assert!(
        attr_values(main_of(&section), "href").contains(&"../handbook/01-overview/".to_string())
    );
}

#[test]
fn prev_next_follow_weight_then_title() {
    let (_s, out) = built_ok();
    // Order in handbook/: 总则 (weight 1), 安全检查清单 (2), 风险辨识指南 (2); the draft (2, 草稿…) is left out.
    let long = format!("../../handbook/{}/", pct(LONG));
    let links = |rel: &str| -> (Option<String>, Option<String>) {
        let html = read(&out, rel);
        let get = |rel_attr: &str| {
            let needle = format!("rel=\"{rel_attr}\" href=\"");
            html.find(&needle).map(|i| {
                let rest = &html[i + needle.len()..];
                rest[..rest.find('"').unwrap()].to_string()
            })
        };
        (get("prev"), get("next"))
    };
    assert_eq!(
        links("handbook/01-overview/index.html"),
        (None, Some("../../handbook/checklist/".into()))
    );
    assert_eq!(
        links("handbook/checklist/index.html"),
        (
            Some("../../handbook/01-overview/".into()),
            Some(long.clone())
        )
    );
    assert_eq!(
        links(&format!("{}index.html", long_key())),
        (Some("../../handbook/checklist/".into()), None)
    );
    // The only page of the root section has neither.
    assert_eq!(links("about/index.html"), (None, None));
    // The link text is the neighbour's title.
    let html = read(&out, "handbook/checklist/index.html");
    assert!(
        html.contains("<span>上一篇</span>总则</a>"),
        "{}",
        main_of(&html)
    );
    assert!(
        html.contains("<span>下一篇</span>风险辨识指南</a>"),
        "{}",
        main_of(&html)
    );
}

#[test]
fn one_dated_page_among_undated_ones_keeps_the_section_in_weight_order() {
    // Date order applies only when every page of the section is dated.
    let s = site("spine-ok");
    replace_once(
        &s,
        "content/handbook/checklist.md",
        "weight = 2\n",
        "weight = 2\ndate = 2025-06-01\n",
    );
    s.build(&[]).ok();
    let html = read(&s.out(), "handbook/index.html");
    let main = main_of(&html);
    // The page list is the last place each link appears (总则 is also the "start reading" link).
    let last = |needle: &str| {
        main.rfind(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in:\n{main}"))
    };
    let a = last(r#"<a href="../handbook/01-overview/">总则</a>"#);
    let b = last(r#"<a href="../handbook/checklist/">安全检查清单</a>"#);
    assert!(a < b, "weight 1 before weight 2, date or not:\n{main}");
}

#[test]
fn sections_list_their_pages_in_order() {
    let (_s, out) = built_ok();
    let html = read(&out, "handbook/index.html");
    let main = main_of(&html);
    let a = pos(main, r#"<a href="../handbook/01-overview/">总则</a>"#);
    let b = pos(main, r#"<a href="../handbook/checklist/">安全检查清单</a>"#);
    let c = pos(
        main,
        &format!(r#"<a href="../handbook/{}/">风险辨识指南</a>"#, pct(LONG)),
    );
    assert!(a < b && b < c, "handbook list out of order:\n{main}");
    assert!(!main.contains("草稿"), "draft listed:\n{main}");
    // Notices: dated pages, newest first, with the feed linked.
    let html = read(&out, "notices/index.html");
    let main = main_of(&html);
    let newer = pos(
        main,
        r#"<a href="../notices/2025-06-15-training/">关于开展培训的通知</a>"#,
    );
    let older = pos(
        main,
        r#"<a href="../notices/2025-05-01-meeting/">关于召开推进会的通知</a>"#,
    );
    assert!(newer < older, "notices should be newest first:\n{main}");
    assert!(
        html.contains("application/atom+xml"),
        "feed not advertised in <head>"
    );
    assert!(main.contains(r#"href="../notices/atom.xml""#), "{main}");
}

#[test]
fn subsections_with_chinese_folder_names() {
    let (_s, out) = built_ok();
    // content/handbook/专题/_index.md → handbook/专题/index.html; its pages below it.
    assert!(out.join("handbook/专题/index.html").is_file());
    assert!(out.join("handbook/专题/动火作业/index.html").is_file());
    assert!(out.join("handbook/专题/有限空间/index.html").is_file());
    // The handbook lists the subsection (not among its own pages).
    let hb = read(&out, "handbook/index.html");
    let main = main_of(&hb);
    assert!(
        main.contains(&format!(
            r#"<a href="../handbook/{}/">专题</a>"#,
            pct("专题")
        )),
        "{main}"
    );
    let list_start = pos(main, "class=\"page-list\"");
    assert!(
        !main[list_start..].contains("动火作业"),
        "subsection pages listed as handbook pages:\n{main}"
    );
    // The subsection lists its pages, in weight order.
    let sec = read(&out, "handbook/专题/index.html");
    let main = main_of(&sec);
    let a = pos(
        main,
        &format!(
            r#"<a href="../../handbook/{}/">动火作业</a>"#,
            pct("专题/动火作业")
        ),
    );
    let b = pos(
        main,
        &format!(
            r#"<a href="../../handbook/{}/">有限空间作业</a>"#,
            pct("专题/有限空间")
        ),
    );
    assert!(a < b, "{main}");
    // Breadcrumbs from the top, and links relative to a page two folders down.
    let page = read(&out, "handbook/专题/动火作业/index.html");
    let main = main_of(&page);
    assert!(main.contains(r#"<li><a href="../../../">测试镇首页</a></li><li><a href="../../../handbook/">指导手册</a></li>"#), "{main}");
    let hrefs = attr_values(main, "href");
    assert!(
        hrefs.contains(&format!("../../../handbook/checklist/#{}", pct("完成情况"))),
        "{hrefs:#?}"
    );
    assert!(
        hrefs.contains(&"../../../about/#what".to_string()),
        "{hrefs:#?}"
    );
    assert!(
        hrefs.contains(&format!("../../../handbook/{}/", pct("专题/有限空间"))),
        "next link: {hrefs:#?}"
    );
}

#[test]
fn explicit_heading_id_wins_over_an_earlier_automatic_one() {
    // `{#appendix}` is the author's promise that `#appendix` reaches 附录; the automatic id of the
    // earlier `## Appendix` is the one that must give way.
    let s = site("spine-ok");
    s.write("content/ids.md", "+++\ntitle = \"锚点\"\n+++\n\n## Appendix\n\n## 附录 {#appendix}\n\n[跳到附录](#appendix)\n");
    s.build(&[]).ok();
    let html = read(&s.out(), "ids/index.html");
    assert!(
        html.contains(r#"<h2 id="appendix">附录</h2>"#),
        "explicit id not kept:\n{}",
        main_of(&html)
    );
    assert!(
        html.contains(r#"<h2 id="appendix-1">Appendix</h2>"#),
        "{}",
        main_of(&html)
    );
}

#[test]
fn editor_temp_files_are_ignored() {
    let s = site("spine-ok");
    s.write("content/handbook/.#checklist.md", "not a page");
    s.write("content/handbook/checklist.md~", "not a page");
    s.write("content/handbook/.checklist.md.swp", [0u8, 159, 146, 150]);
    s.write("content/handbook/4913", "");
    let r = s.build(&[]);
    r.ok();
    let (_p, plain) = built_ok();
    let (a, b) = (snapshot(&s.out()), snapshot(&plain));
    assert!(a == b, "temp files changed the output:\n{}", diff(&b, &a));
}

#[test]
fn output_does_not_depend_on_where_the_site_lives() {
    let (_a, out_a) = built_ok();
    let b = site("spine-ok");
    let root_b = b.tmp_path("深一层/站点 副本");
    copy_dir(&b.root, &root_b);
    let out_b = b.tmp_path("另一个输出");
    run(&[
        a("build"),
        a("--root"),
        a(&root_b),
        a("--out"),
        a(&out_b),
        a("--as-of"),
        a(AS_OF),
    ])
    .ok();
    let (sa, sb) = (snapshot(&out_a), snapshot(&out_b));
    assert!(
        sa == sb,
        "output depends on the site's location:\n{}",
        diff(&sa, &sb)
    );
}

#[test]
fn drafts_are_left_out_everywhere() {
    let (_s, out) = built_ok();
    assert!(
        !out.join("handbook/draft").exists(),
        "draft page was written"
    );
    for (path, bytes) in snapshot(&out) {
        let text = String::from_utf8_lossy(&bytes);
        for needle in ["DRAFTMARKER", "草稿页面不应出现", "handbook/draft/"] {
            assert!(
                !text.contains(needle),
                "{path} mentions the draft ({needle})"
            );
        }
    }
}

#[test]
fn sitemap_and_robots() {
    let (_s, out) = built_ok();
    let sm = read(&out, "sitemap.xml");
    assert!(sm.starts_with("<?xml"), "{sm}");
    let locs: Vec<String> = sm
        .split("<loc>")
        .skip(1)
        .map(|s| s[..s.find("</loc>").unwrap()].to_string())
        .collect();
    assert!(!locs.is_empty());
    for loc in &locs {
        assert!(
            loc.starts_with(BASE),
            "loc not absolute from base_url: {loc}"
        );
        assert!(loc.is_ascii(), "loc not percent-encoded: {loc}");
        let rel = unpct(&loc[BASE.len()..]);
        let file = if rel.is_empty() || rel.ends_with('/') {
            format!("{rel}index.html")
        } else {
            rel.clone()
        };
        assert!(
            out.join(&file).is_file(),
            "sitemap loc {loc} has no file {file}"
        );
    }
    for want in [
        BASE.to_string(),
        format!("{BASE}about/"),
        format!("{BASE}handbook/"),
        format!("{BASE}handbook/checklist/"),
        format!("{BASE}handbook/{}/", pct(LONG)),
        format!("{BASE}notices/2025-06-15-training/"),
        format!("{BASE}handbook/{}/", pct("专题/动火作业")),
    ] {
        assert!(locs.contains(&want), "sitemap lacks {want}:\n{sm}");
    }
    assert!(
        !locs.iter().any(|l| l.contains("404")),
        "404 page in the sitemap"
    );
    let mut sorted = locs.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), locs.len(), "duplicate locs");
    let robots = read(&out, "robots.txt");
    assert!(robots.contains("User-agent: *"), "{robots}");
    assert!(
        robots.contains(&format!("Sitemap: {BASE}sitemap.xml")),
        "{robots}"
    );
}

#[test]
fn not_found_page_links_from_the_site_root() {
    let (_s, out) = built_ok();
    let html = read(&out, "404.html");
    assert!(html.contains("页面不存在"), "{html}");
    // Served at any depth, so its links cannot be relative to one folder.
    let main = main_of(&html);
    let hrefs = attr_values(main, "href");
    assert!(!hrefs.is_empty());
    for h in &hrefs {
        assert!(
            h.starts_with(BASE_PATH) || h.starts_with(BASE),
            "404 link {h:?} is not rooted at {BASE_PATH}"
        );
    }
    assert!(hrefs.contains(&BASE_PATH.to_string()), "{hrefs:?}");
    // The stylesheet too must load from any depth.
    let css = attr_values(&html, "href")
        .into_iter()
        .find(|h| h.ends_with("site.css"))
        .expect("no stylesheet");
    assert!(
        css.starts_with(BASE_PATH) || css.starts_with(BASE),
        "404 stylesheet {css:?} is relative: broken when served from a nested URL"
    );
}

#[test]
fn notices_feed() {
    let (_s, out) = built_ok();
    let feed = read(&out, "notices/atom.xml");
    assert!(
        feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""),
        "{feed}"
    );
    assert!(
        feed.contains(&format!(
            "<link rel=\"self\" href=\"{BASE}notices/atom.xml\"/>"
        )),
        "{feed}"
    );
    assert!(
        feed.contains("<updated>2025-06-15T00:00:00Z</updated>"),
        "{feed}"
    );
    let entries: Vec<&str> = feed.split("<entry").skip(1).collect();
    assert_eq!(entries.len(), 2, "{feed}");
    assert!(
        entries[0].contains("<title>关于开展培训的通知</title>"),
        "newest first:\n{feed}"
    );
    assert!(
        entries[0].contains(&format!("<id>{BASE}notices/2025-06-15-training/</id>")),
        "{feed}"
    );
    assert!(
        entries[1].contains("<title>关于召开推进会的通知</title>"),
        "{feed}"
    );
    assert!(
        entries[1].contains("<summary>推进会通知</summary>"),
        "{feed}"
    );
    // The section page itself is not an entry.
    assert!(
        !entries
            .iter()
            .any(|e| e.contains(&format!("<id>{BASE}notices/</id>"))),
        "{feed}"
    );
}

/// Resolves `href` (relative, root-relative or absolute) against the URL path `base` (e.g.
/// `/t/notices/atom.xml`). Returns the site-relative path (decoded) and the fragment, or `Err` with
/// the resolved URL when it leaves the site.
fn resolve(base: &str, href: &str) -> Option<Result<(String, Option<String>), String>> {
    if href.starts_with("mailto:")
        || href.starts_with("tel:")
        || href.starts_with("data:")
        || href.starts_with("javascript:")
    {
        return None;
    }
    let (href, frag) = match href.split_once('#') {
        Some((h, f)) => (h, Some(unpct(f))),
        None => (href, None),
    };
    let href = href.split('?').next().unwrap_or_default();
    let path = if let Some(rest) = href
        .strip_prefix("https://")
        .or_else(|| href.strip_prefix("http://"))
    {
        let url = format!("https://{rest}");
        if !url.starts_with(BASE) {
            return if url.starts_with("https://example.org") {
                Some(Err(url))
            } else {
                None
            };
        }
        format!("/{}", rest.split_once('/').map_or("", |(_, p)| p))
    } else if href.starts_with('/') {
        href.to_string()
    } else if href.is_empty() {
        base.to_string()
    } else {
        let mut segs: Vec<&str> = base.split('/').collect();
        segs.pop(); // the file name (or "" after a trailing slash)
        for seg in href.split('/') {
            match seg {
                "." => {}
                ".." => {
                    if segs.len() > 1 {
                        segs.pop();
                    }
                }
                s => segs.push(s),
            }
        }
        let trailing = href.ends_with('/')
            || href.ends_with("/.")
            || href.ends_with("/..")
            || href == "."
            || href == "..";
        let mut p = segs.join("/");
        if trailing && !p.ends_with('/') {
            p.push('/');
        }
        p
    };
    match path.strip_prefix(BASE_PATH) {
        Some(rel) => Some(Ok((unpct(rel), frag))),
        None => Some(Err(format!("https://example.org{path}"))),
    }
}

/// Checks one link found in `from` (site-relative path of the page or feed) against the snapshot.
fn check_link(
    snap: &BTreeMap<String, Vec<u8>>,
    ids_of: &mut BTreeMap<String, Vec<String>>,
    from: &str,
    base: &str,
    href: &str,
    problems: &mut Vec<String>,
) {
    let Some(resolved) = resolve(base, href) else {
        return;
    };
    let (rel, frag) = match resolved {
        Ok(x) => x,
        Err(url) => {
            problems.push(format!(
                "{from}: {href:?} resolves to {url}, outside the site"
            ));
            return;
        }
    };
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.clone()
    };
    let Some(bytes) = snap.get(&file) else {
        problems.push(format!("{from}: {href:?} → missing {file}"));
        return;
    };
    if let Some(f) = frag {
        if f.is_empty() {
            return;
        }
        let list = ids_of
            .entry(file.clone())
            .or_insert_with(|| ids(&String::from_utf8_lossy(bytes)));
        if !list.contains(&f) {
            problems.push(format!("{from}: {href:?} → no id {f:?} in {file}"));
        }
    }
}

#[test]
fn every_link_in_the_output_resolves() {
    let (_s, out) = built_ok();
    let snap = snapshot(&out);
    let mut ids_of = BTreeMap::new();
    let mut problems = Vec::new();
    for (path, bytes) in &snap {
        if !path.ends_with(".html") {
            continue;
        }
        let html = String::from_utf8_lossy(bytes);
        let base = format!("{BASE_PATH}{path}");
        for attr in ["href", "src", "action"] {
            for v in attr_values(&html, attr) {
                check_link(&snap, &mut ids_of, path, &base, &v, &mut problems);
            }
        }
    }
    problems.sort();
    problems.dedup();
    assert!(
        problems.is_empty(),
        "{} broken links in the output:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn feed_content_links_resolve_from_the_feed() {
    // Relative URLs inside an Atom entry's content resolve against xml:base, or else the feed's own
    // URL (RFC 4287 §2, RFC 3986) — not against the notice page the HTML was rendered for.
    let (_s, out) = built_ok();
    let snap = snapshot(&out);
    let feed = read(&out, "notices/atom.xml");
    let xml_base = |chunk: &str| attr_values(chunk, "xml:base").into_iter().next();
    let feed_base = xml_base(&feed[..pos(&feed, "<entry")])
        .unwrap_or_else(|| format!("{BASE}notices/atom.xml"));
    let mut ids_of = BTreeMap::new();
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in feed.split("<entry").skip(1) {
        let base = xml_base(entry).unwrap_or_else(|| feed_base.clone());
        let base_path = format!(
            "/{}",
            base.split_once("://")
                .map_or("", |(_, r)| r)
                .split_once('/')
                .map_or("", |(_, p)| p)
        );
        let content_start = pos(entry, "<content");
        let content = &entry[content_start..pos(entry, "</content>")];
        let html = unescape_html(content);
        for v in attr_values(&html, "href") {
            checked += 1;
            check_link(
                &snap,
                &mut ids_of,
                "notices/atom.xml",
                &base_path,
                &v,
                &mut problems,
            );
        }
    }
    assert!(
        checked > 0,
        "the fixture's newest notice links to the handbook; no link found in the feed:\n{feed}"
    );
    assert!(
        problems.is_empty(),
        "links in notices/atom.xml do not resolve:\n{}\n\n{feed}",
        problems.join("\n")
    );
}

#[test]
fn search_index_is_written() {
    let (_s, out) = built_ok();
    let meta: serde_json::Value =
        serde_json::from_str(&read(&out, "search/meta.json")).expect("meta.json is JSON");
    let snap = snapshot(&out);
    let shards: Vec<&String> = snap
        .keys()
        .filter(|k| k.starts_with("search/s/") && k.ends_with(".json"))
        .collect();
    let docs: Vec<&String> = snap
        .keys()
        .filter(|k| k.starts_with("search/d/") && k.ends_with(".json"))
        .collect();
    assert!(!shards.is_empty(), "no search/s/*.json");
    assert!(!docs.is_empty(), "no search/d/*.json");
    for k in shards.iter().chain(docs.iter()) {
        serde_json::from_slice::<serde_json::Value>(&snap[*k])
            .unwrap_or_else(|e| panic!("{k} is not JSON: {e}"));
    }
    if let Some(n) = meta.get("n").and_then(|n| n.as_u64()) {
        assert_eq!(n as usize, docs.len(), "meta.json n vs number of d/ files");
    }
    if let Some(n) = meta.get("shards").and_then(|n| n.as_u64()) {
        assert_eq!(
            n as usize,
            shards.len(),
            "meta.json shards vs number of s/ files"
        );
    }
    // The long Chinese page is findable: its title is in one of the documents.
    let all_docs: String = docs
        .iter()
        .map(|k| String::from_utf8_lossy(&snap[*k]).into_owned())
        .collect();
    assert!(
        all_docs.contains("风险辨识指南"),
        "long page not in the search documents"
    );
    assert!(out.join("search/index.html").is_file());
}

// ---------------------------------------------------------------------------------------------
// Errors: exit 1, every problem located, the previous output untouched
// ---------------------------------------------------------------------------------------------

/// Builds spine-ok into `<tmp>/out`, replaces the site's files with `fixture`'s (running `prepare`
/// for files written by the test), builds again into the same folder, and checks the failure:
/// exit 1, the stderr, and the old output byte-for-byte unchanged with no staging leftovers.
fn fails_keeping_output(fixture: &str, prepare: impl FnOnce(&Site)) -> Run {
    let s = site("spine-ok");
    let out = s.out();
    s.build_into(&out, &[]).ok();
    let before = snapshot(&out);
    let siblings_before = list_dir(s.tmp.path());
    s.replace_with(fixture);
    prepare(&s);
    let r = s.build_into(&out, &[]);
    r.expect_code(1);
    let after = snapshot(&out);
    assert!(
        before == after,
        "output changed by a failed build:\n{}",
        diff(&before, &after)
    );
    assert_eq!(
        list_dir(s.tmp.path()),
        siblings_before,
        "a failed build left files beside the output"
    );
    assert!(r.stderr.contains("生成失败，输出目录"), "{}", r.stderr);
    assert!(r.stderr.contains("保持不变"), "{}", r.stderr);
    assert!(
        !r.stdout.contains("已生成"),
        "a failed build claims success:\n{}",
        r.stdout
    );
    r
}

#[track_caller]
fn assert_one_error(r: &Run) {
    assert!(
        r.stderr.contains("共 1 个错误"),
        "expected exactly one error:\n{}",
        r.stderr
    );
}

/// A fixture site with one content or site.toml error: where it is reported and what it says.
/// Each build fails with exactly that one error and leaves the previous output as it was.
struct FixtureError {
    fixture: &'static str,
    message: &'static str,
    /// `file:line:column`
    at: &'static str,
    /// The source line the diagnostic quotes.
    line: &'static str,
    /// More text the diagnostics must hold.
    also: &'static [&'static str],
}

const FIXTURE_ERRORS: &[FixtureError] = &[
    FixtureError {
        fixture: "errors-unknown-key",
        message: "front matter 中有未知的字段“wieght”，是否应为“weight”？",
        at: "content/a.md:3:1",
        line: "wieght = 3",
        also: &["= 提示：可用的字段："],
    },
    // The front matter table starts on line 2.
    FixtureError {
        fixture: "errors-missing-title",
        message: "“title”",
        at: "content/b.md:2:1",
        line: "weight = 1",
        also: &[],
    },
    FixtureError {
        fixture: "errors-bad-toml",
        message: "TOML 语法错误",
        at: "content/c.md:3:9",
        line: "title = 测试页面",
        also: &[],
    },
    FixtureError {
        fixture: "errors-bad-date",
        message: "日期",
        at: "content/d.md:3:8",
        line: "date = 2024-13-40",
        also: &[],
    },
    // `参见《手册》[风险辨识](` is 13 characters: the destination starts at column 14.
    FixtureError {
        fixture: "errors-broken-link",
        message: "handbook/不存在.md",
        at: "content/e.md:5:14",
        line: "参见《手册》[风险辨识](@/handbook/不存在.md)。",
        also: &[],
    },
    // `- 列表项：[另一页](` is 12 characters: column 13.
    FixtureError {
        fixture: "errors-broken-anchor",
        message: "#不存在",
        at: "content/f.md:9:13",
        line: "- 列表项：[另一页](@/g.md#不存在)",
        also: &[],
    },
    FixtureError {
        fixture: "errors-site-type",
        message: "“description”应为字符串",
        at: "data/site.toml:5:15",
        line: "description = 2025",
        also: &[],
    },
    // `template = ` is 11 characters: the value starts at column 12. The file that is wrong is the
    // page, not a template that does not exist.
    FixtureError {
        fixture: "errors-unknown-template",
        message: "pgae.html",
        at: "content/t.md:3:12",
        line: "template = \"pgae.html\"",
        also: &[],
    },
];

/// Every case runs (one after another: each also snapshots an output) and every failure is reported.
#[test]
fn fixture_errors_are_reported_at_their_place_keeping_the_output() {
    check_all(
        FIXTURE_ERRORS,
        1,
        |c| c.fixture,
        |c| {
            let r = fails_keeping_output(c.fixture, |_| {});
            assert_diagnostic(&r.stderr, c.message, c.at, c.line);
            for part in c.also {
                assert!(r.stderr.contains(part), "no “{part}” in:\n{}", r.stderr);
            }
            assert_one_error(&r);
        },
    );
}

/// `+++\ntitle = "安全生产"\n+++\n\n正文\n` with the Chinese in GBK.
const GBK_PAGE: &[u8] =
    b"+++\ntitle = \"\xb0\xb2\xc8\xab\xc9\xfa\xb2\xfa\"\n+++\n\n\xd5\xfd\xce\xc4\n";

#[test]
fn error_gbk_file() {
    let r = fails_keeping_output("errors-gbk", |s| s.write("content/gbk.md", GBK_PAGE));
    let lines: Vec<&str> = r.stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("--> content/gbk.md"))
        .unwrap_or_else(|| panic!("the GBK file is not named:\n{}", r.stderr));
    assert!(
        lines[at - 1].starts_with("错误：") && lines[at - 1].contains("GBK"),
        "{}",
        r.stderr
    );
    assert!(lines[at - 1].contains("UTF-8"), "{}", r.stderr);
    assert_one_error(&r);
}

#[test]
fn errors_three_are_all_reported() {
    let r = fails_keeping_output("errors-three", |_| {});
    assert_diagnostic(&r.stderr, "“wieght”", "content/a.md:3:1", "wieght = 3");
    // `见上一章：[上一章](` is 11 characters: column 12.
    assert_diagnostic(
        &r.stderr,
        "不存在的章节.md",
        "content/handbook/b.md:8:12",
        "见上一章：[上一章](不存在的章节.md)。",
    );
    assert_diagnostic(
        &r.stderr,
        "“date”应为日期",
        "content/notices/c.md:3:8",
        "date = \"2025-06-01\"",
    );
    assert!(r.stderr.contains("共 3 个错误"), "{}", r.stderr);
    // Sorted by file.
    let a = pos(&r.stderr, "content/a.md:3:1");
    let b = pos(&r.stderr, "content/handbook/b.md:8:12");
    let c = pos(&r.stderr, "content/notices/c.md:3:8");
    assert!(
        a < b && b < c,
        "diagnostics not in file order:\n{}",
        r.stderr
    );
}

#[test]
fn check_on_errors_three_exits_1_and_writes_nothing() {
    let s = site("errors-three");
    let before = snapshot(s.tmp.path());
    let r = s.check();
    r.expect_code(1);
    assert!(r.stderr.contains("content/a.md:3:1"), "{}", r.stderr);
    assert!(
        r.stderr.contains("content/handbook/b.md:8:12"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("content/notices/c.md:3:8"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("共 3 个错误"), "{}", r.stderr);
    let after = snapshot(s.tmp.path());
    assert!(
        before == after,
        "check wrote files:\n{}",
        diff(&before, &after)
    );
    assert!(!s.root.join("public").exists());
}

#[test]
fn check_on_a_good_site_passes_and_writes_nothing() {
    let s = site("spine-ok");
    let before = snapshot(s.tmp.path());
    let r = s.check();
    r.ok();
    assert!(r.stdout.contains("检查通过"), "{}", r.stdout);
    assert!(before == snapshot(s.tmp.path()), "check wrote files");
}

#[test]
fn check_reports_gbk_too() {
    let s = site("errors-gbk");
    s.write("content/gbk.md", GBK_PAGE);
    let r = s.check();
    r.expect_code(1);
    assert!(
        r.stderr.contains("content/gbk.md") && r.stderr.contains("GBK"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Encodings, themes, determinism, profiles, commands
// ---------------------------------------------------------------------------------------------

#[test]
fn bom_and_crlf_files_build() {
    let s = site("spine-ok");
    s.write(
        "content/bom.md",
        "\u{feff}+++\ntitle = \"带 BOM 的页面\"\nweight = 5\n+++\n\n## 第一节\n\nBOM 正文。\n",
    );
    s.write(
        "content/crlf.md",
        "+++\r\ntitle = \"CRLF 页面\"\r\nweight = 6\r\n+++\r\n\r\n## 第二节\r\n\r\n见[带 BOM 的页面](bom.md#第一节)。\r\n",
    );
    s.write(
        "content/both.md",
        "\u{feff}+++\r\ntitle = \"两者都有\"\r\nweight = 7\r\n+++\r\n\r\n正文。\r\n",
    );
    let r = s.build(&[]);
    r.ok();
    let out = s.out();
    let bom = read(&out, "bom/index.html");
    assert!(bom.contains("<h1>带 BOM 的页面</h1>"), "{}", main_of(&bom));
    assert!(!bom.contains('\u{feff}'), "BOM leaked into the page");
    assert!(
        bom.contains(r#"<h2 id="第一节">第一节</h2>"#),
        "{}",
        main_of(&bom)
    );
    let crlf = read(&out, "crlf/index.html");
    assert!(crlf.contains("<h1>CRLF 页面</h1>"), "{}", main_of(&crlf));
    assert!(!crlf.contains('\r'), "CR leaked into the page");
    assert!(
        crlf.contains(&format!(r#"href="../bom/#{}""#, pct("第一节"))),
        "{}",
        main_of(&crlf)
    );
    assert!(read(&out, "both/index.html").contains("<h1>两者都有</h1>"));
}

#[test]
fn bom_and_crlf_error_positions_are_unshifted() {
    let s = site("spine-ok");
    // The BOM is not a column; CR is not part of the line.
    s.write("content/bom.md", "\u{feff}+++\ntitel = \"甲\"\n+++\n");
    s.write(
        "content/crlf.md",
        "+++\r\ntitle = \"乙\"\r\n+++\r\n\r\n文字[坏链接](@/没有.md)。\r\n",
    );
    let r = s.build(&[]);
    r.expect_code(1);
    assert_diagnostic(&r.stderr, "“titel”", "content/bom.md:2:1", "titel = \"甲\"");
    assert_diagnostic(
        &r.stderr,
        "没有.md",
        "content/crlf.md:5:9",
        "文字[坏链接](@/没有.md)。",
    );
}

#[test]
fn site_templates_and_static_files_override_the_theme() {
    let s = site("spine-override");
    s.build(&[]).ok();
    let out = s.out();
    let page = read(&out, "guide/one/index.html");
    assert!(
        page.contains("SITE-OVERRIDE-PAGE-MARKER"),
        "site page.html not used:\n{page}"
    );
    // It extends the theme's base.html: the theme's frame is still there.
    assert!(
        page.contains("<html lang=\"zh-CN\">") && page.contains("class=\"site-header\""),
        "{page}"
    );
    assert!(page.contains(r#"<h2 id="小节">小节</h2>"#), "{page}");
    // A page naming its own template in front matter gets it.
    let special = read(&out, "guide/special/index.html");
    assert!(
        special.contains("SITE-SPECIAL-TEMPLATE-MARKER"),
        "{special}"
    );
    assert!(!special.contains("SITE-OVERRIDE-PAGE-MARKER"));
    // Templates not overridden come from the theme.
    let section = read(&out, "guide/index.html");
    assert!(
        !section.contains("SITE-OVERRIDE-PAGE-MARKER") && section.contains("class=\"page-list\""),
        "{section}"
    );
    // Static files: the site's css replaces the theme's, other theme files remain.
    let css = read(&out, "css/site.css");
    assert!(css.contains("SITE-OVERRIDE-CSS-MARKER"), "{css}");
    let theme_css = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/static/css/site.css"),
    )
    .unwrap();
    assert_ne!(css, theme_css);
    assert!(
        out.join("js/search.js").is_file(),
        "theme static file missing"
    );
    // The plain site does not carry the markers.
    let (_p, plain) = built_ok();
    assert!(!read(&plain, "css/site.css").contains("SITE-OVERRIDE-CSS-MARKER"));
}

#[test]
fn two_builds_are_byte_identical() {
    let s = site("spine-ok");
    let (a, b) = (s.tmp_path("a"), s.tmp_path("b"));
    s.build_into(&a, &[]).ok();
    s.build_into(&b, &[]).ok();
    let (sa, sb) = (snapshot(&a), snapshot(&b));
    assert!(!sa.is_empty());
    assert!(sa == sb, "two builds differ:\n{}", diff(&sa, &sb));
    // Rebuilding over an existing output gives the same bytes too.
    s.build_into(&a, &[]).ok();
    let sa2 = snapshot(&a);
    assert!(
        sa == sa2,
        "rebuild over old output differs:\n{}",
        diff(&sa, &sa2)
    );
}

#[test]
fn thread_count_does_not_change_the_output() {
    let s = site("spine-ok");
    let build = |dir: &str, threads: &str| {
        let out = s.tmp_path(dir);
        let args = [
            a("build"),
            a("--root"),
            a(&s.root),
            a("--out"),
            a(&out),
            a("--as-of"),
            a(AS_OF),
        ];
        let args: Vec<&std::ffi::OsStr> = args.to_vec();
        run_env(&args, &[("RAYON_NUM_THREADS", threads)]).ok();
        snapshot(&out)
    };
    let one = build("one", "1");
    let two = build("two", "2");
    let eight = build("eight", "8");
    assert!(
        one == two,
        "RAYON_NUM_THREADS=1 vs 2 differ:\n{}",
        diff(&one, &two)
    );
    assert!(
        one == eight,
        "RAYON_NUM_THREADS=1 vs 8 differ:\n{}",
        diff(&one, &eight)
    );
}

#[test]
fn internal_profile_marks_every_page() {
    let s = site("spine-ok");
    s.build(&["--profile", "internal"]).ok();
    let snap = snapshot(&s.out());
    let mut pages = 0;
    for (path, bytes) in &snap {
        if !path.ends_with(".html") {
            continue;
        }
        pages += 1;
        let html = String::from_utf8_lossy(bytes);
        assert!(
            html.contains("内部版本"),
            "{path} lacks the 内部版本 banner"
        );
        assert!(html.contains("noindex"), "{path} lacks noindex");
    }
    assert!(pages >= 10, "only {pages} pages");
    let robots = read(&s.out(), "robots.txt");
    assert!(
        robots.contains("Disallow: /"),
        "internal robots.txt should disallow all:\n{robots}"
    );
    // And the public build carries neither.
    let public = s.tmp_path("public-out");
    s.build_into(&public, &[]).ok();
    let page = read(&public, "handbook/checklist/index.html");
    assert!(
        !page.contains("内部版本") && !page.contains("noindex"),
        "public page marked internal"
    );
}

#[test]
fn base_url_flag_overrides_site_toml() {
    let s = site("spine-ok");
    s.build(&["--base-url", "https://mirror.example.net/x"])
        .ok();
    let sm = read(&s.out(), "sitemap.xml");
    assert!(
        sm.contains("<loc>https://mirror.example.net/x/handbook/checklist/</loc>"),
        "{sm}"
    );
    assert!(!sm.contains("example.org"), "{sm}");
}

#[test]
fn new_enterprise_writes_a_skeleton_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    run(&[a("init"), a(&dir)]).ok();
    let args = [
        a("new"),
        a("enterprise"),
        a("test-works"),
        a("--root"),
        a(&dir),
    ];
    run(&args).ok();
    assert!(dir.join("data/enterprises/test-works.toml").is_file());
    run(&args).expect_code(2);
    let bad = [a("new"), a("enterprise"), a("测试"), a("--root"), a(&dir)];
    run(&bad).expect_code(2);
}

#[test]
fn empty_site_builds() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    std::fs::create_dir_all(root.join("data")).unwrap();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(
        root.join("data/site.toml"),
        "title = \"测试镇\"\ntown = \"测试镇\"\nbase_url = \"https://example.org/t/\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("content/_index.md"),
        "+++\ntitle = \"首页\"\n+++\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let r = run(&[
        a("build"),
        a("--root"),
        a(&root),
        a("--out"),
        a(&out),
        a("--as-of"),
        a(AS_OF),
    ]);
    r.ok();
    for rel in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "search/meta.json",
    ] {
        assert!(out.join(rel).is_file(), "empty site lacks {rel}");
    }
    assert!(
        !out.join("notices/atom.xml").exists(),
        "a feed without notices"
    );
}

#[test]
fn missing_site_toml_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(
        root.join("content/_index.md"),
        "+++\ntitle = \"首页\"\n+++\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let r = run(&[
        a("build"),
        a("--root"),
        a(&root),
        a("--out"),
        a(&out),
        a("--as-of"),
        a(AS_OF),
    ]);
    r.expect_code(1);
    assert!(r.stderr.contains("data/site.toml"), "{}", r.stderr);
    assert!(!out.exists(), "output written for a site without site.toml");
}

#[test]
fn usage_errors_exit_2() {
    let r = run(&["build", "--bogus"]);
    r.expect_code(2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(!r.stderr.is_empty());
    run(&["build", "--as-of", "2025-13-01"]).expect_code(2);
    run(&["build", "--profile", "secret"]).expect_code(2);
    run(&["frobnicate"]).expect_code(2);
}

#[test]
fn two_builds_leave_nothing_beside_the_output() {
    // The staging folder and the previous output are removed after the swap: the output's
    // parent holds the output and nothing else.
    let s = site("spine-ok");
    let parent = s.tmp_path("publish");
    std::fs::create_dir_all(&parent).unwrap();
    let out = parent.join("site");
    s.build_into(&out, &[]).ok();
    s.build_into(&out, &[]).ok();
    assert_eq!(list_dir(&parent), vec!["site".to_string()]);
}

#[test]
fn an_io_failure_says_what_was_being_done_and_why_and_exits_2() {
    let s = site("spine-ok");
    let tmp = tempfile::tempdir().unwrap();
    // The output's parent is a plain file: the folder beside it cannot be made.
    let file = tmp.path().join("not-a-folder");
    std::fs::write(&file, "x").unwrap();
    let out = file.join("public");
    let r = run(&[a("build"), a("--root"), a(&s.root), a("--out"), a(&out)]);
    r.expect_code(2);
    let first = r.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!(
            "错误：无法创建输出目录的上级目录 {}：",
            file.display()
        )),
        "context first, then the cause after a full-width colon: {first}"
    );
    assert!(
        first.len()
            > "错误：无法创建输出目录的上级目录 ：".len() + file.display().to_string().len(),
        "the cause is given: {first}"
    );
    assert!(r.stderr.contains("生成失败，输出目录"), "{}", r.stderr);
}

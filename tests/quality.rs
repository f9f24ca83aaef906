//! The quality bars on the town's real site (README, Testing): zero errors from the W3C Nu HTML checker
//! (vnu.jar) on every page type, and no serious or critical axe-core violation in headless Chromium.
//! The tools come from npm (`npm install --prefix .ci/node vnu-jar axe-core`, done by `.ci/run`);
//! without them the tests skip loudly, and fail under `DUALPREV_REQUIRE_BROWSER=1`.

use crate::common;

use crate::common::{chromium_path, skip_group};
use std::path::{Path, PathBuf};
use std::process::Command;

fn tool(env: &str, rel: &str) -> Option<PathBuf> {
    let p = std::env::var_os(env).map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(".ci/node/node_modules")
            .join(rel)
    });
    p.exists().then_some(p)
}

fn skip_or_fail(why: &str) {
    skip_group(
        "quality checks (Nu HTML checker, axe-core)",
        why,
        "Install with: npm install --prefix .ci/node --no-audit --no-fund vnu-jar axe-core; apt-get install -y chromium default-jre-headless",
    );
}

/// One page of every type the site generates (the enterprise's yearly report is added by
/// [`pages`]: its year comes from the data).
const PAGES: &[&str] = &[
    // Home, about, not found.
    "index.html",
    "about/index.html",
    "404.html",
    // The town plan and the year reports' index.
    "plan/index.html",
    "reports/index.html",
    "enterprises/lianshan-machinery/report-2025/index.html",
    "handbook/sources/index.html",
    // Enterprises: the index, one enterprise and each of its sub-pages.
    "enterprises/index.html",
    "enterprises/xinqiao-casting/index.html",
    "enterprises/xinqiao-casting/bulletin/index.html",
    "enterprises/xinqiao-casting/cards/index.html",
    "enterprises/xinqiao-casting/cards/1/index.html",
    "enterprises/xinqiao-casting/cards/a5/index.html",
    "enterprises/xinqiao-casting/four-colour/index.html",
    "enterprises/lianshan-furniture/index.html",
    // Handbook: index, manuals, chapters, print versions, topics, glossary, training.
    "handbook/index.html",
    "handbook/small-micro/index.html",
    "handbook/small-micro/04-risk-assessment/index.html",
    "handbook/small-micro/11-faq/index.html",
    "handbook/large-medium/08-hazard-remediation/index.html",
    "handbook/small-micro/print/index.html",
    "handbook/large-medium/print/index.html",
    "handbook/topics/print/index.html",
    "handbook/topics/index.html",
    "handbook/topics/有限空间作业/index.html",
    "handbook/glossary/index.html",
    "handbook/training/index.html",
    // Ledgers: the town's, a facet, hazards, risks.
    "ledger/index.html",
    "ledger/village/新桥社区/index.html",
    "ledger/hazards/index.html",
    "ledger/risks/index.html",
    // Notices: the index and a notice.
    "notices/index.html",
    "notices/2025-06-20-midyear-progress/index.html",
    // Search, showcase, standards.
    "search/index.html",
    "showcase/index.html",
    "standards/index.html",
    "standards/small-micro/index.html",
    "standards/large-medium/index.html",
];

/// [`PAGES`] in `out`, plus the first yearly report of the enterprise; each must exist.
fn pages(out: &Path) -> Vec<String> {
    let mut pages: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
    let report = std::fs::read_dir(out.join("enterprises/xinqiao-casting"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("report-"))
        .min()
        .expect("enterprises/xinqiao-casting has a yearly report page");
    pages.push(format!("enterprises/xinqiao-casting/{report}/index.html"));
    for p in &pages {
        assert!(out.join(p).is_file(), "{p} was not generated");
    }
    pages
}

fn built() -> (common::Site, PathBuf) {
    let site = common::repo_site();
    let out = site.out();
    let r = site.build(&["--quiet"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    (site, out)
}

#[test]
fn html_is_valid() {
    let Some(jar) = tool("DUALPREV_VNU_JAR", "vnu-jar/build/dist/vnu.jar") else {
        return skip_or_fail("vnu.jar not found");
    };
    if Command::new("java").arg("-version").output().is_err() {
        return skip_or_fail("java not found");
    }
    let (_tmp, out) = built();
    let files: Vec<PathBuf> = pages(&out).iter().map(|p| out.join(p)).collect();
    let o = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--format", "text"])
        .args(&files)
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
    // vnu's text format starts each message with "Error:" (or "error:" for a fatal one).
    let errors = report
        .lines()
        .filter(|l| l.to_lowercase().starts_with("error:") || l.contains(" error: "))
        .count();
    assert!(
        o.status.success() && errors == 0,
        "the Nu HTML checker found {errors} errors in {} pages:\n{report}",
        files.len()
    );
}

#[test]
fn no_serious_accessibility_violations() {
    let Some(axe) = tool("DUALPREV_AXE_JS", "axe-core/axe.min.js") else {
        return skip_or_fail("axe-core not found");
    };
    let chrome = chromium_path();
    if !chrome.exists() {
        return skip_or_fail("chromium not found");
    }
    let (_tmp, out) = built();
    std::fs::copy(&axe, out.join("axe.min.js")).unwrap();
    let mut problems = Vec::new();
    for page in &pages(&out) {
        let file = out.join(page);
        let depth = page.matches('/').count();
        let html = std::fs::read_to_string(&file).unwrap();
        let script = format!(
            "<script src=\"{}axe.min.js\"></script><script>axe.run(document,{{runOnly:['wcag2a','wcag2aa','best-practice']}}).then(function(r){{var o=document.createElement('pre');o.id='axe-out';o.textContent='AXE'+JSON.stringify(r.violations.filter(function(v){{return v.impact==='serious'||v.impact==='critical'}}).map(function(v){{return v.id+' '+v.nodes.slice(0,3).map(function(n){{return n.target.join(' ')}}).join(', ')}}))+'END';document.body.appendChild(o);}});</script>",
            "../".repeat(depth)
        );
        let probe = file.with_file_name("axe-probe.html");
        std::fs::write(&probe, html.replace("</body>", &format!("{script}</body>"))).unwrap();
        let profile = tempfile::tempdir().unwrap();
        let dom = Command::new(&chrome)
            .args(common::CHROMIUM_FLAGS)
            .args([
                "--headless",
                "--allow-file-access-from-files",
                "--virtual-time-budget=15000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("file://{}", probe.display()))
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&dom.stdout);
        let Some(start) = dom.find("AXE[") else {
            problems.push(format!("{page}: axe did not run"));
            continue;
        };
        let result = &dom[start + 3..dom[start..].find("END").map_or(dom.len(), |e| start + e)];
        if result != "[]" {
            problems.push(format!("{page}: {result}"));
        }
    }
    assert!(
        problems.is_empty(),
        "serious or critical axe-core violations:\n{}",
        problems.join("\n")
    );
}

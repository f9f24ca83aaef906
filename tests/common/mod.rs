//! Helpers shared by the integration tests: fixture sites copied into temporary folders, the
//! `dualprev` binary run with arguments, and output folders read back as text or as whole snapshots.
//!
//! Fixtures live in `tests/fixtures/<name>/` and are never built in place: every test copies the one
//! it needs into a fresh temporary directory first.

#![allow(dead_code)]

pub mod browser;

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// The as-of date every build in the tests uses, so that nothing depends on the clock.
pub const AS_OF: &str = "2025-06-30";

/// Chromium flags every test run uses: no sandbox (containers), no GPU, nothing that goes online.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Path of the binary under test: the one cargo built, or `DUALPREV_BIN` (to measure another
/// build, say the previous commit's, with the same tests).
pub fn bin() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("DUALPREV_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_dualprev").to_string())
    })
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Recursively copies the directory `src` into `dst` (created if needed).
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap_or_else(|e| panic!("create {}: {e}", dst.display()));
    let mut entries: Vec<_> = std::fs::read_dir(src)
        .unwrap_or_else(|e| panic!("read_dir {}: {e}", src.display()))
        .map(|e| e.unwrap())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let from = entry.path();
        let to = dst.join(entry.file_name());
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            copy_dir(&from, &to);
        } else if ft.is_file() {
            std::fs::copy(&from, &to)
                .unwrap_or_else(|e| panic!("copy {} -> {}: {e}", from.display(), to.display()));
        }
    }
}

/// A temporary directory holding a copy of a fixture at `<tmp>/site`.
pub struct Site {
    pub tmp: TempDir,
    pub root: PathBuf,
}

impl Site {
    /// Where builds of this site go by default in the tests: `<tmp>/out` (outside the site root).
    pub fn out(&self) -> PathBuf {
        self.tmp.path().join("out")
    }

    /// A path inside the temporary directory (not inside the site).
    pub fn tmp_path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// Writes a file under the site root (creating folders), as raw bytes.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let p = self.root.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    }

    /// `dualprev build --root <site> --out <out> --as-of 2025-06-30 <extra…>`.
    pub fn build_into(&self, out: &Path, extra: &[&str]) -> Run {
        let mut args: Vec<&OsStr> = vec![
            OsStr::new("build"),
            OsStr::new("--root"),
            self.root.as_os_str(),
            OsStr::new("--out"),
            out.as_os_str(),
            OsStr::new("--as-of"),
            OsStr::new(AS_OF),
        ];
        args.extend(extra.iter().map(OsStr::new));
        run(&args)
    }

    /// Builds into [`Site::out`].
    pub fn build(&self, extra: &[&str]) -> Run {
        self.build_into(&self.out(), extra)
    }

    /// `dualprev check --root <site> --as-of 2025-06-30`.
    pub fn check(&self) -> Run {
        run(&[
            OsStr::new("check"),
            OsStr::new("--root"),
            self.root.as_os_str(),
            OsStr::new("--as-of"),
            OsStr::new(AS_OF),
        ])
    }

    /// Replaces the site's `content/` and `data/` (and any `templates/`, `static/`) by those of
    /// another fixture: "the author edits the site and breaks it".
    pub fn replace_with(&self, fixture_name: &str) {
        for dir in ["content", "data", "templates", "static"] {
            let p = self.root.join(dir);
            if p.exists() {
                std::fs::remove_dir_all(&p).unwrap();
            }
        }
        let src = fixture(fixture_name);
        for dir in ["content", "data", "templates", "static"] {
            if src.join(dir).is_dir() {
                copy_dir(&src.join(dir), &self.root.join(dir));
            }
        }
    }
}

/// Copies the fixture `name` into a new temporary directory.
pub fn site(name: &str) -> Site {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("site");
    let src = fixture(name);
    assert!(src.is_dir(), "fixture {} is missing", src.display());
    copy_dir(&src, &root);
    Site { tmp, root }
}

/// A copy of the repository's own site (its content/ and data/) at `<tmp>/site`; from
/// `DUALPREV_REPO` when set (with `DUALPREV_BIN`, to measure another checkout with these tests).
pub fn repo_site() -> Site {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("site");
    let repo = std::env::var_os("DUALPREV_REPO")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let repo = repo.as_path();
    copy_dir(&repo.join("content"), &root.join("content"));
    copy_dir(&repo.join("data"), &root.join("data"));
    Site { tmp, root }
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// Exit code (`-1` when killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with both streams shown unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "expected exit status {code}, got {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn ok(&self) -> &Self {
        self.expect_code(0)
    }
}

/// Runs the binary with `args`.
pub fn run<S: AsRef<OsStr>>(args: &[S]) -> Run {
    run_env(args, &[])
}

/// Runs the binary with `args` and extra environment variables.
pub fn run_env<S: AsRef<OsStr>>(args: &[S], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(bin());
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("failed to run dualprev");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Reads `dir/rel` as UTF-8 text, with a helpful panic when it is missing.
#[track_caller]
pub fn read(dir: &Path, rel: &str) -> String {
    let p = dir.join(rel);
    match std::fs::read(&p) {
        Ok(b) => String::from_utf8(b).unwrap_or_else(|_| panic!("{} is not UTF-8", p.display())),
        Err(e) => {
            let listing: Vec<String> = snapshot(dir).into_keys().collect();
            panic!(
                "cannot read {}: {e}\nfiles in {}:\n{}",
                p.display(),
                dir.display(),
                listing.join("\n")
            )
        }
    }
}

/// Every regular file under `dir`: relative path (with `/`) → bytes. Empty when `dir` does not exist.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if dir.exists() {
        collect(dir, dir, &mut out);
    }
    out
}

fn collect(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let p = entry.path();
        let ft = entry.file_type().unwrap();
        if ft.is_dir() {
            collect(base, &p, out);
        } else {
            let rel: Vec<String> = p
                .strip_prefix(base)
                .unwrap()
                .components()
                .map(|c| {
                    c.as_os_str()
                        .to_str()
                        .expect("output path is not UTF-8")
                        .to_string()
                })
                .collect();
            out.insert(rel.join("/"), std::fs::read(&p).unwrap());
        }
    }
}

/// Names of the entries directly inside `dir`, sorted.
pub fn list_dir(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A short description of how two snapshots differ (for assertion messages).
pub fn diff(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> String {
    let mut lines = Vec::new();
    for k in a.keys() {
        match b.get(k) {
            None => lines.push(format!("only in first:  {k}")),
            Some(v) if v != &a[k] => {
                let (x, y) = (&a[k], v);
                let at = x
                    .iter()
                    .zip(y.iter())
                    .position(|(p, q)| p != q)
                    .unwrap_or(x.len().min(y.len()));
                let ctx = |s: &[u8]| {
                    String::from_utf8_lossy(&s[at.saturating_sub(60)..(at + 60).min(s.len())])
                        .into_owned()
                };
                lines.push(format!(
                    "differs:        {k} (at byte {at})\n    first:  {:?}\n    second: {:?}",
                    ctx(x),
                    ctx(y)
                ));
            }
            _ => {}
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) {
            lines.push(format!("only in second: {k}"));
        }
    }
    lines.truncate(30);
    lines.join("\n")
}

/// An output without what only `build` makes: the offline copy's zip, and the link to it with its
/// size (the preview says there instead that a build makes the zip; the search index does not
/// hold either).
pub fn without_offline_zip(mut snap: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    const START: &str = "<div class=\"offline-download\"><p class=\"noindex\">";
    snap.remove("offline/site-offline.zip");
    for bytes in snap.values_mut() {
        let html = String::from_utf8_lossy(bytes).into_owned();
        let Some(i) = html.find(START) else { continue };
        let rest = &html[i + START.len()..];
        let Some(j) = rest.find("</p>") else { continue };
        *bytes = format!("{}{START}{}", &html[..i], &rest[j..]).into_bytes();
    }
    snap
}

/// Percent-encodes a URL path the way sitemap and links do: every byte except ASCII letters, digits,
/// `-`, `_`, `.`, `~` and `/`.
pub fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (UTF-8).
pub fn unpct(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Undoes the HTML escaping of attribute values and text.
pub fn unescape_html(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every value of `attr="…"` in `html`, in document order.
pub fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        let after = &rest[i + needle.len()..];
        let end = after.find('"').unwrap_or(after.len());
        out.push(unescape_html(&after[..end]));
        rest = &after[end..];
    }
    out
}

/// The `id` attributes of `html` (unescaped).
pub fn ids(html: &str) -> Vec<String> {
    attr_values(html, "id")
}

/// Display columns of the text before a caret, counted by hand for the quoted lines the tests
/// point into after non-ASCII text: a CJK character or a full-width punctuation mark (，。：《》)
/// takes two columns, an ASCII character one. Written out on purpose rather than computed, so the
/// caret check does not reuse the code's own width rules. A new test whose caret follows
/// non-ASCII text adds its prefix here, counted by hand.
const CARET_COLUMNS: &[(&str, usize)] = &[
    // 共 + space: 2 + 1.
    ("共 ", 3),
    // 文字 [ 坏链接 ]( : 4 + 1 + 6 + 2.
    ("文字[坏链接](", 13),
    // 见上一章： [ 上一章 ]( : 10 + 1 + 6 + 2.
    ("见上一章：[上一章](", 19),
    // "- " 列表项： [ 另一页 ]( : 2 + 8 + 1 + 6 + 2.
    ("- 列表项：[另一页](", 19),
    // 参见《手册》 [ 风险辨识 ]( : 12 + 1 + 8 + 2.
    ("参见《手册》[风险辨识](", 23),
    // `high_risk = [` 13, "金属冶炼" 1 + 8 + 1, `, ` 2.
    ("high_risk = [\"金属冶炼\", ", 25),
    // `principal = { name = ` 21, "司徒静怡" 1 + 8 + 1, `, ` 2.
    ("principal = { name = \"司徒静怡\", ", 33),
];

/// Columns before the caret when the quoted line up to the caret is `before`: its length when it
/// is ASCII, else its hand-counted entry in [`CARET_COLUMNS`] (the test fails if there is none).
#[track_caller]
pub fn caret_columns(before: &str) -> usize {
    if before.is_ascii() {
        return before.len();
    }
    match CARET_COLUMNS.iter().find(|(text, _)| *text == before) {
        Some((_, columns)) => *columns,
        None => panic!(
            "no hand-counted width for the text before the caret {before:?}: \
             add it to CARET_COLUMNS in tests/common/mod.rs"
        ),
    }
}

/// Checks the rendered diagnostic at `location` (`file:line:column`) in `stderr`: the `-->` line is
/// there, the quoted source line is `source_line`, and the caret line's first `^` sits under the
/// character at `column` (counting wide characters as two columns).
#[track_caller]
pub fn assert_diagnostic(stderr: &str, message_part: &str, location: &str, source_line: &str) {
    assert_located("错误：", stderr, message_part, location, source_line);
}

/// [`assert_diagnostic`] for a warning.
#[track_caller]
pub fn assert_warning(stderr: &str, message_part: &str, location: &str, source_line: &str) {
    assert_located("警告：", stderr, message_part, location, source_line);
}

#[track_caller]
fn assert_located(
    severity: &str,
    stderr: &str,
    message_part: &str,
    location: &str,
    source_line: &str,
) {
    let lines: Vec<&str> = stderr.lines().collect();
    let arrow = format!("--> {location}");
    let Some(at) = lines.iter().position(|l| l.trim_start() == arrow) else {
        panic!("no line `{arrow}` in stderr:\n{stderr}");
    };
    assert!(at > 0, "`{arrow}` is the first line:\n{stderr}");
    assert!(
        lines[at - 1].starts_with(severity) && lines[at - 1].contains(message_part),
        "the line before `{arrow}` should be {severity} containing {message_part:?}, got {:?}\n{stderr}",
        lines[at - 1]
    );
    let column: usize = location.rsplit(':').next().unwrap().parse().unwrap();
    // The gutter line, the quoted line, the caret line.
    let quoted = lines.get(at + 2).copied().unwrap_or_default();
    let caret = lines.get(at + 3).copied().unwrap_or_default();
    let (q_gutter, q_text) = quoted
        .split_once(" | ")
        .unwrap_or_else(|| panic!("no quoted source line after `{arrow}`:\n{stderr}"));
    assert_eq!(
        q_text, source_line,
        "quoted source line for {location}\n{stderr}"
    );
    let line_no = location.rsplit(':').nth(1).unwrap();
    assert_eq!(
        q_gutter.trim(),
        line_no,
        "line number in the gutter for {location}\n{stderr}"
    );
    let bar = q_gutter.len() + 1; // byte index of `|` in the quoted line, the same in the caret line
    assert_eq!(
        caret.find('|'),
        Some(bar),
        "caret line not aligned with the quoted line for {location}:\n{quoted}\n{caret}"
    );
    let marks = &caret[bar + 2..];
    let before: String = source_line.chars().take(column - 1).collect();
    let spaces = marks.len() - marks.trim_start().len();
    assert_eq!(
        spaces,
        caret_columns(&before),
        "caret for {location} should start under column {column}:\n{quoted}\n{caret}"
    );
    assert!(
        marks.trim_start().starts_with('^'),
        "no caret under {location}:\n{caret}"
    );
}

/// Shorthand for building argument lists of mixed strings and paths: `run(&[a("build"), a(&root)])`.
pub fn a<S: AsRef<OsStr> + ?Sized>(s: &S) -> &OsStr {
    s.as_ref()
}

/// Skips a group of tests loudly, or fails it when `DUALPREV_REQUIRE_BROWSER=1` (as in CI).
/// The notice is written to the process's stderr directly — the harness captures `eprintln!`
/// and hides it for a passing test — and recorded for the run's summary (`tests/zz_skipped.rs`,
/// which cargo runs last).
pub fn skip_group(group: &str, why: &str, install: &str) {
    use std::io::Write;
    if std::env::var("DUALPREV_REQUIRE_BROWSER").as_deref() == Ok("1") {
        panic!("DUALPREV_REQUIRE_BROWSER=1 but {group} cannot run: {why}");
    }
    let bar = "!".repeat(88);
    let msg = format!(
        "\n{bar}\n!!! SKIPPED {group}: {why}\n!!! {install}\n\
         !!! (set DUALPREV_REQUIRE_BROWSER=1 to make this a failure)\n{bar}\n"
    );
    let _ = std::io::stderr().write_all(msg.as_bytes());
    let _ = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(skip_log())
        .and_then(|mut f| writeln!(f, "{group}\t{why}"));
}

/// Where this `cargo test` run's skips are recorded: one file per run, keyed by the parent
/// process (cargo), which every test binary of the run shares.
pub fn skip_log() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "skipped-{}.tsv",
        std::os::unix::process::parent_id()
    ))
}

/// The browser executable: `DUALPREV_CHROMIUM`, or Debian's `/usr/bin/chromium`.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("DUALPREV_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Replaces the one occurrence of `old` in the site file `rel` (the test fails if there is not
/// exactly one).
#[track_caller]
pub fn replace_once(s: &Site, rel: &str, old: &str, new: &str) {
    let p = s.root.join(rel);
    let src = std::fs::read_to_string(&p).unwrap();
    assert_eq!(
        src.matches(old).count(),
        1,
        "{rel} should hold {old:?} once"
    );
    std::fs::write(&p, src.replacen(old, new, 1)).unwrap();
}

/// The text of an HTML fragment: tags dropped, entities decoded, whitespace runs as one space.
pub fn page_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape_html(&out.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Runs `check` on every case, `threads` at a time, then fails once listing every case that
/// failed with its panic message: a table-driven test reports all its broken rows, not the first.
pub fn check_all<C: Sync>(
    cases: &[C],
    threads: usize,
    name: impl Fn(&C) -> &str + Sync,
    check: impl Fn(&C) + Sync,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                while let Some(c) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let outcome =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(c)));
                    if let Err(e) = outcome {
                        let why = e
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        failures.lock().unwrap().push(format!("{}: {why}", name(c)));
                    }
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

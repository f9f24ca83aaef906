//! Property tests: "any byte input → an error or a value, never a panic; spans always
//! inside the file". Part of the normal run (`cargo test --release --test main proptests::`): every
//! property runs at most 256 cases and the whole file takes a few seconds in release mode.
//!
//! Covered:
//! 1. front matter: `load::frontmatter::split` / `parse` on any text, and a round trip of generated
//!    front matter (title, weight, unknown keys) around any body;
//! 2. TOML records: `load::enterprise::parse` (also `load::standard::parse` and
//!    `load::site_config::parse`) on any text and on a real record mutated line by line; every span
//!    the record keeps lies inside the file on character boundaries, and the `name` span is the value;
//!    arbitrary bytes through `load::source::decode` (UTF-8 or a located error);
//! 3. internal links: `model::markdown::render` with a `RenderCtx` on generated Markdown full of
//!    `[x](@/…)`, relative `.md` and `#anchor` links: good links become the expected relative URLs,
//!    every bad one is exactly one diagnostic pointing at its destination; any Markdown never panics;
//! 4. search: `search::tokenize::tokenize` against a reference implementation of the documented
//!    rules (its own CJK ranges and folding; the expected words and pages come from it, never from
//!    the tokenizer under test), `query_terms`, and recall of every ≥2-character CJK substring (and every Latin word)
//!    through `search::query::query` on a tiny in-memory index built by `search::index` from a
//!    `render::Output` holding a few pages (their HTML, keys and extracted text);
//! 5. diagnostics: `diag::Diagnostic::error_at` with any span on any text never panics and its
//!    line/column (and the caret) stay inside the file.
//!
//! Failure persistence is off: a failing case is printed (with its minimal form) in the test output,
//! and nothing is written into the source tree.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

use dualprev::diag::{Diagnostic, SourceFile, display_width};
use dualprev::load::enterprise::EnterpriseRecord;
use dualprev::load::{enterprise, frontmatter, site_config, source, standard};
use dualprev::model::content::{key_of, root_prefix};
use dualprev::model::markdown::{self, LinkTargets, RenderCtx};
use dualprev::render::Output;
use dualprev::search::query::{self, Hit};
use dualprev::search::tokenize::{query_terms, tokenize};
use dualprev::url::encode_path;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

type TestResult = Result<(), TestCaseError>;

// ---------------------------------------------------------------------------------------------
// Shared checks
// ---------------------------------------------------------------------------------------------

fn src(rel: &str, text: &str) -> SourceFile {
    SourceFile {
        rel: rel.to_string(),
        text: text.to_string(),
    }
}

/// A diagnostic about `text` (named `rel`) points inside it: the line exists, the column is at most
/// one past the line's last character, the quoted line is that line, and the caret in the rendered
/// form starts inside the quoted line and ends at most one column after it.
fn check_diag(d: &Diagnostic, rel: &str, text: &str) -> TestResult {
    prop_assert_eq!(&d.file, rel, "diagnostic names another file: {:?}", d);
    let rendered = d.render();
    prop_assert!(
        rendered.starts_with("错误：") || rendered.starts_with("警告："),
        "rendered diagnostic does not start with 错误/警告: {rendered:?}"
    );
    if d.line == 0 {
        prop_assert_eq!(d.column, 0, "file-level diagnostic with a column: {:?}", d);
        return Ok(());
    }
    let lines: Vec<&str> = text.split('\n').collect();
    prop_assert!(
        d.line >= 1 && d.line <= lines.len(),
        "line {} outside the file ({} lines): {:?}",
        d.line,
        lines.len(),
        d
    );
    let line = lines[d.line - 1];
    let chars = line.chars().count();
    prop_assert!(
        d.column >= 1 && d.column <= chars + 1,
        "column {} outside line {} ({} characters: {:?}): {:?}",
        d.column,
        d.line,
        chars,
        line,
        d
    );
    let expected_quote = line.trim_end_matches('\r').replace('\t', " ");
    prop_assert_eq!(
        d.source_line.as_deref(),
        Some(expected_quote.as_str()),
        "quoted line is not line {} of the file",
        d.line
    );
    // The rendered caret: `--> loc`, ` pad |`, ` num | quote`, ` pad | ^^^`.
    let loc = format!("--> {}:{}:{}", d.file, d.line, d.column);
    let r: Vec<&str> = rendered.split('\n').collect();
    let at = r.iter().position(|l| l.trim_start() == loc);
    prop_assert!(at.is_some(), "no `{}` in {:?}", loc, rendered);
    let at = at.unwrap();
    let caret = r.get(at + 3).copied().unwrap_or_default();
    let num = d.line.to_string();
    let prefix = format!(" {} | ", " ".repeat(num.len()));
    prop_assert!(
        caret.starts_with(&prefix),
        "caret line {:?} does not start with {:?} in {:?}",
        caret,
        prefix,
        rendered
    );
    let marks = &caret[prefix.len()..];
    let spaces = marks.len() - marks.trim_start_matches(' ').len();
    let carets = marks[spaces..].chars().take_while(|c| *c == '^').count();
    prop_assert!(carets >= 1, "no caret in {:?}", rendered);
    prop_assert_eq!(
        spaces + carets,
        marks.len(),
        "junk after the caret: {:?}",
        caret
    );
    let width = display_width(line);
    prop_assert!(
        spaces <= width && spaces + carets <= width + 1,
        "caret ({} spaces, {} marks) outside the quoted line (width {}): {:?}",
        spaces,
        carets,
        width,
        rendered
    );
    Ok(())
}

fn check_diags(diags: &[Diagnostic], rel: &str, text: &str) -> TestResult {
    for d in diags {
        check_diag(d, rel, text)?;
    }
    Ok(())
}

/// "An error or a value": a value comes with no error, no value comes with at least one error.
fn check_outcome<T>(value: &Option<T>, diags: &[Diagnostic], what: &str) -> TestResult {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    match value {
        Some(_) => prop_assert_eq!(
            errors,
            0,
            "{} returned a value and errors: {:?}",
            what,
            diags
        ),
        None => prop_assert!(errors > 0, "{} returned nothing and no error", what),
    }
    Ok(())
}

fn check_span(text: &str, span: &Range<usize>, what: &str) -> TestResult {
    prop_assert!(
        span.start <= span.end && span.end <= text.len(),
        "{} span {:?} outside the file ({} bytes)",
        what,
        span,
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{} span {:?} cuts a character",
        what,
        span
    );
    Ok(())
}

/// Every span a parsed record keeps.
fn record_spans(r: &EnterpriseRecord) -> Vec<(&'static str, Range<usize>)> {
    let mut v: Vec<(&'static str, Range<usize>)> = vec![
        ("name", r.name.span.clone()),
        ("uscc", r.uscc.span.clone()),
        ("employees", r.employees.span.clone()),
    ];
    for (w, s) in [
        ("village", &r.village),
        ("department", &r.department),
        ("liaison", &r.liaison),
    ] {
        if let Some(s) = s {
            v.push((w, s.span.clone()));
        }
    }
    v.extend(r.high_risk.iter().map(|h| ("high_risk", h.span.clone())));
    for (k, d) in &r.milestones {
        v.push(("milestone key", k.span.clone()));
        v.push(("milestone date", d.span.clone()));
    }
    v.extend(r.posts.iter().map(|p| ("post", p.name.span.clone())));
    for x in &r.risks {
        v.push(("risk id", x.id.span.clone()));
        v.push(("risk method", x.method.span.clone()));
        if let Some(p) = &x.post {
            v.push(("risk post", p.span.clone()));
        }
        if let Some(l) = &x.level {
            v.push(("risk level", l.span.clone()));
        }
        for f in [&x.l, &x.e, &x.c, &x.s].into_iter().flatten() {
            v.push(("risk factor", f.span.clone()));
        }
    }
    for h in &r.hazards {
        v.push(("hazard id", h.id.span.clone()));
        v.push(("hazard found", h.found.span.clone()));
        v.push(("hazard grade", h.grade.span.clone()));
        if let Some(x) = &h.risk {
            v.push(("hazard risk", x.span.clone()));
        }
        for d in [&h.deadline, &h.rectified, &h.accepted]
            .into_iter()
            .flatten()
        {
            v.push(("hazard date", d.span.clone()));
        }
    }
    for c in &r.contacts {
        v.push(("contact date", c.date.span.clone()));
        v.push(("contact liaison", c.liaison.span.clone()));
    }
    for e in &r.evaluations {
        v.push(("evaluation date", e.date.span.clone()));
        v.push(("evaluation standard", e.standard.span.clone()));
        v.extend(
            e.not_applicable
                .iter()
                .map(|x| ("not_applicable", x.span.clone())),
        );
        v.extend(e.vetoed.iter().map(|x| ("vetoed", x.span.clone())));
        for (k, n) in &e.scores {
            v.push(("score key", k.span.clone()));
            v.push(("score value", n.span.clone()));
        }
    }
    v
}

/// Parses a record; checks the outcome, every diagnostic and every span.
fn parse_record(text: &str) -> Result<Option<EnterpriseRecord>, TestCaseError> {
    let rel = "data/enterprises/prop.toml";
    let file = Arc::new(src(rel, text));
    let mut diags = Vec::new();
    let rec = enterprise::parse(file, "prop", &mut diags);
    check_outcome(&rec, &diags, "enterprise::parse")?;
    check_diags(&diags, rel, text)?;
    if let Some(r) = &rec {
        for (what, span) in record_spans(r) {
            check_span(text, &span, what)?;
        }
        // The name's span is the value itself: reading that slice as TOML gives the name back.
        let literal = &text[r.name.span.clone()];
        let back: Result<toml::Table, _> = toml::from_str(&format!("v = {literal}"));
        prop_assert!(
            back.as_ref()
                .ok()
                .and_then(|t| t.get("v"))
                .and_then(|v| v.as_str())
                == Some(r.name.v.as_str()),
            "name span {:?} holds {:?}, not the name {:?}",
            r.name.span,
            literal,
            r.name.v
        );
        let literal = &text[r.employees.span.clone()];
        let back: Result<toml::Table, _> = toml::from_str(&format!("v = {literal}"));
        prop_assert_eq!(
            back.ok()
                .and_then(|t| t.get("v").and_then(|v| v.as_integer())),
            Some(r.employees.v as i64),
            "employees span holds {:?}",
            literal
        );
    }
    Ok(rec)
}

/// A TOML basic string literal for any text.
fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

// ---------------------------------------------------------------------------------------------
// 1. Front matter
// ---------------------------------------------------------------------------------------------

/// Text that often looks like front matter: lines drawn from a pool, `+++` among them.
fn frontmatterish() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        3 => Just("+++".to_string()),
        1 => Just("+++  ".to_string()),
        1 => Just(" +++".to_string()),
        1 => Just("++".to_string()),
        2 => Just("title = \"标题\"".to_string()),
        1 => Just("title = \"\"".to_string()),
        1 => Just("title = 3".to_string()),
        1 => Just("weight = 2".to_string()),
        1 => Just("weight = \"2\"".to_string()),
        1 => Just("date = 2025-02-30".to_string()),
        1 => Just("date = 2025-03-01".to_string()),
        1 => Just("date = \"2025-03-01\"".to_string()),
        1 => Just("draft = true".to_string()),
        1 => Just("template = \"page.html\"".to_string()),
        1 => Just("wieght = 1".to_string()),
        1 => Just("[extra]".to_string()),
        1 => Just("title = \"\"\"".to_string()),
        1 => Just("= =".to_string()),
        1 => Just(String::new()),
        2 => "[^\n]{0,12}",
    ];
    (
        proptest::collection::vec(line, 0..10),
        prop_oneof![Just("\n"), Just("\r\n")],
        any::<bool>(),
    )
        .prop_map(|(lines, nl, trailing)| {
            let mut s = lines.join(nl);
            if trailing {
                s.push_str(nl);
            }
            s
        })
}

fn check_split(text: &str) -> TestResult {
    if let Some((fm, body)) = frontmatter::split(text) {
        prop_assert!(
            fm.start <= fm.end && fm.end <= body && body <= text.len(),
            "split ranges out of order: {:?}, {} (len {})",
            fm,
            body,
            text.len()
        );
        for i in [fm.start, fm.end, body] {
            prop_assert!(
                text.is_char_boundary(i),
                "split offset {} cuts a character",
                i
            );
        }
        prop_assert!(fm.start >= 1 && &text[fm.start - 1..fm.start] == "\n");
        prop_assert_eq!(text[..fm.start - 1].trim_end(), "+++");
        prop_assert!(fm.end == 0 || &text[fm.end - 1..fm.end] == "\n");
        let closing_end = text[fm.end..].find('\n').map_or(text.len(), |i| fm.end + i);
        prop_assert_eq!(text[fm.end..closing_end].trim_end(), "+++");
        prop_assert!(body == text.len() || body == closing_end + 1);
        // No earlier line of the front matter closes it.
        for l in text[fm.clone()].split('\n') {
            prop_assert!(
                l.trim_end() != "+++",
                "an earlier +++ line was skipped: {:?}",
                text
            );
        }
    } else if let Some(first) = text.split('\n').next()
        && first.trim_end() == "+++"
        && text.contains('\n')
    {
        // Opened but never closed: no later line may be a closing `+++`.
        for l in text.split('\n').skip(1) {
            prop_assert!(
                l.trim_end() != "+++",
                "split missed the closing line in {:?}",
                text
            );
        }
    }
    Ok(())
}

fn check_frontmatter_parse(text: &str) -> TestResult {
    let rel = "content/prop.md";
    let s = src(rel, text);
    let mut diags = Vec::new();
    let out = frontmatter::parse(&s, &mut diags);
    check_outcome(&out, &diags, "frontmatter::parse")?;
    check_diags(&diags, rel, text)?;
    if let Some((_, body)) = out {
        prop_assert!(body <= text.len() && text.is_char_boundary(body));
        prop_assert_eq!(Some(body), frontmatter::split(text).map(|(_, b)| b));
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn frontmatter_split_any_text(text in any::<String>()) {
        check_split(&text)?;
        check_frontmatter_parse(&text)?;
    }

    #[test]
    fn frontmatter_split_and_parse_frontmatterish_text(text in frontmatterish()) {
        check_split(&text)?;
        // parse() sees files after decode(), which has turned CRLF into LF.
        check_frontmatter_parse(&text.replace("\r\n", "\n"))?;
    }

    /// Generated front matter around any body: the title and weight come back, the body starts
    /// where it was put, and an unknown key is one error on its own line.
    #[test]
    fn frontmatter_round_trip(
        title in "[^\r\n]{0,24}",
        weight in any::<i32>(),
        unknown in proptest::option::of("[a-z]{3,8}"),
        body in any::<String>(),
    ) {
        let mut fm = format!("title = {}\nweight = {weight}\n", toml_str(&title));
        let unknown = unknown.filter(|k| !frontmatter::KEYS.contains(&k.as_str()));
        if let Some(k) = &unknown {
            fm.push_str(&format!("{k} = 1\n"));
        }
        let text = format!("+++\n{fm}+++\n{body}");
        let rel = "content/prop.md";
        let s = src(rel, &text);
        let mut diags = Vec::new();
        let out = frontmatter::parse(&s, &mut diags);
        check_diags(&diags, rel, &text)?;
        check_outcome(&out, &diags, "frontmatter::parse")?;
        let bad_title = title.trim().is_empty();
        match (&out, &unknown, bad_title) {
            (Some((f, start)), None, false) => {
                prop_assert_eq!(&f.title, &title);
                prop_assert_eq!(f.weight, weight as i64);
                prop_assert_eq!(&text[*start..], body.as_str());
            }
            (None, Some(k), _) => {
                let d = diags.iter().find(|d| d.message.contains(&format!("“{k}”")));
                prop_assert!(d.is_some(), "no error names the unknown key {:?}: {:?}", k, diags);
                let d = d.unwrap();
                prop_assert_eq!((d.line, d.column), (4, 1));
            }
            (None, None, true) => {
                prop_assert!(diags.iter().any(|d| d.message.contains("title")), "{:?}", diags);
            }
            (out, unknown, bad) => {
                prop_assert!(false, "unexpected outcome {:?} (unknown key {:?}, empty title {})", out.as_ref().map(|o| &o.0.title), unknown, bad);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. TOML records and decoding
// ---------------------------------------------------------------------------------------------

const RECORD: &str = include_str!("fixtures/town-small/data/enterprises/qiaotou-foundry.toml");
const STANDARD: &str = include_str!("fixtures/town-small/data/standards/small-micro.toml");
const SITE: &str = include_str!("fixtures/town-small/data/site.toml");

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Duplicate(usize),
    /// Replace the value of the n-th `key = value` line by any string.
    AnyString(usize, String),
    /// Replace the value of the n-th `key = value` line by a value from a pool.
    Value(usize, &'static str),
    Insert(usize, String),
    Truncate(usize),
}

const VALUES: &[&str] = &[
    "\"abc\"",
    "\"\"",
    "12",
    "-3",
    "0",
    "1.5",
    "-0.0",
    "nan",
    "inf",
    "9999999999999999999",
    "0x10",
    "1_000",
    "true",
    "2024-13-01",
    "2024-02-30",
    "2024-02-29",
    "\"2024-01-01\"",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "[1, \"a\"]",
    "[]",
    "[\"粉尘涉爆\", \"粉尘涉爆\"]",
    "{ a = 1 }",
    "{}",
    "\"重大\"",
    "\"直接判定\"",
    "\"L99\"",
    "\"R01\"",
    "'''多行\n文本'''",
    "\"\\u0000\"",
    "\"\\uD800\"",
];

fn inserted_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("unknown_key = 1".to_string()),
        Just("nmae = \"x\"".to_string()),
        Just("name = \"重复的键\"".to_string()),
        Just("[[hazards]]".to_string()),
        Just("[[hazards]]\nid = \"H9\"\nfound = 2025-01-01\ndescription = \"x\"\ngrade = \"重大\"".to_string()),
        Just("[[risks]]\nid = \"R09\"\nmethod = \"LS\"\nl = 9\ns = 0.5".to_string()),
        Just("[[posts]]\nname = \"熔炼工\"".to_string()),
        Just("[private]".to_string()),
        Just("[safety_org]".to_string()),
        Just("[milestones]\nnot_a_milestone = 2024-01-01".to_string()),
        Just("[[evaluations]]\ndate = 2025-01-01\nstandard = \"nope\"\n[evaluations.scores]\n\"9.9\" = -1".to_string()),
        Just("=".to_string()),
        Just("\"\"\"".to_string()),
        Just("[".to_string()),
        Just("a.b.c = 1".to_string()),
        Just("\u{feff}".to_string()),
        "[^\n]{0,20}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let idx = 0usize..400;
    prop_oneof![
        2 => idx.clone().prop_map(Mutation::Delete),
        1 => idx.clone().prop_map(Mutation::Duplicate),
        3 => (idx.clone(), any::<String>()).prop_map(|(i, s)| Mutation::AnyString(i, s)),
        3 => (idx.clone(), proptest::sample::select(VALUES)).prop_map(|(i, v)| Mutation::Value(i, v)),
        2 => (idx.clone(), inserted_line()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        1 => (0usize..20_000).prop_map(Mutation::Truncate),
    ]
}

fn mutate(text: &str, muts: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in muts {
        let n = lines.len().max(1);
        match m {
            Mutation::Delete(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            Mutation::Duplicate(i) if !lines.is_empty() => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            Mutation::AnyString(i, _) | Mutation::Value(i, _) => {
                let with_values: Vec<usize> = (0..lines.len())
                    .filter(|k| lines[*k].contains(" = "))
                    .collect();
                if with_values.is_empty() {
                    continue;
                }
                let k = with_values[i % with_values.len()];
                let key = lines[k].split(" = ").next().unwrap_or("").to_string();
                let value = match m {
                    Mutation::AnyString(_, s) => toml_str(s),
                    Mutation::Value(_, v) => v.to_string(),
                    _ => unreachable!(),
                };
                lines[k] = format!("{key} = {value}");
            }
            Mutation::Insert(i, s) => lines.insert(i % (lines.len() + 1), s.clone()),
            Mutation::Truncate(at) => {
                let joined = lines.join("\n");
                let mut at = (*at).min(joined.len());
                while !joined.is_char_boundary(at) {
                    at -= 1;
                }
                lines = joined[..at].lines().map(str::to_string).collect();
            }
            _ => {}
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn unmutated_fixtures_parse() {
    let rec = parse_record(RECORD).unwrap();
    assert!(rec.is_some(), "the town-small record does not parse");
    let mut d = Vec::new();
    assert!(
        standard::parse(
            Arc::new(src("data/standards/s.toml", STANDARD)),
            "s",
            &mut d
        )
        .is_some()
    );
    assert!(site_config::parse(&src("data/site.toml", SITE), &mut d).is_some());
    assert!(d.iter().all(|d| !d.is_error()), "{d:?}");
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn enterprise_parse_any_text(text in any::<String>()) {
        parse_record(&text)?;
    }

    #[test]
    fn enterprise_parse_mutated_record(muts in proptest::collection::vec(mutation(), 1..5)) {
        let text = mutate(RECORD, &muts);
        parse_record(&text)?;
    }

    #[test]
    fn standard_and_site_config_parse_any_or_mutated_text(
        text in any::<String>(),
        muts in proptest::collection::vec(mutation(), 1..4),
    ) {
        for t in [text.clone(), mutate(STANDARD, &muts)] {
            let rel = "data/standards/prop.toml";
            let mut diags = Vec::new();
            let s = standard::parse(Arc::new(src(rel, &t)), "prop", &mut diags);
            check_outcome(&s, &diags, "standard::parse")?;
            check_diags(&diags, rel, &t)?;
        }
        for t in [text, mutate(SITE, &muts)] {
            let rel = "data/site.toml";
            let mut diags = Vec::new();
            let s = site_config::parse(&src(rel, &t), &mut diags);
            check_outcome(&s, &diags, "site_config::parse")?;
            check_diags(&diags, rel, &t)?;
        }
    }

    /// Any bytes: UTF-8 comes back as text (one BOM dropped, CRLF → LF); anything else is an error
    /// that names the file and the line and column of the first bad byte.
    #[test]
    fn decode_any_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        valid in "[a-z\n\r 安全生产\u{feff}]{0,40}",
        bad in proptest::collection::vec(0x80u8..=0xff, 1..3),
        at in any::<prop::sample::Index>(),
    ) {
        // A mostly valid file with a bad byte or two somewhere, and fully random bytes.
        let mut mostly = valid.clone().into_bytes();
        let cut = {
            let mut i = at.index(valid.len() + 1);
            while !valid.is_char_boundary(i) { i -= 1; }
            i
        };
        for (k, b) in bad.iter().enumerate() {
            mostly.insert(cut + k, *b);
        }
        for input in [bytes, mostly, valid.clone().into_bytes()] {
            let rel = "data/enterprises/bytes.toml";
            match (source::decode(rel, input.clone()), std::str::from_utf8(&input)) {
                (Ok(f), Ok(s)) => {
                    let s = s.strip_prefix('\u{feff}').unwrap_or(s);
                    prop_assert_eq!(f.text, s.replace("\r\n", "\n"));
                    prop_assert_eq!(f.rel, rel);
                }
                (Err(d), Err(e)) => {
                    let prefix = std::str::from_utf8(&input[..e.valid_up_to()]).unwrap();
                    prop_assert_eq!(&d.file, rel);
                    prop_assert!(d.is_error() && d.message.contains("UTF-8"), "{:?}", d);
                    prop_assert_eq!(d.line, prefix.matches('\n').count() + 1);
                    prop_assert_eq!(d.column, prefix.rsplit('\n').next().unwrap().chars().count() + 1);
                    let rendered = d.render();
                    prop_assert!(rendered.contains(&format!("--> {}:{}:{}", rel, d.line, d.column)), "{}", rendered);
                }
                (Ok(f), Err(_)) => prop_assert!(false, "decoded invalid UTF-8 as {:?}", f.text),
                (Err(d), Ok(_)) => prop_assert!(false, "refused valid UTF-8: {:?}", d),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Internal links
// ---------------------------------------------------------------------------------------------

/// The other pages of the generated site: content path and heading ids.
const TARGETS: &[(&str, &[&str])] = &[
    ("_index.md", &[]),
    ("about.md", &["联系我们"]),
    ("handbook/_index.md", &["手册说明"]),
    ("handbook/a.md", &["概述", "lec-法", "section"]),
    ("handbook/风险/辨识.md", &["步骤-1", "步骤-2"]),
    ("notices/2025-通知.md", &[]),
];

/// Pages the generated body may belong to (they are also link targets).
const HOMES: &[&str] = &[
    "x.md",
    "handbook/b.md",
    "handbook/风险/c.md",
    "notices/_index.md",
];

fn link_targets(home: &str, home_ids: &[String]) -> LinkTargets {
    let mut t: LinkTargets = BTreeMap::new();
    for (p, ids) in TARGETS {
        t.insert(
            p.to_string(),
            (key_of(p), ids.iter().map(|s| s.to_string()).collect()),
        );
    }
    t.insert(
        home.to_string(),
        (key_of(home), home_ids.iter().cloned().collect()),
    );
    t
}

/// `to` relative to the folder of `from` (both content paths).
fn relative(from: &str, to: &str) -> String {
    let from_dirs: Vec<&str> =
        from.split('/').collect::<Vec<_>>()[..from.matches('/').count()].to_vec();
    let to_parts: Vec<&str> = to.split('/').collect();
    let to_dirs = &to_parts[..to_parts.len() - 1];
    let common = from_dirs
        .iter()
        .zip(to_dirs)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = "../".repeat(from_dirs.len() - common);
    out.push_str(&to_parts[common..].join("/"));
    out
}

#[derive(Debug, Clone)]
enum LinkKind {
    /// `@/path`, optionally percent-encoded in the relative form instead.
    Abs,
    Rel,
    RelEncoded,
    /// A page that does not exist, written `@/…` or relative.
    MissingAbs(String),
    MissingRel(String),
    /// `#anchor` on this page.
    SamePage,
}

#[derive(Debug, Clone)]
struct Link {
    kind: LinkKind,
    target: usize,
    /// None: no anchor; Some(Ok(i)): the i-th existing id (mod count); Some(Err(s)): a missing one.
    anchor: Option<Result<usize, String>>,
}

fn link() -> impl Strategy<Value = Link> {
    let kind = prop_oneof![
        3 => Just(LinkKind::Abs),
        2 => Just(LinkKind::Rel),
        1 => Just(LinkKind::RelEncoded),
        1 => "[a-z]{1,6}|[缺失页面]{1,3}".prop_map(LinkKind::MissingAbs),
        1 => "[a-z]{1,6}|[缺失页面]{1,3}".prop_map(LinkKind::MissingRel),
        1 => Just(LinkKind::SamePage),
    ];
    let anchor = proptest::option::of(prop_oneof![
        3 => (0usize..8).prop_map(Ok),
        1 => "no-[a-z]{1,5}|无此[锚点]{1,2}".prop_map(Err),
    ]);
    (kind, 0usize..TARGETS.len() + 1, anchor).prop_map(|(kind, target, anchor)| Link {
        kind,
        target,
        anchor,
    })
}

/// Filler text between links: words, CJK, punctuation that cannot open a code span or HTML.
fn filler() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 安全风险隐患排查，。、：；！？]{0,30}"
}

/// A block around the link: a paragraph, a list item, a quote, a heading or a table cell.
fn block() -> impl Strategy<Value = u8> {
    0u8..6
}

struct Built {
    text: String,
    body_start: usize,
    /// (link text, destination as written, expected href or None when it must be an error)
    links: Vec<(String, String, Option<String>)>,
    errors: usize,
}

fn build_body(
    home: &str,
    links: &[Link],
    fillers: &[String],
    blocks: &[u8],
    headings: &[String],
) -> Built {
    let mut body = String::new();
    for (i, h) in headings.iter().enumerate() {
        body.push_str(&format!("{} {h}\n\n", "#".repeat(1 + i % 3)));
    }
    let ids: Vec<String> = markdown::headings(&body)
        .into_iter()
        .map(|h| h.id)
        .collect();
    let root = root_prefix(&key_of(home));
    let mut out = Vec::new();
    let mut errors = 0;
    for (i, l) in links.iter().enumerate() {
        let (target_path, target_ids): (String, Vec<String>) = if l.target < TARGETS.len() {
            let (p, ids) = TARGETS[l.target];
            (p.to_string(), ids.iter().map(|s| s.to_string()).collect())
        } else {
            (home.to_string(), ids.clone())
        };
        let (anchor, anchor_ok) = match &l.anchor {
            None => (None, true),
            Some(Ok(k)) if !target_ids.is_empty() => {
                (Some(target_ids[k % target_ids.len()].clone()), true)
            }
            Some(Ok(_)) => (Some("无此锚点".to_string()), false),
            Some(Err(s)) => (Some(s.clone()), target_ids.contains(s)),
        };
        let hash = anchor.as_ref().map(|a| format!("#{a}")).unwrap_or_default();
        let (dest, expected) = match &l.kind {
            LinkKind::Abs | LinkKind::Rel | LinkKind::RelEncoded => {
                let path = match l.kind {
                    LinkKind::Abs => format!("@/{target_path}"),
                    LinkKind::Rel => relative(home, &target_path),
                    _ => relative(home, &target_path)
                        .split('/')
                        .map(encode_path)
                        .collect::<Vec<_>>()
                        .join("/"),
                };
                let url = format!(
                    "{root}{}{}",
                    encode_path(&key_of(&target_path)),
                    anchor
                        .as_ref()
                        .map(|a| format!("#{}", encode_path(a)))
                        .unwrap_or_default()
                );
                (format!("{path}{hash}"), anchor_ok.then_some(url))
            }
            LinkKind::MissingAbs(n) => (format!("@/nope/{n}.md{hash}"), None),
            LinkKind::MissingRel(n) => (format!("nope-{n}.md{hash}"), None),
            LinkKind::SamePage => {
                let a = match &l.anchor {
                    Some(Ok(k)) if !ids.is_empty() => ids[k % ids.len()].clone(),
                    Some(Err(s)) => s.clone(),
                    _ => "no-anchor-here".to_string(),
                };
                let ok = ids.contains(&a);
                (format!("#{a}"), ok.then(|| format!("#{}", encode_path(&a))))
            }
        };
        if expected.is_none() {
            errors += 1;
        }
        out.push((format!("链接{i}号"), dest, expected));
    }
    for (i, (text, dest, _)) in out.iter().enumerate() {
        let f = fillers.get(i).map_or("", |s| s.as_str()).trim();
        let f = if f.is_empty() { "文字" } else { f };
        let link = format!("[{text}]({dest})");
        let b = blocks.get(i).copied().unwrap_or(0);
        body.push_str(&match b {
            0 => format!("{f} {link} {f}\n\n"),
            1 => format!("- {f} {link}\n- 另一项\n\n"),
            2 => format!("> {link} {f}\n\n"),
            3 => format!("| 列 | 链接 |\n|---|---|\n| {f} | {link} |\n\n"),
            4 => format!("**{f}** _{link}_\n\n"),
            _ => format!("1. {link}\n\n   {f}\n\n"),
        });
    }
    let front = "+++\ntitle = \"链接测试\"\n+++\n";
    Built {
        text: format!("{front}{body}"),
        body_start: front.len(),
        links: out,
        errors,
    }
}

fn no_shortcode(_: &str, _: &BTreeMap<String, String>) -> Result<String, String> {
    Err("本测试不展开短代码".into())
}

/// Byte offset of a 1-based line and column (in characters).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split('\n').take(line - 1).map(|l| l.len() + 1).sum();
    let l = text[start..].split('\n').next().unwrap_or("");
    start + l.char_indices().nth(column - 1).map_or(l.len(), |(i, _)| i)
}

/// The href of the link whose text is `text` in `html`.
fn href_of<'h>(html: &'h str, text: &str) -> Option<&'h str> {
    let end = html.find(&format!("\">{text}</a>"))?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    Some(&html[start..end])
}

fn render_links(b: &Built, home: &str) -> Result<(String, Vec<Diagnostic>), TestCaseError> {
    let file = src(&format!("content/{home}"), &b.text);
    let body = &b.text[b.body_start..];
    let headings = markdown::headings(body);
    let ids: Vec<String> = headings.iter().map(|h| h.id.clone()).collect();
    let targets = link_targets(home, &ids);
    let root = root_prefix(&key_of(home));
    let sc = no_shortcode;
    let ctx = RenderCtx {
        src: &file,
        body_start: b.body_start,
        path: home,
        root: &root,
        headings: &headings,
        targets: &targets,
        shortcode: &sc,
        in_page: None,
        id_prefix: "",
    };
    let mut diags = Vec::new();
    let html = markdown::render(body, &ctx, &mut diags);
    check_diags(&diags, &file.rel, &b.text)?;
    Ok((html, diags))
}

proptest! {
    #![proptest_config(config(256))]

    /// Good links become the expected relative URL; each bad link is exactly one error whose
    /// location is the start of its destination.
    #[test]
    fn internal_links_resolve_or_point_at_the_destination(
        home in proptest::sample::select(HOMES),
        links in proptest::collection::vec(link(), 1..8),
        fillers in proptest::collection::vec(filler(), 8),
        blocks in proptest::collection::vec(block(), 8),
        headings in proptest::collection::vec("[a-zA-Z 安全风险步骤!?]{1,10}", 0..4),
    ) {
        let b = build_body(home, &links, &fillers, &blocks, &headings);
        let (html, diags) = render_links(&b, home)?;
        prop_assert_eq!(
            diags.len(), b.errors,
            "expected {} errors for {:?}\n--- text ---\n{}\n--- diagnostics ---\n{:#?}",
            b.errors, b.links, b.text, diags
        );
        for (text, dest, expected) in &b.links {
            match expected {
                Some(url) => {
                    prop_assert_eq!(
                        href_of(&html, text), Some(url.as_str()),
                        "link {} ({}) on {}\n--- text ---\n{}\n--- html ---\n{}", text, dest, home, b.text, html
                    );
                }
                None => {
                    let d = diags.iter().find(|d| {
                        d.line > 0 && b.text[offset_of(&b.text, d.line, d.column)..].starts_with(dest.as_str())
                    });
                    prop_assert!(
                        d.is_some(),
                        "no error points at the bad destination {:?}\n--- text ---\n{}\n--- diagnostics ---\n{:#?}",
                        dest, b.text, diags
                    );
                }
            }
        }
    }

    /// Any Markdown, with link syntax sprinkled in: never a panic, diagnostics inside the file.
    #[test]
    fn any_markdown_renders(
        home in proptest::sample::select(HOMES),
        parts in proptest::collection::vec(prop_oneof![
            3 => any::<String>(),
            2 => "[\\[\\]()@/#.a-z安全\n `*_<>!|-]{0,20}",
            2 => Just("[x](@/handbook/a.md#概述)".to_string()),
            1 => Just("[x](@/nope.md)".to_string()),
            1 => Just("[x](../../../../x.md)".to_string()),
            1 => Just("[x](#".to_string()),
            1 => Just("![图](@/img/a.png)".to_string()),
            1 => Just("{{ enterprises(keywords=\"粉尘\") }}".to_string()),
            1 => Just("## 标题 {#lec-法}\n".to_string()),
            1 => Just("[^1]\n\n[^1]: 脚注 [y](@/about.md#联系我们)\n".to_string()),
            1 => Just("\n```\n[x](@/nope.md)\n```\n".to_string()),
        ], 0..12),
    ) {
        let body: String = parts.concat();
        let front = "+++\ntitle = \"任意\"\n+++\n";
        let b = Built { text: format!("{front}{body}"), body_start: front.len(), links: Vec::new(), errors: 0 };
        render_links(&b, home)?;
    }
}

/// A relative link that climbs above `content/` cannot resolve to any page: it must be reported
/// like every other broken internal link ("Every internal link and anchor resolves, checked at
/// build time"), not passed through as a dead `href`.
#[test]
fn relative_link_above_the_content_root_is_an_error() {
    for (home, dest) in [
        ("x.md", "../nowhere.md"),
        ("x.md", "../../etc/passwd.md"),
        ("handbook/b.md", "../../a.md"),
        ("handbook/风险/c.md", "../../../x.md#概述"),
    ] {
        let front = "+++\ntitle = \"越界\"\n+++\n";
        let b = Built {
            text: format!("{front}见 [上级]({dest})。\n"),
            body_start: front.len(),
            links: Vec::new(),
            errors: 0,
        };
        let (html, diags) = render_links(&b, home).unwrap();
        assert_eq!(
            diags.len(),
            1,
            "a link to {dest:?} from content/{home} (above content/) should be one error, got {diags:#?}\nhtml: {html}"
        );
        let d = &diags[0];
        assert!(
            b.text[offset_of(&b.text, d.line, d.column)..].starts_with(dest),
            "the error should point at {dest:?}: {}",
            d.render()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Search: tokenizer, query terms, recall on a tiny index
// ---------------------------------------------------------------------------------------------

/// The characters the documented rules call CJK: Han (BMP blocks, compatibility, extensions B–G),
/// kana and Hangul syllables. Written out here rather than taken from the tokenizer under test.
fn is_cjk(c: char) -> bool {
    let u = c as u32;
    (0x3400..=0x4DBF).contains(&u)
        || (0x4E00..=0x9FFF).contains(&u)
        || (0xF900..=0xFAFF).contains(&u)
        || (0x20000..=0x2EBEF).contains(&u)
        || (0x30000..=0x3134F).contains(&u)
        || (0x3040..=0x30FF).contains(&u)
        || (0xAC00..=0xD7A3).contains(&u)
}

/// Full-width ASCII to half-width, the ideographic space to a space, ASCII upper case to lower.
fn fold(c: char) -> char {
    let half = "！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～"
        .chars()
        .position(|f| f == c)
        .map(|i| (b'!' + i as u8) as char);
    let c = match (c, half) {
        ('\u{3000}', _) => ' ',
        (_, Some(h)) => h,
        _ => c,
    };
    c.to_ascii_lowercase()
}

#[test]
fn the_reference_folding_is_the_documented_one() {
    assert_eq!(fold('Ｇ'), 'g');
    assert_eq!(fold('１'), '1');
    assert_eq!(fold('．'), '.');
    assert_eq!(fold('～'), '~');
    assert_eq!(fold('\u{3000}'), ' ');
    assert_eq!(fold('粉'), '粉');
    assert!(is_cjk('粉') && is_cjk('あ') && is_cjk('한') && is_cjk('𠀀') && !is_cjk('a'));
}

#[derive(PartialEq, Clone, Copy)]
enum Class {
    Cjk,
    Letter,
    Digit,
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_ascii_digit() {
        Class::Digit
    } else if c.is_alphabetic() {
        Class::Letter
    } else {
        Class::Other
    }
}

/// The documented rules, written independently: CJK runs → overlapping bigrams plus the last
/// character (a lone character stays itself); letters → lower-cased words; digit runs with inner
/// dots; full-width ASCII folded first.
fn reference_tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().map(fold).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let k = class(chars[i]);
        let s = i;
        match k {
            Class::Other => {
                i += 1;
                continue;
            }
            Class::Cjk | Class::Letter => {
                while i < chars.len() && class(chars[i]) == k {
                    i += 1;
                }
            }
            Class::Digit => {
                while i < chars.len()
                    && (chars[i].is_ascii_digit()
                        || (chars[i] == '.'
                            && i > s
                            && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())))
                {
                    i += 1;
                }
            }
        }
        let run = &chars[s..i];
        match k {
            Class::Cjk => {
                for w in run.windows(2) {
                    out.push(w.iter().collect());
                }
                out.push(run[run.len() - 1].to_string());
            }
            Class::Letter => out.push(run.iter().flat_map(|c| c.to_lowercase()).collect()),
            _ => out.push(run.iter().collect()),
        }
    }
    out
}

/// Maximal CJK runs of `text`, as strings (after folding).
fn cjk_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut cur = String::new();
    for c in text.chars().map(fold) {
        if is_cjk(c) {
            cur.push(c);
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

/// Text for the index: a small alphabet so that substrings repeat across documents.
fn search_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            6 => proptest::sample::select(&['粉', '尘', '爆', '炸', '有', '限', '空', '间', '安', '全'][..]),
            1 => proptest::sample::select(&['あ', 'ア', '한', '㐀', '𠀀', '豈'][..]),
            2 => proptest::sample::select(&['a', 'B', 'c', 'D', 'x', 'Ｇ', 'ｂ'][..]),
            1 => proptest::sample::select(&['1', '2', '.', '１', '０'][..]),
            2 => proptest::sample::select(&[' ', '\n', '\t', '，', '。', '\u{3000}'][..]),
            1 => proptest::sample::select(&['<', '>', '&', '"', '\'', ';', '#'][..]),
        ],
        0..60,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn page_html(i: usize, text: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><title>Doc · 测试站</title></head><body>\
         <nav>导航菜单 {i}</nav><main><!--search:start--><h1>Doc</h1><p>{}</p><!--search:end--></main>\
         <footer>页脚</footer></body></html>",
        escaped(text)
    )
}

/// HTML-escapes text by the five replacements, written here so the pages the property feeds the
/// indexer do not depend on the site's own escaper.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn tiny_index(texts: &[String]) -> BTreeMap<String, Vec<u8>> {
    let mut out = Output::default();
    for (i, t) in texts.iter().enumerate() {
        let html = page_html(i, t);
        let key = format!("p{i}/");
        out.texts
            .push((key.clone(), dualprev::page_text::extract(&html).into()));
        out.files
            .insert(format!("{key}index.html"), html.into_bytes().into());
        out.pages += 1;
    }
    let (files, stats) = dualprev::search::index(&out);
    assert_eq!(stats.docs, texts.len());
    files
}

fn run_query(files: &BTreeMap<String, Vec<u8>>, q: &str) -> Vec<Hit> {
    let get = |rel: &str| {
        files
            .get(rel)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    query::query(&get, q)
}

/// Document numbers (`p<i>/`) of the hits, checking the ranking on the way.
fn hit_docs(hits: &[Hit]) -> Result<BTreeSet<usize>, TestCaseError> {
    for w in hits.windows(2) {
        prop_assert!(w[0].score >= w[1].score, "hits not ranked: {:?}", hits);
    }
    let mut out = BTreeSet::new();
    for h in hits {
        prop_assert!(h.score.is_finite() && h.score > 0.0, "bad score {:?}", h);
        let n = h
            .url
            .strip_prefix('p')
            .and_then(|r| r.strip_suffix('/'))
            .and_then(|n| n.parse().ok());
        prop_assert!(n.is_some(), "unexpected hit url {:?}", h.url);
        prop_assert!(out.insert(n.unwrap()), "document listed twice: {:?}", hits);
    }
    Ok(out)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn tokenizer_follows_the_documented_rules(text in prop_oneof![any::<String>(), search_text()]) {
        let toks = tokenize(&text);
        let texts: Vec<String> = toks.iter().map(|t| t.text.clone()).collect();
        prop_assert_eq!(&texts, &reference_tokens(&text), "tokens of {:?}", text);
        for w in toks.windows(2) {
            prop_assert!(w[0].pos < w[1].pos, "positions not increasing: {:?}", toks);
        }
        for t in &toks {
            prop_assert!(!t.text.is_empty());
        }
        // Upper-casing ASCII changes nothing; neither does a space between two texts' tokens.
        let upper: Vec<String> = tokenize(&text.to_ascii_uppercase()).into_iter().map(|t| t.text).collect();
        prop_assert_eq!(&upper, &texts);
        let twice: Vec<String> = tokenize(&format!("{text} {text}")).into_iter().map(|t| t.text).collect();
        prop_assert_eq!(twice, [texts.clone(), texts.clone()].concat());
        // Bigrams of one run sit at consecutive positions; runs are never adjacent.
        for w in toks.windows(2) {
            let a = w[0].text.chars().count() == 2 && w[0].text.chars().all(is_cjk);
            let b = w[1].text.chars().all(is_cjk);
            if a && b && w[0].text.chars().nth(1) == w[1].text.chars().next() {
                prop_assert_eq!(w[1].pos, w[0].pos + 1);
            }
        }
    }

    #[test]
    fn query_terms_are_phrases_of_the_query_tokens(q in prop_oneof![any::<String>(), search_text()]) {
        let terms = query_terms(&q);
        let toks = reference_tokens(&q);
        prop_assert_eq!(terms.is_empty(), toks.is_empty());
        let runs = cjk_runs(&q);
        for term in &terms {
            prop_assert!(!term.is_empty() && term.iter().all(|t| !t.is_empty()));
            for t in term {
                prop_assert!(toks.contains(t), "term token {:?} not a token of {:?}", t, q);
            }
            if term.len() > 1 || term[0].chars().count() == 2 && term[0].chars().all(is_cjk) {
                // A CJK phrase: its bigrams chain into one substring of a run.
                let mut s: String = term[0].clone();
                for w in term.windows(2) {
                    let a: Vec<char> = w[0].chars().collect();
                    let b: Vec<char> = w[1].chars().collect();
                    prop_assert!(a.len() == 2 && b.len() == 2 && a[1] == b[0], "phrase does not chain: {:?}", term);
                    s.push(b[1]);
                }
                prop_assert!(runs.iter().any(|r| r.contains(&s)), "phrase {:?} is no run of {:?}", s, q);
            }
        }
        // The snippet helper takes any text and query.
        let snip = query::snippet(&q, &q);
        prop_assert!(snip.chars().count() <= 90);
    }

    /// Every ≥2-character substring of a CJK run of a page finds exactly the pages that contain it
    /// inside one run; every word and number finds exactly the pages that have it as a token.
    #[test]
    fn every_cjk_substring_and_word_is_found(texts in proptest::collection::vec(search_text(), 1..5)) {
        let files = tiny_index(&texts);
        let runs: Vec<Vec<String>> = texts.iter().map(|t| cjk_runs(t)).collect();
        let mut queries: BTreeSet<String> = BTreeSet::new();
        for doc_runs in &runs {
            for r in doc_runs {
                let c: Vec<char> = r.chars().collect();
                for i in 0..c.len() {
                    for j in i + 2..=c.len() {
                        queries.insert(c[i..j].iter().collect());
                    }
                }
            }
        }
        for q in &queries {
            let expected: BTreeSet<usize> = (0..texts.len())
                .filter(|d| runs[*d].iter().any(|r| r.contains(q.as_str())))
                .collect();
            let got = hit_docs(&run_query(&files, q))?;
            prop_assert_eq!(&got, &expected, "query {:?} over {:?}", q, texts);
        }
        let tokens: Vec<BTreeSet<String>> = texts
            .iter()
            .map(|t| reference_tokens(t).into_iter().filter(|t| !t.chars().any(is_cjk)).collect())
            .collect();
        let words: BTreeSet<&String> = tokens.iter().flatten().collect();
        for w in words {
            let expected: BTreeSet<usize> = (0..texts.len()).filter(|d| tokens[*d].contains(w)).collect();
            let got = hit_docs(&run_query(&files, w))?;
            prop_assert_eq!(&got, &expected, "word {:?} over {:?}", w, texts);
        }
    }

    /// The page extractor and entity decoder take any markup.
    #[test]
    fn html_text_takes_any_markup(s in any::<String>(), t in "[<>/!a-z=\" &#;x0-9hpscriptvg\\-]{0,60}") {
        for h in [s.clone(), format!("<!--search:start-->{t}{s}<!--search:end-->"), format!("<title>{s}</title><!--search:start-->{t}<!--search:end-->")] {
            let _ = dualprev::page_text::extract(&h);
            let _ = dualprev::page_text::decode(&h);
        }
    }
}

/// The smallest input the property above found: a `<` as the last character of the searchable
/// region (a site template that puts the end marker right after raw page HTML can produce it).
#[test]
fn html_text_extract_with_a_lone_lt_at_the_end_of_the_region() {
    let r = std::panic::catch_unwind(|| {
        dualprev::page_text::extract("<!--search:start-->text <<!--search:end-->")
    });
    assert!(
        r.is_ok(),
        "page_text::extract panics when the searchable region ends with a lone `<`"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Diagnostics with any span
// ---------------------------------------------------------------------------------------------

fn span_bound() -> impl Strategy<Value = usize> {
    prop_oneof![
        4 => 0usize..200,
        1 => Just(usize::MAX),
        1 => Just(usize::MAX / 2),
    ]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn diagnostic_with_any_span_stays_inside_the_file(
        text in prop_oneof![
            any::<String>(),
            "[a安\n\r\t 全\u{20000}é]{0,80}",
        ],
        a in span_bound(),
        b in span_bound(),
        message in any::<String>(),
    ) {
        let rel = "data/enterprises/span.toml";
        let s = src(rel, &text);
        let d = Diagnostic::error_at(&s, a..b, message.clone());
        check_diag(&d, rel, &text)?;
        prop_assert!(d.line >= 1, "a span diagnostic always has a line");
        prop_assert_eq!(&d.message, &message);
        // The location is the (clamped) start of the span.
        let start = a.min(text.len());
        let mut start_fl = start;
        while !text.is_char_boundary(start_fl) { start_fl -= 1; }
        let before = &text[..start_fl];
        prop_assert_eq!(d.line, before.matches('\n').count() + 1);
        prop_assert_eq!(d.column, before.rsplit('\n').next().unwrap().chars().count() + 1);
        let w = Diagnostic::warning_at(&s, b..a, "w");
        check_diag(&w, rel, &text)?;
    }
}

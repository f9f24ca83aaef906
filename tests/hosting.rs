//! Hosting behind a real web server: the repository's own site built into a temporary folder and
//! served by Debian's nginx under its base path (`/lianshan/`, from `base_url` in data/site.toml),
//! with the server block the README's 发布到网站 section gives. Checked over plain HTTP: every
//! file answers byte for byte with its content type (and `charset=utf-8` on text), Chinese paths
//! percent-encoded or raw, the site's own 404 page (whose root-relative links work), gzip, and a
//! walk of every link from the home page; and in headless Chromium: the search page gives the
//! same results as on `dualprev serve` and as the Rust query, its first result opens, and a ledger
//! page under a Chinese path loads with its styles.
//!
//! nginx is looked for at `$DUALPREV_NGINX` or `/usr/sbin/nginx` (Debian's nginx-light). When it
//! is missing, every test prints `!!! SKIPPED …` and passes — unless `DUALPREV_REQUIRE_BROWSER=1`
//! (as in CI), when it fails with the reason. nginx runs in the foreground as one process
//! (`master_process off`, no user switch) with its pid, logs and temporary folders in the test's
//! temporary folder, on a free port, and is killed when the test ends.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use headless_chrome::Tab;
use serde_json::Value;

use crate::common::browser::{
    Chrome, DEADLINE, Origin, Server, all_search_results, js, lit, open, s, wait_for,
};
use crate::common::{self, Site, attr_values, pct, unpct};

/// Requests in flight at once during the walks (nginx answers from one process).
const THREADS: usize = 4;

/// The types nginx needs when Debian's `/etc/nginx/mime.types` is not there.
const FALLBACK_TYPES: &str = "types {
        text/html html;
        text/css css;
        application/javascript js;
        application/json json;
        text/plain txt;
        text/xml xml;
        image/svg+xml svg;
        image/png png;
        application/vnd.openxmlformats-officedocument.spreadsheetml.sheet xlsx;
        application/zip zip;
    }";

/// What the README's server block says, as it says it: the test replaces these.
const README_LISTEN: &str = "listen 80;";
const README_ROOT: &str = "root /var/www;";
const README_MIME: &str = "include /etc/nginx/mime.types;";
const README_BASE: &str = "/lianshan/";

/// The nginx server block of the README's 发布到网站 section, the one the town's IT person
/// copies, with the test's address, folder and base path put in (the README's block serves
/// `/var/www/lianshan/` as `/lianshan/` on port 80). For a site at the host's root, changed as
/// the README says: no `location = /` redirect, `/` for `/lianshan/`.
fn server_block(port: u16, www: &Path, base: &str, mime: &str) -> String {
    let readme = common::read(Path::new(env!("CARGO_MANIFEST_DIR")), "README.md");
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("发布到网站"))
        .expect("README.md has a section ## 发布到网站");
    let block = section
        .split("```nginx\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the 发布到网站 section has an ```nginx block");
    let mut block: String = block
        .lines()
        .map(|l| l.strip_prefix("   ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    for line in [
        README_LISTEN,
        README_ROOT,
        README_MIME,
        "location = / {",
        README_BASE,
    ] {
        assert!(
            block.contains(line),
            "the README's server block no longer has `{line}`, which the test replaces:\n{block}"
        );
    }
    if base.is_empty() {
        let at = block.find("location = / {").unwrap();
        let end = at + block[at..].find('}').unwrap() + 1;
        block.replace_range(at..end, "");
    }
    block
        .replace(README_LISTEN, &format!("listen 127.0.0.1:{port};"))
        .replace(README_MIME, mime)
        .replace(README_BASE, &format!("{base}/"))
        .replace(README_ROOT, &format!("root {};", quoted(www)))
}

/// The expected `Content-Type` of a file by its extension (several are fine where browsers take
/// either). A file of any other kind fails the test: decide its type, then add it here and to
/// the README's server block if nginx does not know it.
fn expected_types(ext: &str) -> Option<&'static [&'static str]> {
    Some(match ext {
        "html" => &["text/html; charset=utf-8"],
        "css" => &["text/css; charset=utf-8"],
        "js" => &[
            "application/javascript; charset=utf-8",
            "text/javascript; charset=utf-8",
        ],
        "json" => &["application/json; charset=utf-8"],
        "txt" => &["text/plain; charset=utf-8"],
        "csv" => &["text/csv; charset=utf-8"],
        "xml" => &[
            "text/xml; charset=utf-8",
            "application/xml; charset=utf-8",
            "application/atom+xml; charset=utf-8",
        ],
        "svg" => &["image/svg+xml; charset=utf-8", "image/svg+xml"],
        "png" => &["image/png"],
        "xlsx" => &["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
        "zip" => &["application/zip"],
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// nginx: found or skipped, started on a free port, killed on drop.
// ---------------------------------------------------------------------------------------------

/// The nginx executable: `DUALPREV_NGINX`, or Debian's `/usr/sbin/nginx`.
fn nginx_path() -> PathBuf {
    std::env::var_os("DUALPREV_NGINX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/sbin/nginx"))
}

/// Either fails the test (`DUALPREV_REQUIRE_BROWSER=1`) or prints a loud skip notice; `None`
/// so that callers can `return`.
fn nginx_unavailable<T>(reason: &str) -> Option<T> {
    common::skip_group(
        "hosting tests (nginx)",
        &format!("nginx not available: {reason}"),
        "Install Debian's nginx: apt-get install -y nginx-light",
    );
    None
}

/// nginx serving a folder on `127.0.0.1:port`; killed when dropped.
struct Nginx {
    child: Child,
    port: u16,
    /// The site's base path without its trailing slash: `/lianshan` (empty for a site at `/`).
    base: String,
    /// The folder of nginx.conf, the pid file, the logs and the temporary folders.
    run: PathBuf,
}

impl Nginx {
    /// Starts nginx with the README's server block, serving `www` (the site is in
    /// `www<base>/`), or returns `None` after [`nginx_unavailable`]. A port another process took
    /// between choosing and binding it is retried; any other failure to start fails the test.
    fn start(www: &Path, run: &Path, base: &str) -> Option<Nginx> {
        let exe = nginx_path();
        if !exe.is_file() {
            return nginx_unavailable(&format!("{} does not exist", exe.display()));
        }
        match Command::new(&exe).arg("-v").stdin(Stdio::null()).output() {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                return nginx_unavailable(&format!(
                    "`{} -v` failed ({}): {}",
                    exe.display(),
                    o.status,
                    String::from_utf8_lossy(&o.stderr).trim()
                ));
            }
            Err(e) => return nginx_unavailable(&format!("cannot run {}: {e}", exe.display())),
        }
        std::fs::create_dir_all(run).unwrap();
        let mime = Path::new("/etc/nginx/mime.types");
        let mime_types = if mime.is_file() {
            format!("include {};", mime.display())
        } else {
            FALLBACK_TYPES.to_string()
        };
        let mut last = String::new();
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .expect("a free port");
            let server = server_block(port, www, base, &mime_types);
            let r = |name: &str| quoted(&run.join(name));
            let conf = format!(
                "daemon off;\nmaster_process off;\nworker_processes 1;\npid {pid};\n\
                 error_log {err} info;\nevents {{ worker_connections 512; }}\n\
                 http {{\n    access_log {access};\n    client_body_temp_path {body};\n    \
                 proxy_temp_path {proxy};\n    fastcgi_temp_path {fastcgi};\n    \
                 uwsgi_temp_path {uwsgi};\n    scgi_temp_path {scgi};\n    sendfile on;\n\n    {server}\n}}\n",
                pid = r("nginx.pid"),
                err = r("error.log"),
                access = r("access.log"),
                body = r("body"),
                proxy = r("proxy"),
                fastcgi = r("fastcgi"),
                uwsgi = r("uwsgi"),
                scgi = r("scgi"),
            );
            let conf_path = run.join("nginx.conf");
            std::fs::write(&conf_path, conf).unwrap();
            let _ = std::fs::remove_file(run.join("error.log"));
            let stderr = File::create(run.join("stderr.log")).unwrap();
            let child = Command::new(&exe)
                .arg("-p")
                .arg(run)
                .arg("-c")
                .arg(&conf_path)
                .arg("-e")
                .arg(run.join("error.log"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn();
            let child = match child {
                Ok(c) => c,
                Err(e) => return nginx_unavailable(&format!("cannot run {}: {e}", exe.display())),
            };
            let mut nginx = Nginx {
                child,
                port,
                base: base.to_string(),
                run: run.to_path_buf(),
            };
            let start = Instant::now();
            loop {
                if let Some(status) = nginx.child.try_wait().unwrap() {
                    last = format!("nginx exited ({status})\n{}", nginx.logs());
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    // Whatever answers must be this nginx, not another process on the port.
                    let r = get(port, "/").unwrap_or_else(|e| panic!("{e}\n{}", nginx.logs()));
                    assert!(
                        r.header("server").is_some_and(|s| s.starts_with("nginx")),
                        "something other than nginx answers on port {port}: {:?}",
                        r.headers
                    );
                    nginx.check_log_is_clean();
                    return Some(nginx);
                }
                assert!(
                    start.elapsed() < DEADLINE,
                    "nginx did not listen on port {port} within {DEADLINE:?}\n{}",
                    nginx.logs()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            if !last.contains("Address already in use") {
                break;
            }
        }
        panic!("nginx did not start:\n{last}");
    }

    /// Startup warnings (an unknown directive, a duplicate type…) mean the README's block is
    /// not clean: fail on any `[warn]` or worse.
    fn check_log_is_clean(&self) {
        let log =
            read_lossy(&self.run.join("error.log")) + &read_lossy(&self.run.join("stderr.log"));
        let bad: Vec<&str> = log
            .lines()
            .filter(|l| {
                ["[warn]", "[emerg]", "[alert]", "[crit]"]
                    .iter()
                    .any(|w| l.contains(w))
            })
            .collect();
        assert!(
            bad.is_empty(),
            "nginx complains about the configuration:\n{}",
            bad.join("\n")
        );
    }

    /// `base + rel`, percent-encoded, as a request target (`rel` is a decoded output path).
    fn target(&self, rel: &str) -> String {
        pct(&format!("{}/{rel}", self.base))
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Origin for Nginx {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}{path}", self.port, self.base)
    }

    fn logs(&self) -> String {
        let tail = |name: &str, n: usize| {
            let text = read_lossy(&self.run.join(name));
            let lines: Vec<&str> = text.lines().collect();
            lines[lines.len().saturating_sub(n)..].join("\n")
        };
        format!(
            "--- nginx stderr ---\n{}\n--- nginx error.log (last 20 lines) ---\n{}\n\
             --- nginx access.log (last 10 lines) ---\n{}",
            tail("stderr.log", 30),
            tail("error.log", 20),
            tail("access.log", 10)
        )
    }
}

fn quoted(p: &Path) -> String {
    let s = p.to_str().expect("temporary path is UTF-8");
    assert!(!s.contains(['"', '\\', '$']), "unusual temporary path {s}");
    format!("\"{s}\"")
}

fn read_lossy(p: &Path) -> String {
    std::fs::read(p)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// The repository's site built (as of [`common::AS_OF`]) into `<tmp>/www<base>/`, served by
/// nginx; `None` when nginx is not available (after the loud skip).
struct Hosted {
    nginx: Nginx,
    /// The built output, `<tmp>/www/lianshan`.
    out: PathBuf,
    /// The site's `base_url`, e.g. `https://example.org/lianshan/`.
    base_url: String,
    site: Site,
}

fn hosted() -> Option<Hosted> {
    // Skip before building when there is nothing to serve with.
    if !nginx_path().is_file() {
        return nginx_unavailable(&format!("{} does not exist", nginx_path().display()));
    }
    let site = common::repo_site();
    let base_url = base_url(&site.root);
    let base = base_path(&base_url);
    let www = site.tmp_path("www");
    let out = www.join(base.trim_start_matches('/'));
    site.build_into(&out, &["--quiet"]).ok();
    assert!(
        out.join("404.html").is_file(),
        "the build wrote no 404.html"
    );
    let nginx = Nginx::start(&www, &site.tmp_path("nginx"), &base)?;
    Some(Hosted {
        nginx,
        out,
        base_url,
        site,
    })
}

/// `base_url` from the site's data/site.toml.
fn base_url(root: &Path) -> String {
    let toml = common::read(root, "data/site.toml");
    let value: toml::Value = toml::from_str(&toml).expect("data/site.toml is TOML");
    let url = value["base_url"]
        .as_str()
        .expect("base_url in data/site.toml");
    assert!(url.ends_with('/'), "base_url {url:?} should end with /");
    url.to_string()
}

/// The path of a base URL without its trailing slash: `https://example.org/lianshan/` →
/// `/lianshan`.
fn base_path(base_url: &str) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    path.trim_end_matches('/').to_string()
}

// ---------------------------------------------------------------------------------------------
// A small HTTP/1.1 client: one connection per request, `Connection: close`, chunked bodies.
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Response {
    status: u16,
    /// Names in lower case.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// `GET target` (sent as is: percent-encoded or raw) with extra request headers.
fn request(port: u16, target: &str, extra: &[(&str, &str)]) -> Result<Response, String> {
    let mut s =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect to nginx: {e}"))?;
    s.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut req =
        format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in extra {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())
        .map_err(|e| format!("send GET {target}: {e}"))?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)
        .map_err(|e| format!("read the answer to GET {target}: {e}"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no header end in the answer to GET {target}"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("no status line in the answer to GET {target}: {head}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body).ok_or_else(|| format!("bad chunked body for GET {target}"))?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn get(port: u16, target: &str) -> Result<Response, String> {
    request(port, target, &[])
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&b[..eol]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        b = &b[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size + 2..)?;
    }
}

/// GETs every target, [`THREADS`] at a time; answers in the order of `targets`.
fn get_all(port: u16, targets: &[String]) -> Vec<Result<Response, String>> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<Response, String>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(t) = targets.get(i) else { break };
                    let r = get(port, t);
                    results.lock().unwrap().push((i, r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

fn extension(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.')
        .map_or(String::new(), |(_, e)| e.to_ascii_lowercase())
}

/// Fails with every problem at once (up to 40 lines of them).
#[track_caller]
fn assert_no_problems(what: &str, problems: &[String], logs: &str) {
    assert!(
        problems.is_empty(),
        "{what}: {} problems\n{}\n{logs}",
        problems.len(),
        problems
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// 1. Every file: 200, the same bytes, its content type; gzip when asked; redirects.
// ---------------------------------------------------------------------------------------------

#[test]
fn every_file_is_served_as_built_with_its_content_type() {
    let Some(h) = hosted() else {
        return;
    };
    let files: Vec<(String, Vec<u8>)> = common::snapshot(&h.out).into_iter().collect();
    let targets: Vec<String> = files.iter().map(|(rel, _)| h.nginx.target(rel)).collect();
    let answers = get_all(h.nginx.port, &targets);
    let mut problems = Vec::new();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    for ((rel, bytes), answer) in files.iter().zip(&answers) {
        let r = match answer {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{rel}: {e}"));
                continue;
            }
        };
        let ctype = r.header("content-type").unwrap_or("(none)");
        if r.status != 200 {
            problems.push(format!("{rel}: HTTP {}", r.status));
        } else if &r.body != bytes {
            problems.push(format!(
                "{rel}: {} bytes served, {} built",
                r.body.len(),
                bytes.len()
            ));
        }
        let ext = extension(rel);
        match expected_types(&ext) {
            Some(ok) if ok.contains(&ctype) => {}
            Some(ok) => problems.push(format!(
                "{rel}: Content-Type {ctype:?}, expected one of {ok:?}"
            )),
            None => problems.push(format!(
                "{rel}: a file of a new kind (.{ext}, served as {ctype:?}): add its type to \
                 expected_types() and, if nginx does not know it, to the README's server block"
            )),
        }
        // Styles and scripts are cached for an hour; everything else is checked with the server
        // each time (304 when unchanged), so that pages and the search index's files (which
        // carry no version) never mix two builds.
        let cache = if ext == "css" || ext == "js" {
            "max-age=3600"
        } else {
            "no-cache"
        };
        if r.header("cache-control") != Some(cache) {
            problems.push(format!(
                "{rel}: Cache-Control {:?}, expected {cache:?}",
                r.header("cache-control")
            ));
        }
        *by_type.entry(format!(".{ext} {ctype}")).or_default() += 1;
    }
    assert_no_problems("serving every built file", &problems, &h.nginx.logs());
    eprintln!(
        "nginx served all {} files as built:\n  {}",
        files.len(),
        by_type
            .iter()
            .map(|(t, n)| format!("{n:4} {t}"))
            .collect::<Vec<_>>()
            .join("\n  ")
    );

    // The kinds of file the site is made of are all there, so the check above covered them: pages,
    // styles, scripts, the search index's shards, documents and chunks, ledgers, feed, sitemap.
    let has = |pred: &dyn Fn(&str) -> bool| files.iter().any(|(rel, _)| pred(rel));
    for (what, found) in [
        ("an HTML page", has(&|r| r.ends_with(".html"))),
        (
            "a stylesheet",
            has(&|r| r.starts_with("css/") && r.ends_with(".css")),
        ),
        (
            "a script",
            has(&|r| r.starts_with("js/") && r.ends_with(".js")),
        ),
        (
            "a search shard",
            has(&|r| r.starts_with("search/s/") && r.ends_with(".json")),
        ),
        (
            "a search document list",
            has(&|r| r.starts_with("search/d/") && r.ends_with(".json")),
        ),
        (
            "a search text chunk",
            has(&|r| r.starts_with("search/x/") && r.ends_with(".txt")),
        ),
        ("the XLSX ledger", has(&|r| r == "ledger/ledger.xlsx")),
        ("the CSV ledger", has(&|r| r == "ledger/ledger.csv")),
        ("the sitemap", has(&|r| r == "sitemap.xml")),
        ("the notices' feed", has(&|r| r == "notices/atom.xml")),
    ] {
        assert!(found, "the built site has no {what}");
    }

    // Directories answer with their index.html; without the slash, a relative redirect (it stays
    // right behind a proxy or HTTPS); the host's root leads to the site.
    let port = h.nginx.port;
    let r = get(port, &h.nginx.target("ledger/")).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        std::fs::read(h.out.join("ledger/index.html")).unwrap()
    );
    let r = get(port, &h.nginx.target("ledger")).unwrap();
    assert_eq!(
        (r.status, r.header("location")),
        (301, Some(h.nginx.target("ledger/").as_str())),
        "a folder without its slash: {r:?}"
    );
    let r = get(port, "/").unwrap();
    assert_eq!(
        (r.status, r.header("location")),
        (302, Some(h.nginx.target("").as_str())),
        "the host's root: {r:?}"
    );

    // Text is compressed when the client asks (and only then); what it decompresses to is the
    // file.
    for rel in [
        "index.html",
        "search/s/0.json",
        "search/x/0-1.txt",
        "ledger/ledger.csv",
        "js/search.js",
        "css/site.css",
    ] {
        let built = std::fs::read(h.out.join(rel)).unwrap();
        let r = request(port, &h.nginx.target(rel), &[("Accept-Encoding", "gzip")]).unwrap();
        assert_eq!(r.status, 200, "{rel}");
        assert_eq!(
            r.header("content-encoding"),
            Some("gzip"),
            "{rel} is not gzipped: {:?}",
            r.headers
        );
        assert_eq!(
            r.header("vary"),
            Some("Accept-Encoding"),
            "{rel}: {:?}",
            r.headers
        );
        assert!(r.body.len() < built.len(), "{rel}: gzip made it bigger");
        assert_eq!(
            gunzip(&r.body),
            built,
            "{rel} does not decompress to the built file"
        );
        // Unchanged since the browser's copy: 304, nothing sent again (the ETag of a gzipped
        // answer is weak, and still matches).
        let etag = r.header("etag").expect("an ETag");
        let again = request(
            port,
            &h.nginx.target(rel),
            &[("Accept-Encoding", "gzip"), ("If-None-Match", etag)],
        )
        .unwrap();
        assert_eq!(again.status, 304, "{rel} revalidated: {:?}", again.headers);
        assert!(again.body.is_empty());
    }
    let r = request(
        port,
        &h.nginx.target("ledger/ledger.xlsx"),
        &[("Accept-Encoding", "gzip")],
    )
    .unwrap();
    assert_eq!(
        r.header("content-encoding"),
        None,
        "an XLSX file is a zip already; gzip only wastes time on it"
    );
}

/// Decompresses with the system's `gzip -dc` (there is no gzip crate among the test's).
fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut child = Command::new("gzip")
        .arg("-dc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run gzip -dc");
    let mut stdin = child.stdin.take().unwrap();
    let data = data.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "gzip -dc failed");
    out.stdout
}

// ---------------------------------------------------------------------------------------------
// 2. Chinese paths.
// ---------------------------------------------------------------------------------------------

#[test]
fn chinese_paths_answer_percent_encoded_and_raw() {
    let Some(h) = hosted() else {
        return;
    };
    let port = h.nginx.port;
    // Every ledger folder named in Chinese (category, department, kind, village…).
    let mut dirs = Vec::new();
    for group in common::list_dir(&h.out.join("ledger")) {
        for name in common::list_dir(&h.out.join("ledger").join(&group)) {
            if !name.is_ascii()
                && h.out
                    .join(format!("ledger/{group}/{name}/index.html"))
                    .is_file()
            {
                dirs.push(format!("ledger/{group}/{name}/"));
            }
        }
    }
    assert!(
        dirs.len() >= 10,
        "expected the ledgers' Chinese folders (categories, departments, villages…), found {dirs:?}"
    );
    let mut problems = Vec::new();
    let mut headings = BTreeSet::new();
    for dir in &dirs {
        let built = std::fs::read(h.out.join(dir).join("index.html")).unwrap();
        let encoded = h.nginx.target(dir);
        let lower = lower_hex(&encoded);
        let raw = format!("{}/{dir}", h.nginx.base);
        for target in [&encoded, &lower, &raw] {
            match get(port, target) {
                Ok(r) if r.status == 200 && r.body == built => {
                    let h1 = r.text().split("<h1").nth(1).map(|t| {
                        common::page_text(&format!("<h1{}", t.split("</h1>").next().unwrap_or("")))
                    });
                    // A ledger's heading (most name the folder; 非高风险 is 不涉及高风险类别).
                    match h1 {
                        Some(h) if h.contains("台账") => {
                            headings.insert(h);
                        }
                        h => problems.push(format!("{target}: not a ledger page (heading {h:?})")),
                    }
                    if r.header("content-type") != Some("text/html; charset=utf-8") {
                        problems.push(format!("{target}: {:?}", r.header("content-type")));
                    }
                }
                Ok(r) => problems.push(format!(
                    "{target}: HTTP {} ({} bytes)",
                    r.status,
                    r.body.len()
                )),
                Err(e) => problems.push(format!("{target}: {e}")),
            }
        }
        // Without the trailing slash: a redirect to the encoded folder, which answers.
        let bare = encoded.trim_end_matches('/');
        match get(port, bare) {
            Ok(r) if r.status == 301 => {
                let to = r.header("location").unwrap_or("");
                if unpct(to) != unpct(&encoded) || !to.is_ascii() {
                    problems.push(format!("{bare}: redirected to {to:?}"));
                } else if get(port, to).map(|r| r.status).ok() != Some(200) {
                    problems.push(format!("{bare}: the redirect to {to} does not answer 200"));
                }
            }
            Ok(r) => problems.push(format!("{bare}: HTTP {}, expected a redirect", r.status)),
            Err(e) => problems.push(format!("{bare}: {e}")),
        }
    }
    // The ledgers' downloads inside a Chinese folder, when a folder has them.
    let downloads: Vec<String> = dirs
        .iter()
        .flat_map(|d| {
            common::list_dir(&h.out.join(d))
                .into_iter()
                .map(move |f| format!("{d}{f}"))
        })
        .filter(|f| !f.ends_with(".html"))
        .collect();
    for rel in &downloads {
        let r = get(port, &h.nginx.target(rel)).unwrap();
        if r.status != 200 || r.body != std::fs::read(h.out.join(rel)).unwrap() {
            problems.push(format!("{rel}: HTTP {}", r.status));
        }
    }
    assert_no_problems("Chinese paths", &problems, &h.nginx.logs());
    assert_eq!(
        headings.len(),
        dirs.len(),
        "each Chinese folder should be its own ledger page: {headings:?}"
    );
    eprintln!(
        "{} Chinese ledger folders answer percent-encoded (upper and lower case), raw and without the slash; {} downloads in them",
        dirs.len(),
        downloads.len()
    );
}

fn lower_hex(target: &str) -> String {
    let mut out = String::new();
    let mut chars = target.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            out.extend(chars.by_ref().take(2).map(|c| c.to_ascii_lowercase()));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 3. The site's own 404 page.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_missing_path_gets_the_sites_404_page_and_its_links_work() {
    let Some(h) = hosted() else {
        return;
    };
    let port = h.nginx.port;
    let page = std::fs::read(h.out.join("404.html")).unwrap();
    let text = String::from_utf8(page.clone()).unwrap();
    assert!(
        text.contains("页面不存在") && text.contains("没有找到这个页面"),
        "the 404 page should say 页面不存在 / 没有找到这个页面"
    );
    for missing in [
        "no-such-page/",
        "no-such-page",
        "handbook/no/such/page.html",
        "ledger/category/不存在的类别/",
        "search/s/no-such-shard.json",
        "css/no-such.css",
        "js/no-such.js",
    ] {
        let r = get(port, &h.nginx.target(missing)).unwrap();
        assert_eq!(r.status, 404, "{missing}: {:?}", r.headers);
        assert_eq!(
            r.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{missing}"
        );
        assert!(
            r.body == page,
            "{missing}: the answer is not the site's 404.html:\n{}",
            r.text()
        );
    }
    // Its links are root-relative, so they work from any depth: each answers 200.
    let mut links: BTreeSet<String> = BTreeSet::new();
    for attr in ["href", "src", "action"] {
        for v in attr_values(&text, attr) {
            if let Some(p) = resolve(
                &format!("{}/no/such/deep/page/", h.nginx.base),
                &v,
                &h.base_url,
                &h.nginx.base,
            ) {
                links.insert(p);
            }
        }
    }
    assert!(
        links.len() >= 5 && links.iter().any(|l| l.ends_with(".css")),
        "the 404 page should link to the home page, the sections and its stylesheet: {links:?}"
    );
    let mut problems = Vec::new();
    for l in &links {
        assert!(
            l.starts_with(&format!("{}/", h.nginx.base)),
            "the 404 page links outside the site's base path: {l}"
        );
        match get(port, &pct(l)) {
            Ok(r) if r.status == 200 => {}
            Ok(r) => problems.push(format!("{l}: HTTP {}", r.status)),
            Err(e) => problems.push(format!("{l}: {e}")),
        }
    }
    assert_no_problems("the 404 page's links", &problems, &h.nginx.logs());
    eprintln!("404 page: {} links, all 200", links.len());
}

// ---------------------------------------------------------------------------------------------
// 4. Every link from the home page.
// ---------------------------------------------------------------------------------------------

/// The decoded server path that `link` on the page at `page` (a decoded server path) leads to,
/// without query or fragment; absolute URLs under the site's `base_url` (canonical links, QR
/// codes) map onto the server. `None` for a link to the same page or off the site.
fn resolve(page: &str, link: &str, base_url: &str, base: &str) -> Option<String> {
    let link = link.split(['#', '?']).next().unwrap_or("");
    if link.is_empty() {
        return None;
    }
    let link = if let Some(rest) = link.strip_prefix(base_url) {
        format!("{base}/{rest}")
    } else if link.contains(':') || link.starts_with("//") {
        return None;
    } else {
        link.to_string()
    };
    let joined = if link.starts_with('/') {
        link
    } else {
        format!("{}{link}", &page[..page.rfind('/').unwrap() + 1])
    };
    let mut parts: Vec<&str> = Vec::new();
    let segments: Vec<&str> = joined.split('/').collect();
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "." if last => parts.push(""),
            "." => {}
            ".." => {
                if parts.len() > 1 {
                    parts.pop();
                }
                if last {
                    parts.push("");
                }
            }
            s => parts.push(s),
        }
    }
    Some(unpct(&parts.join("/")))
}

#[test]
fn every_link_from_the_home_page_answers() {
    let Some(h) = hosted() else {
        return;
    };
    let started = Instant::now();
    let port = h.nginx.port;
    let base = h.nginx.base.clone();
    let home = format!("{base}/");
    // Decoded server path → the first page that links to it.
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    seen.insert(home.clone(), "(start)".into());
    let mut level = vec![home];
    let (mut pages, mut occurrences) = (0usize, 0usize);
    let mut problems = Vec::new();
    let mut external: BTreeSet<String> = BTreeSet::new();
    let mut served_html: BTreeSet<String> = BTreeSet::new();
    while !level.is_empty() {
        let targets: Vec<String> = level.iter().map(|p| pct(p)).collect();
        let answers = get_all(port, &targets);
        let mut next = Vec::new();
        for (path, answer) in level.iter().zip(answers) {
            let r = match answer {
                Ok(r) => r,
                Err(e) => {
                    problems.push(format!("{path} (linked from {}): {e}", seen[path]));
                    continue;
                }
            };
            if r.status != 200 {
                problems.push(format!(
                    "{path} (linked from {}): HTTP {}",
                    seen[path], r.status
                ));
                continue;
            }
            if r.header("content-type") != Some("text/html; charset=utf-8") {
                continue;
            }
            pages += 1;
            let file = if path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path.clone()
            };
            served_html.insert(file[base.len() + 1..].to_string());
            let html = r.text();
            for attr in ["href", "src", "action", "data-url", "data-root"] {
                for v in attr_values(&html, attr) {
                    occurrences += 1;
                    match resolve(path, &v, &h.base_url, &base) {
                        Some(p) if !seen.contains_key(&p) => {
                            seen.insert(p.clone(), path.clone());
                            next.push(p);
                        }
                        Some(_) => {}
                        None if v.contains(':') && !v.starts_with(&h.base_url) => {
                            external.insert(v);
                        }
                        None => {}
                    }
                }
            }
        }
        level = next;
    }
    assert_no_problems("links through nginx", &problems, &h.nginx.logs());
    // The walk reached every page the build wrote, except the 404 page (nothing links to it).
    let built_html: BTreeSet<String> = common::snapshot(&h.out)
        .into_keys()
        .filter(|k| k.ends_with(".html") && k != "404.html")
        .collect();
    let unreached: Vec<&String> = built_html.difference(&served_html).collect();
    assert!(
        unreached.is_empty(),
        "{} built pages are not reachable by links from the home page: {:?}",
        unreached.len(),
        unreached.iter().take(20).collect::<Vec<_>>()
    );
    let outside: Vec<&String> = seen
        .keys()
        .filter(|p| !p.starts_with(&format!("{base}/")))
        .collect();
    assert!(
        outside.is_empty(),
        "links outside the base path: {outside:?}"
    );
    assert!(pages > 500, "the walk found only {pages} pages");
    eprintln!(
        "walked {} URLs ({pages} HTML pages, {occurrences} href/src/action/data-url values) through nginx in {} ms, all 200; \
         external links not followed: {external:?}",
        seen.len(),
        started.elapsed().as_millis()
    );
}

// ---------------------------------------------------------------------------------------------
// 5. In the browser: search, its first result, a ledger under a Chinese path, the 404 page.
// ---------------------------------------------------------------------------------------------

/// Every result (href attribute, link text), in order, of the search page at `origin` for `q`,
/// asking for more until all are shown. `typed`: `q` is typed into the box (results while
/// typing); else it comes in the address (`/search/?q=`), which is quicker.
fn search_results(tab: &Tab, origin: &dyn Origin, q: &str, typed: bool) -> Vec<(String, String)> {
    if typed {
        open(tab, origin, "/search/");
        tab.wait_for_element("#q")
            .expect("#q")
            .click()
            .expect("click #q");
        wait_for(
            tab,
            origin,
            "#q to have focus",
            "return document.activeElement && document.activeElement.id === 'q';",
        );
        tab.type_str(q).expect("type the query");
    } else {
        open(tab, origin, &format!("/search/?q={}", pct(q)));
    }
    all_search_results(tab, origin, q)
        .1
        .into_iter()
        .map(|(href, title, _)| (href, title))
        .collect()
}

/// The status of the page's own load (Navigation Timing's `responseStatus`).
fn load_status(tab: &Tab) -> Value {
    js(
        tab,
        "var n = performance.getEntriesByType('navigation')[0]; return n ? n.responseStatus : null;",
    )
}

/// Every stylesheet of the page loaded and has rules (a wrong path or type leaves it empty).
fn styles_loaded(tab: &Tab, origin: &dyn Origin, what: &str) {
    wait_for(
        tab,
        origin,
        &format!("the stylesheets of {what} to load"),
        "var l = Array.from(document.querySelectorAll('link[rel=stylesheet]'));\
         return l.length > 0 && l.every(function (e) { try { return e.sheet && e.sheet.cssRules.length > 0; } catch (x) { return false; } });",
    );
}

#[test]
fn search_and_chinese_paths_in_chromium_through_nginx() {
    let Some(h) = hosted() else {
        return;
    };
    let Some(chrome) = Chrome::start() else {
        return;
    };
    let tab = chrome.tab();
    let nginx = &h.nginx;
    let get_file = |rel: &str| std::fs::read_to_string(h.out.join(rel)).ok();
    // The same tab for both origins: clicks and typing go to the tab in front.
    let preview = Server::start(&h.site.root);

    // The last query is typed; the tab ends on its results through nginx.
    let mut results = Vec::new();
    for (q, typed) in [
        ("隐患排查治理", false),
        ("GB 6441", false),
        ("有限空间", true),
    ] {
        // The same list, in the same order, as on the preview server…
        let on_preview = search_results(&tab, &preview, q, typed);
        results = search_results(&tab, nginx, q, typed);
        assert!(
            results.len() >= 3,
            "few results for {q:?} through nginx: {results:?} (status: {})",
            s(&js(
                &tab,
                "return document.getElementById('search-status').textContent;"
            ))
        );
        assert_eq!(
            results, on_preview,
            "search for {q:?}: nginx (left) and dualprev serve (right) disagree"
        );
        // …and as the Rust query on the built files.
        let rust: Vec<String> = dualprev::search::query::query(&get_file, q)
            .iter()
            .map(|hit| unpct(&hit.url))
            .collect();
        let urls: Vec<String> = results
            .iter()
            .map(|(href, _)| unpct(href.trim_start_matches("../")))
            .collect();
        assert_eq!(
            urls, rust,
            "search for {q:?}: browser via nginx (left) and Rust (right) disagree"
        );
        eprintln!(
            "search {q:?} ({}) through nginx: {} results, as on dualprev serve and in Rust",
            if typed { "typed" } else { "in the address" },
            results.len()
        );
    }

    // The first result opens: 200, and its title is the result's text.
    let (href, text) = results[0].clone();
    tab.wait_for_element("#search-results > li > a")
        .expect("a result link")
        .click()
        .expect("click the first result");
    wait_for(
        &tab,
        nginx,
        &format!("the first result {href} to open"),
        &format!(
            "return location.pathname !== {} && document.readyState === 'complete';",
            lit(&format!("{}/search/", nginx.base))
        ),
    );
    assert_eq!(
        load_status(&tab),
        200,
        "the first result {href} did not load with 200"
    );
    let (title, h1) = (
        s(&js(&tab, "return document.title;")),
        s(&js(
            &tab,
            "var h = document.querySelector('h1'); return h ? h.textContent.trim() : '';",
        )),
    );
    assert!(
        title == text || title.starts_with(&format!("{text} · ")) || h1 == text,
        "the first result {text:?} opened a page titled {title:?} (h1 {h1:?})"
    );
    styles_loaded(&tab, nginx, &href);

    // A ledger page under a Chinese path: its heading names the category, its styles and its
    // table script work (the table can be sorted).
    let category = common::list_dir(&h.out.join("ledger/category"))
        .into_iter()
        .find(|n| !n.is_ascii())
        .expect("a category ledger with a Chinese name");
    let path = format!("/ledger/category/{}/", pct(&category));
    open(&tab, nginx, &path);
    assert_eq!(load_status(&tab), 200, "{path}");
    let h1 = s(&js(
        &tab,
        "return document.querySelector('h1').textContent;",
    ));
    assert!(
        h1.contains(&category),
        "the ledger page {path} has the heading {h1:?}"
    );
    let shown_path = s(&js(&tab, "return decodeURIComponent(location.pathname);"));
    assert!(
        shown_path.ends_with(&format!("/{category}/")),
        "location {shown_path}"
    );
    styles_loaded(&tab, nginx, &path);

    // The 404 page from deep inside the site: status 404, its own text, its styles (root-relative).
    open(&tab, nginx, &pct("/ledger/category/不存在/deeper/"));
    assert_eq!(load_status(&tab), 404);
    let h1 = s(&js(
        &tab,
        "return document.querySelector('h1').textContent;",
    ));
    assert_eq!(h1, "页面不存在");
    styles_loaded(&tab, nginx, "the 404 page");
}

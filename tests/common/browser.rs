//! Headless Chromium for the browser tests: Debian's chromium driven over the DevTools protocol
//! (headless_chrome), the real `dualprev serve` on a free port, and polling helpers. When Chromium
//! is missing or does not start, tests print a loud `!!! SKIPPED` and pass — unless
//! `DUALPREV_REQUIRE_BROWSER=1`, when they fail with the reason.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use headless_chrome::protocol::cdp::Emulation;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;
use tempfile::TempDir;

use super::AS_OF;

/// How long any awaited condition may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(15);
/// Starting the server includes the first build of the whole site (a debug build is slower).
pub const START_DEADLINE: Duration = Duration::from_secs(90);

/// Either fails the test (`DUALPREV_REQUIRE_BROWSER=1`) or prints a loud skip notice.
/// Returns `None` so callers can `return` from the test.
#[track_caller]
pub fn browser_unavailable<T>(reason: &str) -> Option<T> {
    super::skip_group(
        &format!("browser tests ({})", test_area()),
        &format!("headless Chromium not available: {reason}"),
        "Install Debian's chromium: apt-get install -y chromium fonts-noto-cjk",
    );
    None
}

/// A running Chromium with its own profile folder. The browser is dropped (and killed) before the
/// folder is removed: fields drop in declaration order.
pub struct Chrome {
    pub browser: Browser,
    pub _profile: TempDir,
}

impl Chrome {
    /// Starts headless Chromium, or returns `None` after [`browser_unavailable`].
    #[track_caller]
    pub fn start() -> Option<Chrome> {
        let path = super::chromium_path();
        if !path.is_file() {
            return browser_unavailable(&format!("{} does not exist", path.display()));
        }
        let profile = match tempfile::Builder::new()
            .prefix("dualprev-chrome-")
            .tempdir()
        {
            Ok(d) => d,
            Err(e) => return browser_unavailable(&format!("no temporary profile folder: {e}")),
        };
        let args: Vec<&OsStr> = super::CHROMIUM_FLAGS
            .iter()
            .chain(&[
                "--disable-default-apps",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--no-default-browser-check",
                "--mute-audio",
            ])
            .map(OsStr::new)
            .collect();
        // A binary that cannot even print its version will not start headless either; this
        // fails fast instead of waiting for a DevTools address that never comes.
        match Command::new(&path)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
        {
            Ok(o) if o.status.success() => {}
            Ok(o) => {
                return browser_unavailable(&format!(
                    "`{} --version` failed ({}): {}",
                    path.display(),
                    o.status,
                    String::from_utf8_lossy(&o.stderr).trim()
                ));
            }
            Err(e) => return browser_unavailable(&format!("cannot run {}: {e}", path.display())),
        }
        // A debugging port chosen here (not by headless_chrome, which would retry a browser that
        // does not answer ten times, 30 s each); another process may take it in between, so a
        // port conflict is retried.
        let mut last_err = String::new();
        let mut browser = None;
        for _ in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .ok();
            let opts = LaunchOptions {
                headless: true,
                sandbox: false,
                path: Some(path.clone()),
                user_data_dir: Some(profile.path().to_path_buf()),
                port,
                window_size: Some((1280, 1024)),
                idle_browser_timeout: Duration::from_secs(300),
                args: args.clone(),
                ..Default::default()
            };
            match Browser::new(opts) {
                Ok(b) => {
                    browser = Some(b);
                    break;
                }
                Err(e) => {
                    last_err = format!("{e:#}");
                    // Only a port taken in between is worth another try; a browser that does
                    // not answer will not answer the next time either.
                    if !last_err.contains("already in use") {
                        break;
                    }
                }
            }
        }
        let Some(browser) = browser else {
            return browser_unavailable(&format!("{} failed to start: {last_err}", path.display()));
        };
        // A browser that starts but cannot open a tab is as good as none.
        if let Err(e) = browser.new_tab() {
            return browser_unavailable(&format!("{} cannot open a tab: {e:#}", path.display()));
        }
        Some(Chrome {
            browser,
            _profile: profile,
        })
    }

    pub fn tab(&self) -> Arc<Tab> {
        let tab = self.browser.new_tab().expect("open a new tab");
        tab.set_default_timeout(DEADLINE);
        tab
    }
}

/// Where the browser tests open pages: the preview server, a real web server (nginx) or a
/// folder opened through `file://`.
pub trait Origin {
    /// The URL of `path` (which starts with `/`).
    fn url(&self, path: &str) -> String;
    /// What the origin has logged so far, for failure messages.
    fn logs(&self) -> String {
        String::new()
    }
}

/// A folder of files opened through `file://` URLs (the offline site).
pub struct Folder {
    /// `file:///…/site` (no trailing slash).
    pub base: String,
}

impl Folder {
    pub fn new(dir: &Path) -> Folder {
        let dir = dir.canonicalize().expect("canonical folder path");
        Folder {
            base: format!(
                "file://{}",
                super::pct(&dir.to_string_lossy()).trim_end_matches('/')
            ),
        }
    }
}

impl Origin for Folder {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Origin for Server {
    fn url(&self, path: &str) -> String {
        Server::url(self, path)
    }
    fn logs(&self) -> String {
        Server::logs(self)
    }
}

/// `dualprev serve` running on a site; killed when dropped.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub base: String,
    pub stdout: Arc<Mutex<String>>,
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dualprev"))
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(["--port", "0", "--as-of", AS_OF])
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn dualprev serve");
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (url_tx, url_rx) = mpsc::channel::<Option<String>>();
        {
            // Keep reading stdout for the server's whole life so the pipe never fills.
            let pipe = child.stdout.take().unwrap();
            let log = stdout.clone();
            std::thread::spawn(move || {
                let mut sent = false;
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if !sent && let Some(rest) = line.split("预览地址：").nth(1) {
                        let url = rest.split_whitespace().next().unwrap_or("").to_string();
                        let _ = url_tx.send(Some(url));
                        sent = true;
                    }
                    log.lock().unwrap().push_str(&(line + "\n"));
                }
                if !sent {
                    let _ = url_tx.send(None);
                }
            });
        }
        {
            let mut pipe = child.stderr.take().unwrap();
            let log = stderr.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    log.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        let mut server = Server {
            child,
            base: String::new(),
            stdout,
            stderr,
        };
        let url = match url_rx.recv_timeout(START_DEADLINE) {
            Ok(Some(url)) => url,
            Ok(None) => {
                // Give the stderr reader a moment to collect the reason the process ended.
                let _ = server.child.wait();
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "dualprev serve exited before printing its address\n{}",
                    server.logs()
                );
            }
            Err(_) => panic!(
                "dualprev serve printed no address within {START_DEADLINE:?}\n{}",
                server.logs()
            ),
        };
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
            "unexpected preview address {url:?}"
        );
        server.base = url.trim_end_matches('/').to_string();
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's output so far (for failure messages), stderr cut to a readable length.
    pub fn logs(&self) -> String {
        let out = self.stdout.lock().unwrap().clone();
        let err = self.stderr.lock().unwrap().clone();
        let err: String = err.chars().take(4000).collect();
        format!("--- server stdout ---\n{out}--- server stderr ---\n{err}")
    }

    /// `GET /__dualprev/status` over a plain socket.
    pub fn status(&self) -> Value {
        let addr = self.base.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).expect("connect to the preview server");
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        write!(
            s,
            "GET /__dualprev/status HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut resp = Vec::new();
        let _ = s.read_to_end(&mut resp);
        let resp = String::from_utf8_lossy(&resp);
        let body = resp.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        serde_json::from_str(body).unwrap_or_else(|e| panic!("status is not JSON ({e}): {resp}"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Evaluates a function body (`return …;`) in the page and returns its JSON-serialisable result;
/// a returned promise is awaited.
pub fn eval(tab: &Tab, body: &str) -> Result<Value, String> {
    let js = format!(
        "new Promise(function (ok) {{ ok((function () {{ {body} }})()); }}).then(\
           function (r) {{ return JSON.stringify({{ v: r === undefined ? null : r }}); }},\
           function (e) {{ return JSON.stringify({{ err: String(e) }}); }})"
    );
    let obj = tab.evaluate(&js, true).map_err(|e| format!("{e:#}"))?;
    let text = match obj.value {
        Some(Value::String(s)) => s,
        other => return Err(format!("unexpected evaluation result {other:?}")),
    };
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    if let Some(err) = v.get("err") {
        return Err(format!("script error: {err}"));
    }
    Ok(v.get("v").cloned().unwrap_or(Value::Null))
}

/// [`eval`] that must succeed.
pub fn js(tab: &Tab, body: &str) -> Value {
    eval(tab, body).unwrap_or_else(|e| panic!("evaluating `{body}` failed: {e}"))
}

pub fn truthy(v: &Value) -> bool {
    !matches!(v, Value::Null | Value::Bool(false))
        && v.as_f64() != Some(0.0)
        && v.as_str() != Some("")
}

/// Polls `body` until it returns something truthy (not null/false/0/""), or fails after `DEADLINE`
/// with `what`, the last value or error and the origin's log (the server's output).
pub fn wait_for(tab: &Tab, server: &dyn Origin, what: &str, body: &str) -> Value {
    let start = Instant::now();
    loop {
        let last = match eval(tab, body) {
            Ok(v) if truthy(&v) => return v,
            Ok(v) => format!("last value: {v}"),
            Err(e) => format!("last error: {e}"),
        };
        if start.elapsed() > DEADLINE {
            let page = eval(tab, "return location.href + '\\n' + (document.body ? document.body.innerText.slice(0, 1500) : '(no body)');")
                .unwrap_or_else(Value::String);
            panic!(
                "timed out after {DEADLINE:?} waiting for: {what}\n{last}\n--- page ---\n{}\n{}",
                page.as_str().unwrap_or(""),
                server.logs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Navigates and waits until the document has loaded completely.
pub fn open(tab: &Tab, server: &dyn Origin, path: &str) {
    let url = server.url(path);
    tab.navigate_to(&url)
        .unwrap_or_else(|e| panic!("navigate to {url}: {e:#}"));
    let _ = tab.wait_until_navigated();
    wait_for(
        tab,
        server,
        &format!("{url} to load"),
        &format!(
            "return document.readyState === 'complete' && location.href === {} && !!document.body;",
            Value::String(url.clone())
        ),
    );
}

/// What the search page shows once the query `q` (from the address or typed) settles: the status
/// line and every result as (href attribute, title, snippet), in order — asking for more until all
/// are shown.
pub fn all_search_results(
    tab: &Tab,
    origin: &dyn Origin,
    q: &str,
) -> (String, Vec<(String, String, String)>) {
    wait_for(
        tab,
        origin,
        &format!("the search for {q:?} to finish"),
        &format!(
            "var t = document.getElementById('search-status').textContent;\
             return new URLSearchParams(location.search).get('q') === {} && t !== '' && !/正在搜索/.test(t);",
            lit(q)
        ),
    );
    for _ in 0..50 {
        let clicked = js(
            tab,
            "var b = document.getElementById('search-more'); if (!b) return false;\
             window.__n = document.querySelectorAll('#search-results > li').length; b.click(); return true;",
        );
        if !truthy(&clicked) {
            break;
        }
        wait_for(
            tab,
            origin,
            &format!("more results for {q:?}"),
            "return document.querySelectorAll('#search-results > li').length > window.__n || !document.getElementById('search-more');",
        );
    }
    let v = js(
        tab,
        "return [document.getElementById('search-status').textContent,\
                 Array.from(document.querySelectorAll('#search-results > li')).map(function (li) {\
                   var a = li.querySelector('a'), p = li.querySelector('p.snippet');\
                   return [a.getAttribute('href'), a.textContent, p ? p.textContent : ''];\
                 })];",
    );
    let list = v[1]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| (s(&r[0]), s(&r[1]), s(&r[2])))
                .collect()
        })
        .unwrap_or_default();
    (s(&v[0]), list)
}

pub fn s(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

/// A JavaScript string literal.
pub fn lit(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// Lets an injected `<img src=x onerror=…>` fire before a negative check: loads the same kind of
/// broken image and waits for its error event (the injected one would have failed by then too).
pub fn settle(tab: &Tab) {
    js(
        tab,
        "return new Promise(function (r) { var i = new Image(); i.onload = i.onerror = function () {\
           requestAnimationFrame(function () { setTimeout(function () { r(true); }, 0); }); }; i.src = 'x?settle=' + Date.now(); });",
    );
}

/// Emulates a viewport of `width`×`height` CSS pixels (a phone when `mobile`).
pub fn viewport(tab: &Tab, width: u32, height: u32, mobile: bool) {
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: 1.0,
        mobile,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .expect("set the viewport");
}

/// Emulates a media type ("print", "screen"); "" ends the emulation.
pub fn emulate_media(tab: &Tab, media: &str) {
    tab.call_method(Emulation::SetEmulatedMedia {
        media: Some(media.to_string()),
        features: None,
    })
    .expect("emulate the media type");
}

/// The test area (`layout`, `serve`…) that called into the harness, for skip notices: the file
/// name of the caller's source, passed down through `#[track_caller]`.
#[track_caller]
pub fn test_area() -> String {
    let file = std::panic::Location::caller().file();
    std::path::Path::new(file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

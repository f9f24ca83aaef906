//! The preview server, end to end: the real binary serving a temporary copy of the town's site on a
//! free port. Edits are announced over server-sent events and served; a broken record shows the
//! overlay data while the last good site stays; editors' save patterns cause exactly one rebuild;
//! traversal is refused; only the preview's own `Host` is answered; `--bind` and `--open` do what
//! they say; and after a sequence of edits the mirrored output equals a clean build.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::{AS_OF, bin, copy_dir, snapshot};

const WAIT: Duration = Duration::from_secs(20);

/// A running `dualprev serve`, killed on drop.
struct Server {
    child: Child,
    /// The address the server printed, e.g. `127.0.0.1`.
    host: String,
    port: u16,
    _tmp: tempfile::TempDir,
    root: PathBuf,
    /// Everything the server wrote to stderr so far.
    stderr: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies the repository's own content/ and data/ and serves them.
fn start(extra: &[&str]) -> Server {
    let (tmp, root) = repo_site();
    start_at(tmp, root, extra)
}

/// A temporary folder with a copy of the repository's content/ and data/ in `site/`.
fn repo_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("content"), &root.join("content"));
    copy_dir(&repo.join("data"), &root.join("data"));
    (tmp, root)
}

fn start_at(tmp: tempfile::TempDir, root: PathBuf, extra: &[&str]) -> Server {
    start_with_env(tmp, root, extra, &[])
}

fn start_with_env(
    tmp: tempfile::TempDir,
    root: PathBuf,
    extra: &[&str],
    env: &[(&str, std::ffi::OsString)],
) -> Server {
    let mut child = Command::new(bin())
        .args(["serve", "--root"])
        .arg(&root)
        .args(["--port", "0", "--as-of", AS_OF])
        .args(extra)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dualprev serve");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Keep draining stderr so the pipe never fills, and keep it for the tests that read it.
    let errors = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    {
        let errors = errors.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                errors.lock().unwrap().push(line);
            }
        });
    }
    let deadline = Instant::now() + WAIT;
    let (host, port) = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("server printed no URL");
        if let Some(rest) = line.split("http://").nth(1) {
            let addr = rest.split('/').next().unwrap();
            let (host, port) = addr.rsplit_once(':').expect("address with a port");
            break (host.to_string(), port.parse().unwrap());
        }
    };
    Server {
        child,
        host,
        port,
        _tmp: tmp,
        root,
        stderr: errors,
    }
}

/// A raw HTTP/1.1 GET (the path is sent as is, so traversal attempts reach the server unchanged).
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let code = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (code, body)
}

/// The server's `/__dualprev/status`, parsed.
fn status(port: u16) -> serde_json::Value {
    let (code, body) = get(port, "/__dualprev/status");
    assert_eq!(code, 200);
    serde_json::from_str(&body).unwrap()
}

/// Reads server-sent events (event name, data) on a thread.
fn events(port: u16) -> mpsc::Receiver<(String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /__dualprev/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )
    .unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut event = String::new();
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(d) = line.strip_prefix("data: ")
                && tx.send((event.clone(), d.to_string())).is_err()
            {
                return;
            }
        }
    });
    rx
}

fn next_event(rx: &mpsc::Receiver<(String, String)>, name: &str) -> serde_json::Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let (e, d) = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no `{name}` event"));
        if e == name {
            return serde_json::from_str(&d).unwrap();
        }
    }
}

/// Waits until every change made so far has been built, and returns the generation. It creates
/// a sync marker (`content/.dualprev-sync-N`, a dot file the site ignores) and waits, with a
/// deadline, for `/__dualprev/status` to report it: the server answers a marker only after
/// building every change that came before it. No fixed sleep: a late rebuild cannot be missed.
fn settle(srv: &Server) -> u64 {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!(
        ".dualprev-sync-{}",
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    );
    let marker = srv.root.join("content").join(&name);
    std::fs::write(&marker, "").unwrap();
    let deadline = Instant::now() + WAIT;
    let generation = loop {
        let st = status(srv.port);
        if st["sync"] == name.as_str() {
            break st["generation"].as_u64().unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "the server did not report {name}: {st}"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    std::fs::remove_file(&marker).unwrap();
    generation
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

#[test]
fn edit_page_is_announced_and_served() {
    let srv = start(&[]);
    let rx = events(srv.port);
    let hello = next_event(&rx, "hello");
    assert!(hello["generation"].as_u64().unwrap() >= 1);
    let (code, html) = get(srv.port, "/about/");
    assert_eq!(code, 200);
    assert!(
        html.contains("/__dualprev/live.js"),
        "serve injects the reload script"
    );
    append(
        &srv.root.join("content/about.md"),
        "\n\n实时预览测试段落甲。\n",
    );
    let ev = next_event(&rx, "reload");
    let changed: Vec<String> = ev["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(changed.contains(&"/about/".to_string()), "{changed:?}");
    assert!(
        !changed.contains(&"/handbook/".to_string()),
        "only what changed is announced: {changed:?}"
    );
    let (_, html) = get(srv.port, "/about/");
    assert!(html.contains("实时预览测试段落甲"));
}

#[test]
fn broken_record_keeps_last_good_site_and_serves_overlay_data() {
    let srv = start(&[]);
    let rx = events(srv.port);
    next_event(&rx, "hello");
    let record = srv.root.join("data/enterprises/xinqiao-casting.toml");
    let good = std::fs::read_to_string(&record).unwrap();
    let (_, before) = get(srv.port, "/enterprises/xinqiao-casting/");
    let broken = good.replacen("employees = ", "employees = \"abc\"\nemployees_x = ", 1);
    std::fs::write(&record, &broken).unwrap();
    let ov = next_event(&rx, "overlay");
    assert_eq!(ov["ok"], false);
    let errors = ov["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["file"] == "data/enterprises/xinqiao-casting.toml"
                && e["line"].as_u64().unwrap() > 0),
        "{ov}"
    );
    let rendered = ov["rendered"].as_array().unwrap();
    assert!(
        rendered.iter().any(|r| r
            .as_str()
            .unwrap()
            .contains("data/enterprises/xinqiao-casting.toml:")),
        "{ov}"
    );
    let st = status(srv.port);
    assert_eq!(st["ok"], false);
    let (code, during) = get(srv.port, "/enterprises/xinqiao-casting/");
    assert_eq!(code, 200);
    assert_eq!(during, before, "the last good page is still served");
    std::fs::write(&record, &good).unwrap();
    next_event(&rx, "reload");
    assert_eq!(status(srv.port)["ok"], true);
}

#[test]
fn editor_save_patterns_rebuild_once() {
    let srv = start(&[]);
    let dir = srv.root.join("content");
    let page = dir.join("about.md");
    let original = std::fs::read_to_string(&page).unwrap();
    let mut g = settle(&srv);

    // vim: probe file 4913, backup by rename, write the new file, drop the backup.
    std::fs::write(dir.join("4913"), "").unwrap();
    std::fs::remove_file(dir.join("4913")).unwrap();
    std::fs::rename(&page, dir.join("about.md~")).unwrap();
    std::fs::write(&page, format!("{original}\nvim 保存。\n")).unwrap();
    std::fs::remove_file(dir.join("about.md~")).unwrap();
    let n = settle(&srv);
    assert_eq!(n, g + 1, "vim save");
    g = n;

    // JetBrains: write a temp file, move the original aside, rename the temp over it.
    std::fs::write(
        dir.join("about.md___jb_tmp___"),
        format!("{original}\nJetBrains 保存。\n"),
    )
    .unwrap();
    std::fs::rename(&page, dir.join("about.md___jb_old___")).unwrap();
    std::fs::rename(dir.join("about.md___jb_tmp___"), &page).unwrap();
    std::fs::remove_file(dir.join("about.md___jb_old___")).unwrap();
    let n = settle(&srv);
    assert_eq!(n, g + 1, "JetBrains save");
    g = n;

    // VS Code / helix style: write to a temp name, rename over.
    std::fs::write(
        dir.join("about.md.bck"),
        format!("{original}\nhelix 保存。\n"),
    )
    .unwrap();
    std::fs::rename(dir.join("about.md.bck"), &page).unwrap();
    let n = settle(&srv);
    assert_eq!(n, g + 1, "rename-over save");
    g = n;

    // Delete and recreate.
    std::fs::remove_file(&page).unwrap();
    std::fs::write(&page, format!("{original}\n重新创建。\n")).unwrap();
    let n = settle(&srv);
    assert_eq!(n, g + 1, "delete + create");
    g = n;

    // Temp files alone build nothing.
    for name in [
        ".#about.md",
        "#about.md#",
        ".about.md.swp",
        "about.md~",
        "~$about.docx",
        "about.md.tmp",
    ] {
        std::fs::write(dir.join(name), "x").unwrap();
    }
    assert_eq!(settle(&srv), g, "temp files must not trigger a build");
    let (_, html) = get(srv.port, "/about/");
    assert!(html.contains("重新创建"));
}

#[test]
fn traversal_and_methods_are_refused() {
    let srv = start(&[]);
    for path in [
        "/../Cargo.toml",
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/%2E%2E/data/site.toml",
        "/handbook/..%2f..%2fdata%2fsite.toml",
        "/a/b/../../../data/site.toml",
        "/..%5c..%5cdata%5csite.toml",
        "/%5c..%5cetc%5cpasswd",
        "//etc/passwd",
        "/C:/Windows/win.ini",
        "/./about/",
        "/data/site.toml",
        "/content/about.md",
        "/about/%00",
    ] {
        let (code, body) = get(srv.port, path);
        assert!(
            code == 403 || code == 404 || code == 400,
            "{path} gave {code}"
        );
        assert!(!body.contains("base_url"), "{path} leaked site.toml");
    }
    // Chinese paths work, directories serve index.html, content types carry UTF-8.
    let (code, _) = get(
        srv.port,
        "/handbook/topics/%E6%9C%89%E9%99%90%E7%A9%BA%E9%97%B4%E4%BD%9C%E4%B8%9A/",
    );
    assert_eq!(code, 200);
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    write!(
        s,
        "POST /about/ HTTP/1.1\r\nHost: localhost:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        srv.port
    )
    .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    assert!(buf.starts_with("HTTP/1.1 405"), "{buf}");
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    write!(
        s,
        "GET /css/site.css HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n",
        srv.port
    )
    .unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    assert!(
        buf.to_ascii_lowercase()
            .contains("content-type: text/css; charset=utf-8"),
        "{}",
        &buf[..200.min(buf.len())]
    );
    let (code, body) = get(srv.port, "/no/such/page/");
    assert_eq!(code, 404);
    assert!(body.contains("页面不存在"), "the theme's 404 page");
}

/// A raw GET with the given `Host` header (or none): the status code.
fn get_with_host(port: u16, host: Option<&str>) -> u16 {
    get_at_with_host("127.0.0.1", port, host)
}

/// A raw GET to `addr:port` with the given `Host` header (or none): the status code.
fn get_at_with_host(addr: &str, port: u16, host: Option<&str>) -> u16 {
    let mut s = TcpStream::connect((addr, port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let host = host.map_or(String::new(), |h| format!("Host: {h}\r\n"));
    write!(s, "GET /about/ HTTP/1.0\r\n{host}Connection: close\r\n\r\n").unwrap();
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn only_requests_for_the_preview_s_own_host_are_answered() {
    // A page elsewhere that points its own name at 127.0.0.1 (DNS rebinding) sends its own Host.
    let srv = start(&[]);
    let p = srv.port;
    for host in [format!("127.0.0.1:{p}"), format!("localhost:{p}")] {
        assert_eq!(get_with_host(p, Some(&host)), 200, "{host}");
    }
    for host in [
        format!("attacker.example:{p}"),
        format!("127.0.0.1.attacker.example:{p}"),
        "127.0.0.1".to_string(),
        format!("localhost:{}", p.wrapping_add(1)),
    ] {
        assert_eq!(get_with_host(p, Some(&host)), 403, "{host}");
    }
    assert_eq!(get_with_host(p, None), 403, "no Host header");
}

#[test]
fn incremental_rebuilds_equal_a_clean_build() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("content"), &root.join("content"));
    copy_dir(&repo.join("data"), &root.join("data"));
    // A site-level template override and a static file, edited below like content.
    let theme_page =
        std::fs::read_to_string(repo.join("themes/default/templates/page.html")).unwrap();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/page.html"),
        theme_page.replacen("{% block main %}", "{% block main %}<!-- 模板版本一 -->", 1),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/extra.txt"), "静态文件版本一\n").unwrap();
    let mirror = tmp.path().join("mirror");
    let mirror_arg = mirror.to_str().unwrap().to_string();
    let srv = start_at(tmp, root.clone(), &["--out", &mirror_arg]);
    let mut g = settle(&srv);
    type Step = Box<dyn Fn(&Path)>;
    let replace = |p: &Path, from: &str, to: &str| {
        let s = std::fs::read_to_string(p).unwrap();
        assert!(s.contains(from), "{} has no {from:?}", p.display());
        std::fs::write(p, s.replacen(from, to, 1)).unwrap();
    };
    let steps: Vec<Step> = vec![
        // A chapter's title shows in its neighbours' previous/next links and its section's list.
        Box::new(move |r| {
            replace(
                &r.join("content/handbook/large-medium/02-risk-units.md"),
                "title = \"",
                "title = \"修订：",
            )
        }),
        // A record's name shows in the topic pages' enterprise lists (shortcodes).
        Box::new(move |r| {
            replace(
                &r.join("data/enterprises/baihe-auto-parts.toml"),
                "name = \"广汉市连山示例汽车配件有限公司\"",
                "name = \"广汉市连山示例汽车零部件有限公司\"",
            )
        }),
        Box::new(|r| {
            append(
                &r.join("content/handbook/glossary.md"),
                "\n\n## 新增术语 {#new-term}\n\n新增的解释。\n",
            )
        }),
        // A content edit reuses the pages made from the data unless it is one they show: an
        // enterprise's story, the introduction of a generated page.
        Box::new(|r| {
            append(
                &r.join("content/enterprises/lianshan-brewing.md"),
                "\n\n故事新增的一段。\n",
            )
        }),
        Box::new(|r| {
            std::fs::create_dir_all(r.join("content/ledger")).unwrap();
            std::fs::write(
                r.join("content/ledger/_index.md"),
                "+++\ntitle = \"台账\"\n+++\n\n台账页的新导语。\n",
            )
            .unwrap()
        }),
        Box::new(|r| append(&r.join("content/ledger/_index.md"), "\n导语的第二段。\n")),
        Box::new(|r| std::fs::remove_file(r.join("content/ledger/_index.md")).unwrap()),
        Box::new(|r| {
            let p = r.join("data/enterprises/xinqiao-casting.toml");
            let s =
                std::fs::read_to_string(&p)
                    .unwrap()
                    .replacen("employees = ", "employees = 1", 1);
            std::fs::write(p, s).unwrap();
        }),
        Box::new(|r| {
            std::fs::write(r.join("content/notices/2025-06-29-new.md"), "+++\ntitle = \"新通知\"\ndate = 2025-06-29\n+++\n\n见[术语](@/handbook/glossary.md#new-term)。\n").unwrap()
        }),
        Box::new(|r| std::fs::remove_file(r.join("content/notices/2025-06-29-new.md")).unwrap()),
        // The site title is in every page's header.
        Box::new(move |r| {
            replace(
                &r.join("data/site.toml"),
                "title = \"连山镇工贸企业双重预防机制\"",
                "title = \"连山镇工贸企业双重预防机制建设\"",
            )
        }),
        Box::new(|r| {
            append(
                &r.join("data/site.toml"),
                "\n[[villages]]\nname = \"新设社区\"\n",
            )
        }),
        // A template edit reaches every page made with it (the compiled templates are rebuilt).
        Box::new(move |r| replace(&r.join("templates/page.html"), "模板版本一", "模板版本二")),
        // A static file is copied again.
        Box::new(|r| std::fs::write(r.join("static/extra.txt"), "静态文件版本二\n").unwrap()),
        // Removing the override falls back to the theme's template.
        Box::new(|r| std::fs::remove_file(r.join("templates/page.html")).unwrap()),
    ];
    // Compared after every step: a later step that rebuilds everything must not hide a stale page.
    for (n, step) in steps.iter().enumerate() {
        step(&root);
        let n_gen = settle(&srv);
        assert_eq!(n_gen, g + 1, "step {n}: one rebuild");
        g = n_gen;
        assert_eq!(status(srv.port)["ok"], true, "{}", status(srv.port));
        let clean = root.parent().unwrap().join(format!("clean-{n}"));
        let run = common::run(&[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--out",
            clean.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--quiet",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let a = common::without_offline_zip(snapshot(&mirror));
        let b = common::without_offline_zip(snapshot(&clean));
        let differ: Vec<&String> = a
            .keys()
            .chain(b.keys())
            .filter(|k| a.get(*k) != b.get(*k))
            .take(10)
            .collect();
        assert!(
            differ.is_empty(),
            "after step {n}, serve output differs from a clean build in {differ:?}"
        );
    }
}

#[test]
fn port_in_use_is_a_clear_error() {
    let srv = start(&[]);
    let out = Command::new(bin())
        .args(["serve", "--root"])
        .arg(&srv.root)
        .args(["--port", &srv.port.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&srv.port.to_string()) && err.contains("端口"),
        "{err}"
    );
}

#[test]
fn bind_serves_on_the_given_address_only() {
    let srv = start(&["--bind", "127.0.0.2"]);
    let p = srv.port;
    assert_eq!(
        srv.host, "127.0.0.2",
        "the printed address is the bound one"
    );
    assert_eq!(
        get_at_with_host("127.0.0.2", p, Some(&format!("127.0.0.2:{p}"))),
        200
    );
    assert_eq!(
        get_at_with_host("127.0.0.2", p, Some(&format!("evil.example:{p}"))),
        403
    );
    assert!(
        TcpStream::connect(("127.0.0.1", p)).is_err(),
        "nothing may listen on 127.0.0.1:{p} when bound to 127.0.0.2"
    );
    assert!(
        srv.stderr.lock().unwrap().is_empty(),
        "a loopback address needs no warning: {:?}",
        srv.stderr.lock().unwrap()
    );
}

#[test]
fn bind_to_every_interface_warns_and_answers_ip_addresses_but_not_names() {
    let srv = start(&["--bind", "0.0.0.0"]);
    let p = srv.port;
    assert_eq!(
        srv.host, "127.0.0.1",
        "a browser here can open the printed address"
    );
    let warned = wait_for_stderr(&srv, "其他电脑也能打开预览");
    assert!(warned.contains(&format!("0.0.0.0:{p}")), "stderr: {warned}");
    // A colleague types this machine's address; a rebinding page sends its own name.
    assert_eq!(get_with_host(p, Some(&format!("192.0.2.7:{p}"))), 200);
    assert_eq!(get_with_host(p, Some(&format!("localhost:{p}"))), 200);
    assert_eq!(get_with_host(p, Some(&format!("evil.example:{p}"))), 403);
    assert_eq!(
        get_with_host(p, Some(&format!("192.0.2.7:{}", p.wrapping_add(1)))),
        403
    );
}

/// A `bin/` folder holding a stand-in `xdg-open` that writes the address it was given to
/// `<bin>/opened`.
fn fake_opener(tmp: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp.join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("xdg-open");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf '%s' \"$1\" > \"$(dirname \"$0\")/opened.tmp\"\nmv \"$(dirname \"$0\")/opened.tmp\" \"$(dirname \"$0\")/opened\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[test]
fn open_hands_the_printed_address_to_the_desktop() {
    let (tmp, root) = repo_site();
    let bin_dir = fake_opener(tmp.path());
    let path = std::env::join_paths(
        std::iter::once(bin_dir.clone()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let srv = start_with_env(tmp, root, &["--open"], &[("PATH", path)]);
    let opened = bin_dir.join("opened");
    let deadline = Instant::now() + WAIT;
    while !opened.exists() {
        assert!(Instant::now() < deadline, "xdg-open was never called");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        std::fs::read_to_string(&opened).unwrap(),
        format!("http://127.0.0.1:{}/", srv.port)
    );
}

#[test]
fn open_without_any_desktop_opener_still_serves_and_says_so() {
    let (tmp, root) = repo_site();
    let empty = tmp.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    let srv = start_with_env(tmp, root, &["--open"], &[("PATH", empty.into_os_string())]);
    assert_eq!(get(srv.port, "/about/").0, 200);
    let err = wait_for_stderr(&srv, "无法自动打开浏览器");
    assert!(
        err.contains(&format!("http://127.0.0.1:{}/", srv.port)),
        "{err}"
    );
}

/// Waits, with a deadline, until the server's stderr holds `needle`; returns all of it.
fn wait_for_stderr(srv: &Server, needle: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let err = srv.stderr.lock().unwrap().join("\n");
        if err.contains(needle) {
            return err;
        }
        assert!(
            Instant::now() < deadline,
            "stderr never said {needle:?}: {err}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Pages are remembered between rebuilds; a page whose link target disappears must be looked at
/// again even though its own file did not change.
#[test]
fn deleting_a_linked_page_reports_the_broken_link_on_the_page_that_links_to_it() {
    let (tmp, root) = repo_site();
    std::fs::write(
        root.join("content/zz-link-a.md"),
        "+++\ntitle = \"甲页\"\n+++\n\n详见[乙页](@/zz-link-b.md)。\n",
    )
    .unwrap();
    let b = root.join("content/zz-link-b.md");
    let b_text = "+++\ntitle = \"乙页\"\n+++\n\n乙页正文。\n";
    std::fs::write(&b, b_text).unwrap();
    let srv = start_at(tmp, root, &[]);
    assert_eq!(status(srv.port)["ok"], true, "{}", status(srv.port));
    std::fs::remove_file(&b).unwrap();
    settle(&srv);
    let st = status(srv.port);
    assert_eq!(st["ok"], false, "{st}");
    assert!(
        st["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["file"] == "content/zz-link-a.md" && e["line"] == 5),
        "the link on the unchanged page is reported: {st}"
    );
    std::fs::write(&b, b_text).unwrap();
    settle(&srv);
    assert_eq!(status(srv.port)["ok"], true, "{}", status(srv.port));
}

/// The preview checks again only the links of pages that changed (the rest resolved last time),
/// unless a file came or went or a changed page's ids changed: a link broken by either is still
/// found, on the page that has it, and the site is good again once it is mended.
#[test]
fn links_broken_by_an_edit_elsewhere_are_found_by_the_quicker_link_check() {
    let (tmp, root) = repo_site();
    let a = root.join("content/zz-anchor-a.md");
    let a_text = "+++\ntitle = \"甲页\"\n+++\n\n详见[乙页第二节](../zz-anchor-b/#第二节)。\n";
    std::fs::write(&a, a_text).unwrap();
    let b = root.join("content/zz-anchor-b.md");
    let b_text = "+++\ntitle = \"乙页\"\n+++\n\n## 第二节\n\n乙页正文。\n";
    std::fs::write(&b, b_text).unwrap();
    let srv = start_at(tmp, root, &[]);
    assert_eq!(status(srv.port)["ok"], true, "{}", status(srv.port));
    let broken_on_a = |st: &serde_json::Value, what: &str| {
        st["ok"] == false
            && st["errors"].as_array().unwrap().iter().any(|e| {
                e["file"].as_str().unwrap_or("").contains("zz-anchor-a")
                    && e["message"].as_str().unwrap_or("").contains(what)
            })
    };
    // The target page loses the id: the unchanged page's link breaks.
    std::fs::write(&b, b_text.replace("第二节", "第三节")).unwrap();
    settle(&srv);
    let st = status(srv.port);
    assert!(broken_on_a(&st, "#第二节"), "{st}");
    std::fs::write(&b, b_text).unwrap();
    settle(&srv);
    assert_eq!(status(srv.port)["ok"], true, "{}", status(srv.port));
    // A plain edit of a page (no file added, no id changed) that breaks its own link.
    std::fs::write(
        &a,
        a_text.replace("../zz-anchor-b/#第二节", "../zz-anchor-c/"),
    )
    .unwrap();
    settle(&srv);
    let st = status(srv.port);
    assert!(broken_on_a(&st, "zz-anchor-c"), "{st}");
    std::fs::write(&a, a_text).unwrap();
    settle(&srv);
    assert_eq!(status(srv.port)["ok"], true, "{}", status(srv.port));
}

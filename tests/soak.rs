//! Soak: the preview server under 1,000 edit/break/fix cycles while 50 clients keep
//! fetching pages and hold live-reload (server-sent events) connections open.
//!
//! One cycle writes a good edit of a page, a broken record, then the fixed record, a few
//! milliseconds apart and without waiting for the server: it must coalesce the storm (far fewer
//! rebuilds than writes) and end quiet. Checked:
//! - the process stays alive and answers every request of every client (200 for pages, 404 for a
//!   missing one), and every live-reload connection gets its greeting and events;
//! - once the writes stop, the server catches up with at most the rebuild in progress and one more
//!   (batches queued during a rebuild are merged, not replayed one by one), becomes quiet, reports
//!   `ok`, serves the last edit, and the folder it mirrors (`serve --out DIR`) equals a clean
//!   `dualprev build` of the final sources byte for byte;
//! - after the clients disconnect, the thread count (`Threads:` in /proc/PID/status) comes back
//!   near its baseline.
//!
//! The site is a copy of the repository's own (content/ and data/: 43 enterprises, ~600 pages), so
//! a rebuild takes about as long as it does for the town's editors. Sized for a 2-core machine:
//! about 1-2 minutes in release mode (`cargo test --release --test main soak::`).

use crate::common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::common::{AS_OF, bin, copy_dir, diff, snapshot};

const CYCLES: usize = 1000;
const CLIENTS: usize = 50;
/// Pause between two writes of the storm.
const STEP: Duration = Duration::from_millis(8);
/// A client's pause between two requests.
const CLIENT_PAUSE: Duration = Duration::from_millis(60);
const RECORD: &str = "data/enterprises/xinqiao-casting.toml";
const PAGE: &str = "content/soak.md";
/// Threads allowed above the baseline once every client has gone.
const THREAD_SLACK: usize = 8;

fn say(msg: &str) {
    let _ = std::io::stderr().write_all(format!("{msg}\n").as_bytes());
}

struct Server {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(root: &Path, mirror: &Path) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--root"])
            .arg(root)
            .args(["--port", "0", "--as-of", AS_OF, "--out"])
            .arg(mirror)
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start dualprev serve");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel::<u16>();
        {
            let mut out = child.stdout.take().unwrap();
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut text = String::new();
                let mut sent = false;
                while let Ok(n) = out.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let chunk = String::from_utf8_lossy(&buf[..n]).into_owned();
                    text.push_str(&chunk);
                    if !sent && let Some(rest) = text.split("http://127.0.0.1:").nth(1) {
                        let digits: String =
                            rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                        if rest.len() > digits.len() {
                            let _ = tx.send(digits.parse().unwrap_or(0));
                            sent = true;
                        }
                    }
                    let mut l = log.lock().unwrap();
                    l.push_str(&chunk);
                    if l.len() > 200_000 {
                        let cut = l.len() - 100_000;
                        let cut = (cut..l.len()).find(|i| l.is_char_boundary(*i)).unwrap();
                        l.replace_range(..cut, "…");
                    }
                }
            });
        }
        {
            let mut err = child.stderr.take().unwrap();
            let log = log.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut l = log.lock().unwrap();
                    l.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if l.len() > 200_000 {
                        let cut = l.len() - 100_000;
                        let cut = (cut..l.len()).find(|i| l.is_char_boundary(*i)).unwrap();
                        l.replace_range(..cut, "…");
                    }
                }
            });
        }
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server printed no address");
        Server { child, port, log }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().map(|s| s.is_none()).unwrap_or(false)
    }

    fn threads(&self) -> usize {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    }

    fn tail(&self) -> String {
        let l = self.log.lock().unwrap();
        let start = l.len().saturating_sub(3000);
        let start = (start..=l.len()).find(|i| l.is_char_boundary(*i)).unwrap();
        l[start..].to_string()
    }
}

/// A plain HTTP/1.0 GET: (status, body length, body).
fn get(port: u16, path: &str) -> Result<(u16, Vec<u8>), String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("send: {e}"))?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).map_err(|e| format!("read: {e}"))?;
    let head_end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no header end in {} bytes", buf.len()))?;
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let code = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("bad status line {head:?}"))?;
    let body = buf[head_end + 4..].to_vec();
    if let Some(len) = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().to_string())
        })
        .and_then(|v| v.parse::<usize>().ok())
        && len != body.len()
    {
        return Err(format!(
            "{path}: content-length {len}, got {} bytes",
            body.len()
        ));
    }
    Ok((code, body))
}

fn status(port: u16) -> serde_json::Value {
    let (code, body) = get(port, "/__dualprev/status").expect("status");
    assert_eq!(code, 200);
    serde_json::from_slice(&body).expect("status JSON")
}

fn page_text(n: usize) -> String {
    format!("+++\ntitle = \"耐久测试页\"\n+++\n\n第 {n} 次编辑：粉尘涉爆企业每班清扫积尘。\n")
}

/// What one client saw.
#[derive(Default)]
struct ClientReport {
    requests: u64,
    errors: Vec<String>,
    events: u64,
}

/// One client: holds a live-reload connection and fetches pages until told to stop.
fn client(port: u16, k: usize, stop: Arc<AtomicBool>) -> ClientReport {
    let mut rep = ClientReport::default();
    let mut sse = match TcpStream::connect(("127.0.0.1", port)) {
        Ok(s) => s,
        Err(e) => {
            rep.errors.push(format!("client {k}: events connect: {e}"));
            return rep;
        }
    };
    let _ = write!(
        sse,
        "GET /__dualprev/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    );
    // The greeting: headers and a first event (hello, or overlay while broken).
    sse.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 8192];
    while !String::from_utf8_lossy(&seen).contains("\n\n")
        || !String::from_utf8_lossy(&seen).contains("event: ")
    {
        match sse.read(&mut buf) {
            Ok(0) => {
                rep.errors
                    .push(format!("client {k}: events closed before the greeting"));
                return rep;
            }
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) => {
                rep.errors.push(format!("client {k}: no greeting: {e}"));
                return rep;
            }
        }
    }
    let head = String::from_utf8_lossy(&seen).into_owned();
    if !head.starts_with("HTTP/1.1 200") || !head.contains("text/event-stream") {
        rep.errors.push(format!(
            "client {k}: events answered {:?}",
            head.lines().next()
        ));
    }
    sse.set_read_timeout(Some(Duration::from_millis(1)))
        .unwrap();
    let pages = [
        ("/", 200),
        ("/enterprises/xinqiao-casting/", 200),
        ("/ledger/", 200),
        ("/soak/", 200),
        ("/search/meta.json", 200),
        ("/css/site.css", 200),
        ("/__dualprev/status", 200),
        ("/no/such/page/", 404),
    ];
    let mut i = k;
    while !stop.load(Ordering::Relaxed) {
        let (path, want) = pages[i % pages.len()];
        i += 1;
        match get(port, path) {
            Ok((code, body)) if code == want && !body.is_empty() => {}
            Ok((code, body)) => rep.errors.push(format!(
                "client {k}: {path} → {code} ({} bytes), expected {want}",
                body.len()
            )),
            Err(e) => rep.errors.push(format!("client {k}: {path}: {e}")),
        }
        rep.requests += 1;
        // Drain the live-reload stream.
        loop {
            match sse.read(&mut buf) {
                Ok(0) => {
                    rep.errors.push(format!(
                        "client {k}: events connection closed by the server"
                    ));
                    break;
                }
                Ok(n) => {
                    rep.events += String::from_utf8_lossy(&buf[..n])
                        .matches("event: ")
                        .count() as u64
                }
                Err(_) => break,
            }
        }
        if rep.errors.len() > 20 {
            break;
        }
        std::thread::sleep(CLIENT_PAUSE);
    }
    rep
}

#[test]
fn preview_server_survives_a_thousand_edit_break_fix_cycles_with_fifty_clients() {
    let t0 = Instant::now();
    let tmp = tempfile::Builder::new()
        .prefix("dualprev-soak-")
        .tempdir()
        .unwrap();
    let root = tmp.path().join("site");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for d in ["content", "data", "templates", "static"] {
        if repo.join(d).is_dir() {
            copy_dir(&repo.join(d), &root.join(d));
        }
    }
    let record = root.join(RECORD);
    let page = root.join(PAGE);
    let good = std::fs::read_to_string(&record).unwrap();
    let line = good
        .lines()
        .find(|l| l.starts_with("employees = "))
        .expect("the record has an `employees = N` line");
    let broken = good.replacen(line, "employees = \"三十\"", 1);
    std::fs::write(&page, page_text(0)).unwrap();
    let mirror: PathBuf = tmp.path().join("mirror");

    let mut server = Server::start(&root, &mirror);
    let port = server.port;
    let start_deadline = Instant::now() + Duration::from_secs(60);
    while !(status(port)["generation"].as_u64().unwrap_or(0) >= 1
        && mirror.join("index.html").exists())
    {
        assert!(
            Instant::now() < start_deadline,
            "no first build\n{}",
            server.tail()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let baseline = server.threads();
    let gen0 = status(port)["generation"].as_u64().unwrap();
    assert!(baseline > 0, "cannot read /proc/{}/status", server.pid());

    // 50 clients.
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..CLIENTS)
        .map(|k| {
            let stop = stop.clone();
            std::thread::spawn(move || client(port, k, stop))
        })
        .collect();
    // Let every client connect before the storm.
    std::thread::sleep(Duration::from_millis(1500));
    let with_clients = server.threads();

    // The storm.
    let peak = Arc::new(AtomicU64::new(with_clients as u64));
    let storm_start = Instant::now();
    let mut last_alive_check = Instant::now();
    for n in 1..=CYCLES {
        std::fs::write(&page, page_text(n)).unwrap();
        std::thread::sleep(STEP);
        std::fs::write(&record, &broken).unwrap();
        std::thread::sleep(STEP);
        std::fs::write(&record, &good).unwrap();
        std::thread::sleep(STEP);
        if last_alive_check.elapsed() > Duration::from_millis(500) {
            last_alive_check = Instant::now();
            assert!(
                server.alive(),
                "the server died during cycle {n}\n{}",
                server.tail()
            );
            peak.fetch_max(server.threads() as u64, Ordering::Relaxed);
        }
    }
    let storm = storm_start.elapsed();
    let gen_at_last_write = status(port)["generation"].as_u64().unwrap();

    // Quiet: the generation stays the same for two seconds.
    let quiet_start = Instant::now();
    let mut last = status(port)["generation"].as_u64().unwrap();
    let mut since = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            server.alive(),
            "the server died after the storm\n{}",
            server.tail()
        );
        let g = status(port)["generation"].as_u64().unwrap();
        if g != last {
            last = g;
            since = Instant::now();
        } else if since.elapsed() > Duration::from_secs(2) {
            break;
        }
        assert!(
            quiet_start.elapsed() < Duration::from_secs(120),
            "the server still rebuilds two minutes after the last write ({} rebuilds since it): \
             the storm is not coalesced\n{}",
            g - gen_at_last_write,
            server.tail()
        );
    }
    let drain = quiet_start.elapsed().saturating_sub(Duration::from_secs(2));
    let st = status(port);
    let generations = st["generation"].as_u64().unwrap() - gen0;
    assert_eq!(st["ok"], true, "the final state should build: {st}");
    let writes = 3 * CYCLES as u64;
    let after_last_write = last - gen_at_last_write;
    assert!(
        generations < CYCLES as u64,
        "{generations} rebuilds for {writes} writes: the server does not coalesce bursts"
    );
    let (code, body) = get(port, "/soak/").unwrap();
    assert_eq!(code, 200);
    assert!(
        String::from_utf8_lossy(&body).contains(&format!("第 {CYCLES} 次编辑")),
        "the server does not serve the last edit"
    );

    // The mirror equals a clean build of the final sources.
    let final_copy = tmp.path().join("final");
    copy_dir(&root, &final_copy);
    let clean = tmp.path().join("clean");
    let r = common::run(&[
        common::a("build"),
        common::a("--root"),
        common::a(&final_copy),
        common::a("--out"),
        common::a(&clean),
        common::a("--as-of"),
        common::a(AS_OF),
        common::a("--quiet"),
    ]);
    r.ok();
    // The preview makes no offline zip (and says so where a build links to it).
    let (m, c) = (
        common::without_offline_zip(snapshot(&mirror)),
        common::without_offline_zip(snapshot(&clean)),
    );
    assert!(
        m == c,
        "the mirrored output differs from a clean build of the final sources:\n{}",
        diff(&c, &m)
    );

    // The clients go away; the thread count comes back.
    stop.store(true, Ordering::Relaxed);
    let mut requests = 0;
    let mut events = 0;
    let mut errors = Vec::new();
    let mut starved = 0;
    for h in handles {
        let rep = h.join().expect("client thread panicked");
        requests += rep.requests;
        events += rep.events;
        if rep.events == 0 {
            starved += 1;
        }
        errors.extend(rep.errors);
    }
    // Nudge the server twice so that the streams of closed connections notice on a write.
    for n in 0..2 {
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(&page, page_text(CYCLES) + &"\n".repeat(n + 1)).unwrap();
    }
    let back_start = Instant::now();
    let mut threads = server.threads();
    while threads > baseline + THREAD_SLACK && back_start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(500));
        threads = server.threads();
    }
    let back = back_start.elapsed();
    assert!(server.alive(), "the server died\n{}", server.tail());

    say(&format!(
        "soak: {CYCLES} cycles ({writes} writes) in {:.1} s → {generations} rebuilds, {after_last_write} of them after the last write, quiet {:.1} s after it; \
         {CLIENTS} clients: {requests} requests, {events} live-reload events, {} errors; \
         threads: baseline {baseline}, with clients {with_clients}, peak {}, after {:.1} s {threads}; total {:.1} s",
        storm.as_secs_f64(),
        drain.as_secs_f64(),
        errors.len(),
        peak.load(Ordering::Relaxed),
        back.as_secs_f64(),
        t0.elapsed().as_secs_f64()
    ));
    // Everything written before the last write is stale once it is there: with the storm coalesced,
    // at most the rebuild in progress and one for the last batch remain.
    assert!(
        after_last_write <= 3,
        "{after_last_write} rebuilds ran after the last write ({:.1} s of catching up): batches of \
         changes that queued up while a rebuild ran are rebuilt one by one instead of together",
        drain.as_secs_f64()
    );
    assert!(
        errors.is_empty(),
        "{} client errors, e.g.:\n{}",
        errors.len(),
        errors
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_eq!(
        starved, 0,
        "{starved} clients got no live-reload event at all"
    );
    assert!(
        with_clients >= baseline + CLIENTS / 2,
        "the clients did not show in the thread count ({baseline} → {with_clients})"
    );
    assert!(
        threads <= baseline + THREAD_SLACK,
        "threads did not come back after the clients left: baseline {baseline}, now {threads} \
         ({:.0} s after they disconnected)",
        back.as_secs_f64()
    );
}

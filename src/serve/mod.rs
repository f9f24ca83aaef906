//! Stage around the pipeline — serve: builds the site into memory, serves it on 127.0.0.1 with
//! tiny_http, watches the sources with notify and, after each debounced change, rebuilds and tells
//! every open page over server-sent events to reload, or to show an overlay with the diagnostics.

pub mod http;
pub(crate) mod live;
pub mod watch;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock, mpsc};
use std::time::Instant;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::pipeline::{self, BuildOptions, Failure};
use crate::render::Output;

/// What the server currently knows: the last good output and the state of the last rebuild.
pub(crate) struct Shared {
    pub(crate) output: RwLock<Arc<Output>>,
    /// The search index files and the output they were made from, made when a search first asks
    /// for them (see [`Shared::search_files`]).
    pub(crate) search: Mutex<SearchFiles>,
    pub(crate) status: RwLock<Status>,
    pub(crate) clients: Mutex<Vec<Client>>,
    /// Mirror of the output on disk, if `--out` was given.
    pub(crate) mirror: Option<PathBuf>,
    /// `Host` header values the server answers (see [`http::Hosts`]).
    pub(crate) hosts: http::Hosts,
    /// Print each rebuild's time per stage (`--timings`).
    pub(crate) timings: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct Status {
    /// Rebuilds done since start (the first build is 1).
    pub(crate) generation: u64,
    pub(crate) ok: bool,
    pub(crate) errors: Vec<Diagnostic>,
    /// Rendered text of the errors, as the terminal shows them.
    pub(crate) rendered: Vec<String>,
    pub(crate) last_ms: u128,
    /// The last sync marker answered: every change made before it has been built.
    pub(crate) sync: String,
}

/// One open page's event stream, and the output file it shows (when it said which).
pub(crate) struct Client {
    pub(crate) page: Option<String>,
    pub(crate) tx: mpsc::Sender<String>,
}

impl Shared {
    /// Sends one SSE event to every connected page, dropping the ones that have gone away.
    pub(crate) fn broadcast(&self, event: &str, data: &str) {
        let msg = format!("event: {event}\ndata: {data}\n\n");
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|c| c.tx.send(msg.clone()).is_ok());
        }
    }

    /// The reload event. A page that is among `changed` gets its new HTML with it, as a request
    /// for it would be answered: it shows the edit without asking (5-13 ms sooner in Chromium).
    fn announce_reload(&self, payload: &serde_json::Value, output: &Output) {
        let changed: std::collections::HashSet<&str> = payload["changed"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let plain = format!("event: reload\ndata: {payload}\n\n");
        let with_page = |page: &str| -> Option<String> {
            if !page.ends_with(".html") || !changed.contains(url_of(page).as_str()) {
                return None;
            }
            let html = http::maybe_inject(page, output.files.get(page)?);
            let mut p = payload.clone();
            p["html"] = String::from_utf8_lossy(&html).into();
            Some(format!("event: reload\ndata: {p}\n\n"))
        };
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|c| {
                let msg = c.page.as_deref().and_then(with_page);
                c.tx.send(msg.unwrap_or_else(|| plain.clone())).is_ok()
            });
        }
    }
}

/// Builds once, then serves and rebuilds on change until the process is stopped.
pub fn run(
    opts: BuildOptions,
    bind: &str,
    port: u16,
    open: bool,
    mirror: Option<PathBuf>,
    timings: bool,
) -> anyhow::Result<()> {
    if let Some(m) = &mirror {
        crate::write::check_destination(&opts.root, m)?;
    }
    let server = std::net::TcpListener::bind((bind, port))
        .map_err(|e| e.into())
        .and_then(|l| {
            no_delay(&l);
            tiny_http::Server::from_listener(l, None)
        })
        .map_err(|e| {
        if port != 0 {
            anyhow::anyhow!("无法在 {bind}:{port} 上启动预览服务器（{e}）；端口 {port} 可能已被占用，可用 --port 指定其他端口，或 --port 0 自动选择")
        } else {
            anyhow::anyhow!("无法在 {bind} 上启动预览服务器：{e}")
        }
    })?;
    let Some(bound) = server.server_addr().to_ip() else {
        anyhow::bail!("无法在 {bind}:{port} 上启动预览服务器：不是 IP 地址");
    };
    if !bound.ip().is_loopback() {
        eprintln!(
            "注意：预览服务器监听 {bound}，同一网络中的其他电脑也能打开预览；只在可信的网络中这样做。"
        );
    }
    let hosts = http::Hosts::new(bound);
    // Bound to every interface, the printed address is one a browser on this machine can open.
    let addr = if bound.ip().is_unspecified() {
        format!("127.0.0.1:{}", bound.port())
    } else {
        bound.to_string()
    };
    let shared = Arc::new(Shared {
        output: RwLock::new(Arc::new(Output::default())),
        search: Mutex::new(SearchFiles::default()),
        status: RwLock::new(Status::default()),
        clients: Mutex::new(Vec::new()),
        mirror,
        hosts,
        timings,
    });
    let mut cache = pipeline::Caches::default();
    rebuild(&opts, &shared, &[], &mut cache);
    // Watching starts before the address is printed: whoever reads it may edit at once.
    let (tx, rx) = mpsc::channel::<watch::Change>();
    let _watcher = watch::start(&opts.root, tx)?;
    let url = format!("http://{addr}/");
    println!("预览地址：{url}  （按 Ctrl-C 停止）");
    if open && let Err(e) = ::open::that_detached(&url) {
        // The preview still runs; the user can open the printed address by hand.
        eprintln!("无法自动打开浏览器（{e}），请手动打开 {url}");
    }
    {
        let shared = shared.clone();
        let opts = opts.clone();
        std::thread::spawn(move || {
            while let Ok(first) = rx.recv() {
                // Changes that arrived while the last rebuild ran are built together, once; the
                // sync markers among them are answered after that build.
                let mut paths = Vec::new();
                let mut syncs = Vec::new();
                for change in std::iter::once(first).chain(rx.try_iter()) {
                    match change {
                        watch::Change::Paths(p) => paths.extend(p),
                        watch::Change::Sync(name) => syncs.push(name),
                    }
                }
                paths.sort();
                paths.dedup();
                if paths.is_empty() {
                    answer_syncs(&shared, syncs);
                    continue;
                }
                // A bug in one rebuild must not end live preview: report it and keep watching.
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    rebuild(&opts, &shared, &paths, &mut cache)
                }));
                if run.is_err() {
                    cache = pipeline::Caches::default();
                    let mut status = shared.status.read().map(|s| s.clone()).unwrap_or_default();
                    status.ok = false;
                    let d = Diagnostic::file(
                        crate::diag::Severity::Error,
                        "",
                        "生成时发生内部错误（dualprev 的缺陷），请把终端中的信息报告给维护者；修改文件后会重试",
                    );
                    status.rendered = vec![d.render()];
                    status.errors = vec![d];
                    if let Ok(mut s) = shared.status.write() {
                        *s = status.clone();
                    }
                    shared.broadcast(
                        "overlay",
                        &serde_json::to_string(&status).unwrap_or_default(),
                    );
                }
                answer_syncs(&shared, syncs);
            }
        });
    }
    let server = Arc::new(server);
    for request in server.incoming_requests() {
        let shared = shared.clone();
        // One thread per request: an SSE stream or a slow client never holds up the others.
        std::thread::spawn(move || http::handle(request, &shared));
    }
    Ok(())
}

/// The search index of one output. Made on demand: an edit costs no indexing (seconds on a large
/// site, on the threads the next rebuild needs), only the first search after it does.
#[derive(Default)]
pub(crate) struct SearchFiles {
    /// The output indexed; weak, so an old output is not kept alive for its index.
    of: std::sync::Weak<Output>,
    files: Arc<std::collections::BTreeMap<String, Vec<u8>>>,
}

impl Shared {
    /// The search index files of `output`, made now unless they already are. Requests that ask
    /// while it is being made wait for it and share it.
    pub(crate) fn search_files(
        &self,
        output: &Arc<Output>,
    ) -> Arc<std::collections::BTreeMap<String, Vec<u8>>> {
        let mut s = self.search.lock().unwrap_or_else(|e| e.into_inner());
        if !s.is_of(output) {
            let (files, _) = crate::search::index(output);
            *s = SearchFiles {
                of: Arc::downgrade(output),
                files: Arc::new(files),
            };
        }
        s.files.clone()
    }

    /// Lets go of an index made for an earlier output (it would only be made again).
    fn drop_stale_search(&self, output: &Arc<Output>) {
        let mut s = self.search.lock().unwrap_or_else(|e| e.into_inner());
        if !s.is_of(output) {
            *s = SearchFiles::default();
        }
    }
}

impl SearchFiles {
    fn is_of(&self, output: &Arc<Output>) -> bool {
        self.of.upgrade().is_some_and(|o| Arc::ptr_eq(&o, output))
    }
}

/// Turns off Nagle's algorithm on the listening socket, which the accepted connections inherit on
/// Linux: tiny_http writes a response's head and body separately, and on a kept-alive connection
/// the body otherwise waits for the browser's delayed acknowledgement, 40 ms for every style
/// sheet or script after the page (measured: page reloaded in 135 ms instead of about 90).
#[cfg(unix)]
fn no_delay(l: &std::net::TcpListener) {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: a valid socket descriptor, and a pointer to a c_int that outlives the call.
    unsafe {
        libc::setsockopt(
            l.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

#[cfg(not(unix))]
fn no_delay(_: &std::net::TcpListener) {}

/// Reports the last sync marker seen (see [`watch::SYNC_PREFIX`]) once everything before it is built.
fn answer_syncs(shared: &Shared, syncs: Vec<String>) {
    if let Some(last) = syncs.into_iter().last()
        && let Ok(mut s) = shared.status.write()
    {
        s.sync = last;
    }
}

/// Rebuilds the whole site in memory; on success swaps the output and reloads the pages that
/// changed, on failure keeps the last good output and shows the overlay.
pub(crate) fn rebuild(
    opts: &BuildOptions,
    shared: &Shared,
    changed: &[PathBuf],
    cache: &mut pipeline::Caches,
) {
    let start = Instant::now();
    // With a disk mirror the written folder must equal `build` output, index included.
    let mirror = shared.mirror.is_some();
    cache.load.forget(changed);
    let result = pipeline::compile(
        opts,
        pipeline::Mode::Preview {
            caches: cache,
            with_search: mirror,
        },
    );
    let ms = start.elapsed().as_millis();
    let mut status = shared.status.write().map(|s| s.clone()).unwrap_or_default();
    status.generation += 1;
    status.last_ms = ms;
    match result {
        Ok(c) => {
            let old = shared.output.read().map(|o| o.clone()).ok();
            let changed_keys = old.as_ref().map(|o| changed_pages(o, &c.output));
            if let Some(dir) = &shared.mirror
                && let Err(e) = crate::write::write(dir, &c.output)
            {
                eprintln!("错误：{e}");
            }
            let stages = c.stages.clone();
            let output = Arc::new(c.output);
            cache.render.remember(output.clone());
            if let Ok(mut o) = shared.output.write() {
                *o = output.clone();
            }
            let was_failing = !status.ok && status.generation > 1;
            status.ok = true;
            status.errors = c.diags;
            status.rendered = status.errors.iter().map(|d| d.render()).collect();
            if let Ok(mut s) = shared.status.write() {
                *s = status.clone();
            }
            let names: Vec<String> = changed.iter().map(|p| p.display().to_string()).collect();
            if status.generation > 1 {
                let stages = if shared.timings {
                    format!("：{}", pipeline::stage_list(&stages))
                } else {
                    String::new()
                };
                println!("已重新生成（{ms} 毫秒{stages}）：{}", names.join("，"));
            } else {
                println!("已生成网站（{ms} 毫秒）");
            }
            // Static files are copied by path, so a change to one shows in no page's bytes: reload all.
            let touches_static = changed.iter().any(|p| {
                p.components()
                    .any(|c| c.as_os_str() == "static" || c.as_os_str() == "themes")
            });
            let payload = match changed_keys {
                Some(keys) if !was_failing && !touches_static && keys.len() < 200 => {
                    serde_json::json!({ "generation": status.generation, "changed": keys })
                }
                _ => serde_json::json!({ "generation": status.generation, "all": true }),
            };
            shared.announce_reload(&payload, &output);
            shared.drop_stale_search(&output);
        }
        Err(f) => {
            let diags = match f {
                Failure::Input(d) => d,
                Failure::Io(e) => vec![Diagnostic::file(
                    crate::diag::Severity::Error,
                    "",
                    crate::diag::failure_text(&e),
                )],
            };
            for d in &diags {
                eprintln!("{}", d.render());
            }
            eprintln!("生成失败，继续提供上一次成功的结果");
            status.ok = false;
            status.rendered = diags.iter().map(|d| d.render()).collect();
            status.errors = diags;
            if let Ok(mut s) = shared.status.write() {
                *s = status.clone();
            }
            shared.broadcast(
                "overlay",
                &serde_json::to_string(&status).unwrap_or_default(),
            );
        }
    }
}

/// URL paths (`/a/b/`) of the HTML pages whose bytes differ, plus a marker for any other change.
fn changed_pages(old: &Output, new: &Output) -> Vec<String> {
    let mut keys = Vec::new();
    for (path, bytes) in &new.files {
        // A page reused from the last output is the same allocation: no need to compare bytes.
        let same = old
            .files
            .get(path)
            .is_some_and(|o| Arc::ptr_eq(o, bytes) || o == bytes);
        if !same {
            keys.push(url_of(path));
        }
    }
    for path in old.files.keys() {
        if !new.files.contains_key(path) {
            keys.push(url_of(path));
        }
    }
    if old.copies.len() != new.copies.len() || old.copies.keys().ne(new.copies.keys()) {
        keys.push("*".into());
    }
    keys
}

fn url_of(path: &str) -> String {
    let p = path.strip_suffix("index.html").unwrap_or(path);
    format!("/{p}")
}

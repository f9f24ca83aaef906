//! Answering one request of the preview server: GET/HEAD only; paths are percent-decoded and must
//! stay inside the output (no `..`, no absolute or backslash paths, no NUL); content types with
//! UTF-8; directories serve index.html; the theme's 404 page otherwise. HTML gets the live-reload
//! script injected here — it is never part of the built files.

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::{Shared, live};
use crate::render::theme::ThemeFile;

pub(crate) fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "svg" => "image/svg+xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// The output-relative path a URL asks for, or `Err(status)` when it may not be served.
pub(crate) fn resolve(url: &str) -> Result<String, u16> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Err(400);
    }
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| 400u16)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return Err(403);
    }
    let rel = &decoded[1..];
    // `//host/x` or `/C:/x` name something outside the output folder.
    if rel.starts_with('/') || rel.split('/').next().is_some_and(|s| s.ends_with(':')) {
        return Err(403);
    }
    for seg in rel.split('/') {
        if seg == ".." || seg == "." {
            return Err(403);
        }
    }
    Ok(rel.to_string())
}

/// Headers whose value is not valid in HTTP are left out rather than sent broken.
fn headers(pairs: &[(&str, &str)]) -> Vec<Header> {
    pairs
        .iter()
        .filter_map(|(k, v)| Header::from_bytes(k.as_bytes(), v.as_bytes()).ok())
        .collect()
}

/// The `Host` values a request may carry: the bound address, `localhost` and `127.0.0.1`, each
/// with the port (and without it on port 80). Anything else is refused, so a web page that
/// points its own name at 127.0.0.1 (DNS rebinding) cannot read the preview.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hosts {
    names: Vec<String>,
    /// Bound to every interface (`--bind 0.0.0.0`): colleagues reach the preview by this
    /// machine's IP address, whichever it is. An IP address is no DNS name, so rebinding
    /// cannot use it.
    any_ip_on: Option<u16>,
}

impl Hosts {
    pub(crate) fn new(bound: std::net::SocketAddr) -> Hosts {
        let port = bound.port();
        let mut names = vec![
            bound.to_string(),
            format!("localhost:{port}"),
            format!("127.0.0.1:{port}"),
        ];
        if port == 80 {
            let ip = match bound.ip() {
                std::net::IpAddr::V6(v6) => format!("[{v6}]"),
                v4 => v4.to_string(),
            };
            names.extend([ip, "localhost".into(), "127.0.0.1".into()]);
        }
        names.sort();
        names.dedup();
        Hosts {
            names,
            any_ip_on: bound.ip().is_unspecified().then_some(port),
        }
    }

    pub(crate) fn allows(&self, host: Option<&str>) -> bool {
        let Some(h) = host.map(str::trim) else {
            return false;
        };
        self.names.iter().any(|a| a.eq_ignore_ascii_case(h))
            || self.any_ip_on.is_some_and(|port| {
                h.parse::<std::net::SocketAddr>()
                    .is_ok_and(|a| a.port() == port)
                    || (port == 80 && h.parse::<std::net::IpAddr>().is_ok())
            })
    }

    /// For the refusal message.
    pub(crate) fn describe(&self) -> String {
        let mut s = self.names.join("、");
        if self.any_ip_on.is_some() {
            s.push_str("，以及本机的任一 IP 地址");
        }
        s
    }
}

pub(crate) fn handle(request: Request, shared: &Shared) {
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string());
    if !shared.hosts.allows(host.as_deref()) {
        let body = format!("预览服务器只接受发往 {} 的请求", shared.hosts.describe());
        let _ = request.respond(Response::from_string(body).with_status_code(403));
        return;
    }
    let head = *request.method() == Method::Head;
    if !matches!(request.method(), Method::Get | Method::Head) {
        let mut resp = Response::from_string("只支持 GET 和 HEAD").with_status_code(405);
        for h in headers(&[("Allow", "GET, HEAD")]) {
            resp.add_header(h);
        }
        let _ = request.respond(resp);
        return;
    }
    let url = request.url().to_string();
    match url.split('?').next().unwrap_or("") {
        "/__dualprev/events" => return events(request, shared),
        "/__dualprev/live.js" => {
            return respond(
                request,
                200,
                "text/javascript; charset=utf-8",
                live::SCRIPT.as_bytes().to_vec(),
                head,
            );
        }
        "/__dualprev/status" => {
            let body = shared
                .status
                .read()
                .map(|s| serde_json::to_vec(&*s).unwrap_or_default())
                .unwrap_or_default();
            return respond(request, 200, "application/json; charset=utf-8", body, head);
        }
        _ => {}
    }
    let rel = match resolve(&url) {
        Ok(r) => r,
        Err(code) => {
            return respond(
                request,
                code,
                "text/plain; charset=utf-8",
                "禁止访问".as_bytes().to_vec(),
                head,
            );
        }
    };
    let output = match shared.output.read() {
        Ok(o) => o.clone(),
        Err(_) => {
            return respond(
                request,
                500,
                "text/plain; charset=utf-8",
                b"error".to_vec(),
                head,
            );
        }
    };
    let candidates = if rel.is_empty() || rel.ends_with('/') {
        vec![format!("{rel}index.html")]
    } else {
        vec![rel.clone()]
    };
    for c in &candidates {
        if let Some(bytes) = output.files.get(c) {
            return respond(request, 200, content_type(c), maybe_inject(c, bytes), head);
        }
        // With a mirror (`--out`) the index is part of the output; otherwise made on demand.
        if c.starts_with("search/") && shared.mirror.is_none() {
            let search = shared.search_files(&output);
            if let Some(bytes) = search.get(c) {
                return respond(request, 200, content_type(c), bytes.clone(), head);
            }
        }
        if let Some(f) = output.copies.get(c) {
            let bytes = match f {
                ThemeFile::Embedded(b) => b.to_vec(),
                ThemeFile::Disk(p) => match std::fs::read(p) {
                    Ok(b) => b,
                    Err(_) => break,
                },
            };
            return respond(request, 200, content_type(c), bytes, head);
        }
    }
    // `/about` → `/about/` when that folder has a page.
    if !rel.is_empty()
        && !rel.ends_with('/')
        && output.files.contains_key(&format!("{rel}/index.html"))
    {
        let path = url.split('?').next().unwrap_or("");
        let mut resp = Response::empty(301);
        for h in headers(&[("Location", &format!("{path}/"))]) {
            resp.add_header(h);
        }
        let _ = request.respond(resp);
        return;
    }
    let body = output
        .files
        .get("404.html")
        .map(|b| maybe_inject("404.html", b))
        .unwrap_or_else(|| "404".as_bytes().to_vec());
    respond(request, 404, "text/html; charset=utf-8", body, head);
}

/// The output file an event stream's page shows, from its `?page=` (the page's own path, as
/// `location.pathname` has it).
fn page_of(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let raw = query.split('&').find_map(|kv| kv.strip_prefix("page="))?;
    let path = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    let rel = resolve(&path).ok()?;
    Some(if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel
    })
}

/// A file as the preview serves it: an HTML page with the live script.
pub(crate) fn maybe_inject(path: &str, bytes: &[u8]) -> Vec<u8> {
    if !path.ends_with(".html") {
        return bytes.to_vec();
    }
    let html = String::from_utf8_lossy(bytes);
    let tag = "<script src=\"/__dualprev/live.js\"></script>";
    match html.rfind("</body>") {
        Some(i) => format!("{}{tag}{}", &html[..i], &html[i..]).into_bytes(),
        None => format!("{html}{tag}").into_bytes(),
    }
}

fn respond(request: Request, code: u16, ctype: &str, body: Vec<u8>, head: bool) {
    let len = body.len();
    let data: Box<dyn Read + Send> = if head {
        Box::new(std::io::empty())
    } else {
        Box::new(std::io::Cursor::new(body))
    };
    let resp = Response::new(
        StatusCode(code),
        headers(&[
            ("Content-Type", ctype),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
        ]),
        data,
        Some(len),
        None,
    );
    let _ = request.respond(resp);
}

/// A server-sent-events stream: the current state first, then every broadcast, with a keep-alive
/// comment so a closed tab is noticed and its thread ends.
fn events(request: Request, shared: &Shared) {
    let (tx, rx) = mpsc::channel::<String>();
    let page = page_of(request.url());
    let first = shared.status.read().map(|s| s.clone()).unwrap_or_default();
    let mut w = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
    if w.write_all(head.as_bytes()).is_err() {
        return;
    }
    let hello = if first.ok {
        format!(
            "event: hello\ndata: {{\"generation\":{}}}\n\n",
            first.generation
        )
    } else {
        format!(
            "event: overlay\ndata: {}\n\n",
            serde_json::to_string(&first).unwrap_or_default()
        )
    };
    if w.write_all(hello.as_bytes())
        .and_then(|_| w.flush())
        .is_err()
    {
        return;
    }
    if let Ok(mut c) = shared.clients.lock() {
        c.push(super::Client { page, tx });
    }
    loop {
        // A short keep-alive finds closed tabs quickly, so their connections are let go.
        let msg = match rx.recv_timeout(Duration::from_secs(3)) {
            Ok(m) => m,
            Err(mpsc::RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if w.write_all(msg.as_bytes()).and_then(|_| w.flush()).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stream_names_the_page_it_shows() {
        let page = |q: &str| page_of(&format!("/__dualprev/events{q}"));
        assert_eq!(page(""), None);
        assert_eq!(page("?page=%2F"), Some("index.html".into()));
        // `location.pathname` is percent-encoded, and encoded again as the parameter.
        assert_eq!(
            page("?page=%2Fenterprises%2F%25E4%25BC%2581%2F"),
            Some("enterprises/企/index.html".into())
        );
        assert_eq!(page("?page=%2F404.html"), Some("404.html".into()));
        assert_eq!(page("?page=%2F..%2Fsecret"), None);
        assert_eq!(page("?page=x"), None);
    }

    #[test]
    fn only_the_preview_s_own_hosts_are_answered() {
        let hosts = Hosts::new("127.0.0.1:8123".parse().unwrap());
        for ok in ["127.0.0.1:8123", "localhost:8123", "LOCALHOST:8123"] {
            assert!(hosts.allows(Some(ok)), "{ok}");
        }
        for bad in [
            None,
            Some("evil.example:8123"),
            Some("127.0.0.1"),
            Some("localhost:80"),
            Some("127.0.0.1:8124"),
            Some("127.0.0.1.evil.example:8123"),
            Some("192.168.1.5:8123"),
        ] {
            assert!(!hosts.allows(bad), "{bad:?}");
        }
        let on_80 = Hosts::new("192.168.1.5:80".parse().unwrap());
        assert!(on_80.allows(Some("192.168.1.5")));
        assert!(on_80.allows(Some("localhost")));
        assert!(!on_80.allows(Some("evil.example")));
        assert!(!on_80.allows(Some("10.0.0.2")));
        let v6 = Hosts::new("[::1]:80".parse().unwrap());
        assert!(v6.allows(Some("[::1]")) && v6.allows(Some("[::1]:80")));
    }

    #[test]
    fn bound_to_every_interface_any_ip_address_with_the_port_is_answered() {
        let hosts = Hosts::new("0.0.0.0:8123".parse().unwrap());
        for ok in ["192.168.1.5:8123", "[fe80::1]:8123", "localhost:8123"] {
            assert!(hosts.allows(Some(ok)), "{ok}");
        }
        for bad in ["192.168.1.5:8124", "192.168.1.5", "evil.example:8123"] {
            assert!(!hosts.allows(Some(bad)), "{bad}");
        }
        assert!(hosts.describe().contains("任一 IP 地址"));
    }

    #[test]
    fn traversal_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/%2E%2E/%2e%2e/x",
            "/..%2fetc%2fpasswd",
            "/a/../../b",
            "/%5c..%5cwindows",
            "/a\\..\\b",
            "/./a",
            "/a/%00b",
            "//etc/passwd",
            "/C:/windows",
        ] {
            assert!(resolve(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(resolve("/handbook/%E9%A3%8E/").unwrap(), "handbook/风/");
        assert_eq!(resolve("/?q=1").unwrap(), "");
    }
}

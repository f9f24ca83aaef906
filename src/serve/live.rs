//! The script `serve` injects into every HTML page it serves (never into built files): it listens
//! to `/__dualprev/events`, updates the page when it changed (keeping the scroll position), and
//! shows or clears an overlay with the diagnostics. Everything is inserted as text. A page without
//! scripts of its own whose styles are unchanged is patched in place to the new one (no
//! navigation: 40–60 ms sooner on screen); any other change reloads it.

pub(crate) const SCRIPT: &str = r#"(function () {
  "use strict";
  var KEY = "dualprev-scroll:" + location.pathname;
  try {
    var saved = sessionStorage.getItem(KEY);
    if (saved !== null) {
      sessionStorage.removeItem(KEY);
      var y = parseInt(saved, 10);
      window.addEventListener("load", function () { window.scrollTo(0, y); });
      window.scrollTo(0, y);
    }
  } catch (e) {}
  function reload() {
    try { sessionStorage.setItem(KEY, String(window.scrollY)); } catch (e) {}
    location.reload();
  }
  // The page's own scripts and style sheets: a page with scripts is reloaded (they would not run
  // in a swapped body), and so is one whose style sheets changed.
  function scripts(doc) {
    return Array.prototype.filter.call(doc.querySelectorAll("script"), function (s) {
      return (s.getAttribute("src") || "").indexOf("/__dualprev/") !== 0;
    }).length;
  }
  function styles(doc) {
    return Array.prototype.map.call(doc.querySelectorAll("link[rel=stylesheet], style"), function (s) {
      return s.getAttribute("href") || s.textContent;
    }).join("\n");
  }
  // `html`: the new page, when the server sent it with the event.
  function update(assets, html) {
    if (assets || scripts(document)) { reload(); return; }
    var got = typeof html === "string" ? Promise.resolve(html) : fetch(location.href, { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.text();
    });
    got.then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      if (scripts(doc) || styles(doc) !== styles(document)) { reload(); return; }
      document.title = doc.title;
      morph(document.body, document.adoptNode(doc.body));
    }).catch(reload);
  }
  // Makes `old` equal to `neu` touching only what differs: unchanged nodes stay, so the browser
  // lays out only the edited part of a long page (a record's page: 25-45 ms less than a new body).
  function morph(old, neu) {
    if (old.nodeType !== neu.nodeType || old.nodeName !== neu.nodeName) {
      old.parentNode.replaceChild(neu, old);
      return;
    }
    if (old.nodeType !== 1) {
      if (old.nodeValue !== neu.nodeValue) old.nodeValue = neu.nodeValue;
      return;
    }
    var i, name;
    for (i = old.attributes.length - 1; i >= 0; i--) {
      name = old.attributes[i].name;
      if (!neu.hasAttribute(name)) old.removeAttribute(name);
    }
    for (i = 0; i < neu.attributes.length; i++) {
      name = neu.attributes[i].name;
      if (old.getAttribute(name) !== neu.attributes[i].value) old.setAttribute(name, neu.attributes[i].value);
    }
    var a = Array.prototype.slice.call(old.childNodes), b = Array.prototype.slice.call(neu.childNodes);
    var p = 0, s = 0;
    while (p < a.length && p < b.length && a[p].isEqualNode(b[p])) p++;
    while (s < a.length - p && s < b.length - p && a[a.length - 1 - s].isEqualNode(b[b.length - 1 - s])) s++;
    var am = a.slice(p, a.length - s), bm = b.slice(p, b.length - s);
    if (am.length === bm.length) {
      for (i = 0; i < am.length; i++) morph(am[i], bm[i]);
      return;
    }
    var before = s > 0 ? a[a.length - s] : null;
    am.forEach(function (n) { old.removeChild(n); });
    bm.forEach(function (n) { old.insertBefore(n, before); });
  }
  function here() {
    try { return decodeURIComponent(location.pathname); } catch (e) { return location.pathname; }
  }
  function overlay(status) {
    var old = document.getElementById("dualprev-overlay");
    if (old) old.remove();
    var box = document.createElement("div");
    box.id = "dualprev-overlay";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", "生成错误");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,20,.92);color:#fff;overflow:auto;padding:24px;font:14px/1.6 monospace;";
    var h = document.createElement("h2");
    h.style.cssText = "color:#ff8a80;font:bold 20px sans-serif;margin:0 0 12px";
    h.textContent = "生成失败：共 " + status.errors.filter(function (d) { return d.severity === "error"; }).length + " 个错误（修改文件后自动刷新）";
    box.appendChild(h);
    (status.rendered || []).forEach(function (text, i) {
      var d = status.errors[i] || {};
      if (d.severity !== "error") return;
      var pre = document.createElement("pre");
      pre.className = "dualprev-diagnostic";
      pre.style.cssText = "white-space:pre-wrap;background:#222;padding:12px;border-left:4px solid #ff5252;margin:0 0 12px";
      pre.textContent = text;
      box.appendChild(pre);
    });
    document.body.appendChild(box);
  }
  var failing = false;
  var es = null;
  // Browsers allow six connections per host; a page kept in the back/forward cache must not hold
  // one open, or after a few navigations the page's own requests would wait forever.
  window.addEventListener("pagehide", function () { if (es) { es.close(); es = null; } });
  window.addEventListener("pageshow", function (ev) { if (ev.persisted) { location.reload(); } });
  function connect() {
  es = new EventSource("/__dualprev/events?page=" + encodeURIComponent(location.pathname));
  es.addEventListener("overlay", function (ev) {
    failing = true;
    try { overlay(JSON.parse(ev.data)); } catch (e) {}
  });
  es.addEventListener("reload", function (ev) {
    var data = {};
    try { data = JSON.parse(ev.data); } catch (e) {}
    if (failing || data.all) { reload(); return; }
    var me = here(), changed = data.changed || [], mine = false, assets = false;
    for (var i = 0; i < changed.length; i++) {
      if (changed[i] === me || changed[i] === "*" || (me.endsWith("/") && changed[i] === me + "index.html")) mine = true;
      if (changed[i] === "*" || /\.(css|js)$/.test(changed[i])) assets = true;
    }
    if (mine) update(assets, data.html);
  });
  window.dualprevLive = es;
  }
  connect();
})();
"#;

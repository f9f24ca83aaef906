// dualprev search: the browser half of src/search. Same tokenizer, same matching and BM25 ranking as
// the Rust query function; downloads meta.json, the shards of the query's terms, and one small file
// per shown result. Results are built with text nodes only, never innerHTML.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = (script && script.getAttribute("data-root")) || "../";
  var K1 = 1.2, B = 0.75, TITLE_BOOST = 3.0, HEADING_BOOST = 1.0, PAGE = 20;

  function isCjk(c) {
    return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
      (c >= 0x20000 && c <= 0x2EBEF) || (c >= 0x30000 && c <= 0x3134F) || (c >= 0x3040 && c <= 0x30FF) ||
      (c >= 0xAC00 && c <= 0xD7A3);
  }
  function fold(ch) {
    var c = ch.codePointAt(0);
    if (c >= 0xFF01 && c <= 0xFF5E) { ch = String.fromCodePoint(c - 0xFEE0); }
    else if (c === 0x3000) { ch = " "; }
    if (ch >= "A" && ch <= "Z") { ch = ch.toLowerCase(); }
    return ch;
  }
  function cls(ch) {
    var c = ch.codePointAt(0);
    if (isCjk(c)) return 1;
    if (ch >= "0" && ch <= "9") return 3;
    if (/\p{L}/u.test(ch)) return 2;
    return 0;
  }
  function tokenize(text) {
    var chars = Array.from(text, fold), out = [], pos = 0, i = 0, s;
    while (i < chars.length) {
      var k = cls(chars[i]);
      if (k === 0) { i++; continue; }
      s = i;
      if (k === 1) {
        while (i < chars.length && cls(chars[i]) === 1) i++;
        var run = chars.slice(s, i);
        if (run.length === 1) { out.push({ t: run[0], p: pos++ }); }
        else {
          for (var j = 0; j + 1 < run.length; j++) out.push({ t: run[j] + run[j + 1], p: pos++ });
          out.push({ t: run[run.length - 1], p: pos++ });
        }
        pos++;
      } else if (k === 2) {
        while (i < chars.length && cls(chars[i]) === 2) i++;
        out.push({ t: chars.slice(s, i).join("").toLowerCase(), p: pos++ });
      } else {
        while (i < chars.length && (cls(chars[i]) === 3 ||
          (chars[i] === "." && i + 1 < chars.length && chars[i + 1] >= "0" && chars[i + 1] <= "9" && i > s))) i++;
        out.push({ t: chars.slice(s, i).join(""), p: pos++ });
      }
    }
    return out;
  }
  function queryTerms(q) {
    var toks = tokenize(q), terms = [], i = 0;
    while (i < toks.length) {
      var t = toks[i], first = t.t.codePointAt(0);
      if (isCjk(first) && Array.from(t.t).length === 2) {
        var phrase = [t.t], j = i + 1;
        while (j < toks.length && toks[j].p === toks[j - 1].p + 1) {
          if (Array.from(toks[j].t).length === 2) phrase.push(toks[j].t);
          j++;
        }
        terms.push(phrase); i = j;
      } else { terms.push([t.t]); i++; }
    }
    return terms;
  }
  function fnv1a(s) {
    var bytes = new TextEncoder().encode(s), h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) { h ^= bytes[i]; h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }
  function b36(n) { return n.toString(36); }
  var cache = {};
  // A request that stalls (a busy or flaky connection) is abandoned after a few seconds and tried
  // again once, so the page never waits forever.
  function fetchOnce(path, ms) {
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, ms) : null;
    return fetch(root + path, ctl ? { signal: ctl.signal } : undefined).then(function (r) {
      if (timer) clearTimeout(timer);
      if (!r.ok) throw new Error(path + " " + r.status);
      return r.json();
    });
  }
  function fetchJson(path) {
    if (!cache[path]) {
      cache[path] = fetchOnce(path, 5000).catch(function () { return fetchOnce(path, 10000); });
      cache[path].catch(function () { delete cache[path]; });
    }
    return cache[path];
  }
  function parsePostings(s) {
    var out = new Map();
    s.split(";").forEach(function (entry) {
      var n = entry.split(",").map(function (x) { return parseInt(x, 36); });
      if (n.length < 4) return;
      var pos = [], acc = 0;
      for (var i = 4; i < n.length; i++) { acc += n[i]; pos.push(acc); }
      out.set(n[0], { len: n[1], tl: n[2], hh: n[3], pos: pos });
    });
    return out;
  }
  function has(sorted, x) {
    var lo = 0, hi = sorted.length - 1;
    while (lo <= hi) { var m = (lo + hi) >> 1; if (sorted[m] === x) return true; if (sorted[m] < x) lo = m + 1; else hi = m - 1; }
    return false;
  }
  function search(q) {
    var terms = queryTerms(q);
    if (!terms.length) return Promise.resolve([]);
    return fetchJson("search/meta.json").then(function (meta) {
      var wanted = {};
      terms.forEach(function (ph) { ph.forEach(function (t) { wanted[fnv1a(t) % meta.shards] = 1; }); });
      var ids = Object.keys(wanted);
      return Promise.all(ids.map(function (id) { return fetchJson("search/s/" + id + ".json"); })).then(function (shards) {
        var byId = {};
        ids.forEach(function (id, i) { byId[id] = shards[i]; });
        var perTerm = [];
        for (var ti = 0; ti < terms.length; ti++) {
          var lists = [];
          for (var k = 0; k < terms[ti].length; k++) {
            var t = terms[ti][k], raw = byId[fnv1a(t) % meta.shards][t];
            if (raw === undefined) return [];
            lists.push(parsePostings(raw));
          }
          var found = new Map();
          lists[0].forEach(function (first, doc) {
            var hits = [];
            outer: for (var a = 0; a < first.pos.length; a++) {
              var p = first.pos[a];
              for (var j = 1; j < lists.length; j++) {
                var pj = lists[j].get(doc);
                if (!pj || !has(pj.pos, p + j)) continue outer;
              }
              hits.push(p);
            }
            if (!hits.length) return;
            var inTitle = hits.filter(function (x) { return x < first.tl; }).length;
            var heading = Math.min(first.hh, hits.length);
            var tf = hits.length + TITLE_BOOST * inTitle + HEADING_BOOST * heading;
            var body = hits.find(function (x) { return x > first.tl; });
            found.set(doc, [tf, first.len, body === undefined ? hits[0] : body]);
          });
          perTerm.push(found);
        }
        var docs = [];
        perTerm[0].forEach(function (_, d) { if (perTerm.every(function (m) { return m.has(d); })) docs.push(d); });
        var n = meta.n, avgdl = Math.max(meta.avgdl, 1);
        var scored = docs.map(function (d) {
          var score = 0, first = Infinity;
          perTerm.forEach(function (m) {
            var df = m.size, idf = Math.log((n - df + 0.5) / (df + 0.5) + 1), v = m.get(d);
            score += idf * v[0] * (K1 + 1) / (v[0] + K1 * (1 - B + B * v[1] / avgdl));
            first = Math.min(first, v[2]);
          });
          return { score: score, doc: d, first: first };
        });
        scored.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
        return scored;
      });
    });
  }
  function foldStr(s) { return Array.from(s, fold).join(""); }
  function render(list, q, shown) {
    var ol = document.getElementById("search-results"), status = document.getElementById("search-status");
    var slice = list.slice(0, shown);
    return Promise.all(slice.map(function (r) { return fetchJson("search/d/" + b36(r.doc) + ".json"); })).then(function (docs) {
      ol.textContent = "";
      docs.forEach(function (d, i) {
        var url = d.u, anchor = null;
        (d.s || []).forEach(function (s) { if (s[2] <= slice[i].first) anchor = s[0]; });
        if (anchor) url += "#" + encodeURIComponent(anchor);
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = root + url;
        a.textContent = d.t || url;
        li.appendChild(a);
        var p = document.createElement("p");
        p.className = "snippet";
        appendSnippet(p, d.x || "", q);
        li.appendChild(p);
        ol.appendChild(li);
      });
      status.textContent = list.length ? "找到 " + list.length + " 个页面" + (list.length > shown ? "，显示前 " + shown + " 个" : "") : "没有找到包含“" + q + "”的页面";
      var more = document.getElementById("search-more");
      if (more) more.remove();
      if (list.length > shown) {
        var b = document.createElement("button");
        b.id = "search-more"; b.type = "button"; b.textContent = "显示更多结果";
        b.addEventListener("click", function () { render(list, q, shown + PAGE); });
        ol.after(b);
      }
    });
  }
  // Snippet: ~90 characters around the first match, the match wrapped in <mark> built as DOM nodes.
  function appendSnippet(el, text, q) {
    var chars = Array.from(text), low = Array.from(text, fold).join(""), ql = foldStr(q.trim());
    var words = ql.split(/\s+/).filter(Boolean), at = low.indexOf(ql), len = ql.length;
    if (at < 0 && words.length) { at = low.indexOf(words[0]); len = words[0].length; }
    var atC = at < 0 ? 0 : Array.from(low.slice(0, at)).length, lenC = at < 0 ? 0 : Array.from(low.substr(at, len)).length;
    var start = Math.max(0, atC - 30), end = Math.min(chars.length, start + 90);
    if (start > 0) el.appendChild(document.createTextNode("……"));
    el.appendChild(document.createTextNode(chars.slice(start, atC).join("").replace(/\n/g, " ")));
    if (lenC) {
      var m = document.createElement("mark");
      m.textContent = chars.slice(atC, atC + lenC).join("");
      el.appendChild(m);
    }
    el.appendChild(document.createTextNode(chars.slice(atC + lenC, end).join("").replace(/\n/g, " ")));
    if (end < chars.length) el.appendChild(document.createTextNode("……"));
  }
  function run(q) {
    var status = document.getElementById("search-status");
    if (!q.trim()) { status.textContent = ""; document.getElementById("search-results").textContent = ""; return; }
    status.textContent = "正在搜索……";
    search(q).then(function (list) { return render(list, q, PAGE); }).catch(function (e) {
      status.textContent = "搜索索引加载失败：" + e.message;
    });
  }
  var input = document.getElementById("q");
  var form = input && input.form;
  if (!input) return;
  var params = new URLSearchParams(location.search);
  var initial = params.get("q") || "";
  input.value = initial;
  var top = document.getElementById("site-search");
  if (top) top.value = initial;
  if (initial) run(initial);
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = input.value;
    history.replaceState(null, "", "?q=" + encodeURIComponent(q));
    run(q);
  });
  window.dualprevSearch = { tokenize: tokenize, queryTerms: queryTerms, search: search };
})();

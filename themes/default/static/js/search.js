// dualprev search: the browser half of src/search. Same tokenizer, same matching and ranking as the
// Rust query function; downloads meta.json, the shards (and long lists) of the query's cover terms,
// what follows each bigram where a phrase needs it (so pages where a phrase's characters are never
// adjacent are ruled out unread), and one file per shown result, whose text confirms CJK phrases. Results are built with text
// nodes only, never innerHTML. In the offline copy (<html data-offline>, opened from a folder,
// where fetch cannot read files) the same data comes as script files (src/write/offline.rs).
(function () {
  "use strict";
  var script = document.currentScript;
  var root = (script && script.getAttribute("data-root")) || "../";
  var PAGE = 10;
  // Characters of page text per chunk and buckets of the follow codes (meta.json "c" and "f",
  // src/search/format.rs CHUNK and FOLLOW_BUCKETS).
  var CHUNK = 0, BUCKETS = 1;
  // Milliseconds of quiet after a keystroke before the query runs.
  var DEBOUNCE = 250;

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
  var offline = document.documentElement.hasAttribute("data-offline");
  // A request that stalls (a busy or flaky connection) is abandoned after a few seconds and tried
  // again once, so the page never waits forever.
  function fetchOnce(path, ms, asText) {
    if (offline) return loadScript(path, ms);
    var ctl = typeof AbortController === "function" ? new AbortController() : null;
    var timer = ctl ? setTimeout(function () { ctl.abort(); }, ms) : null;
    return fetch(root + path, ctl ? { signal: ctl.signal } : undefined).then(function (r) {
      if (timer) clearTimeout(timer);
      if (!r.ok) throw new Error(path + " " + r.status);
      return asText ? r.text() : r.json();
    }, function (e) {
      // The web copy opened from a folder: say what to use instead.
      if (location.protocol === "file:") throw new Error("直接从文件夹打开网站时请使用离线版（见“关于本站”）");
      throw e;
    });
  }
  // The offline copy: `search/s/3.json.js` calls dualprevData("search/s/3.json", data).
  var waiting = {};
  window.dualprevData = function (path, data) {
    var w = waiting[path];
    if (w) { delete waiting[path]; w(data); }
  };
  function loadScript(path, ms) {
    return new Promise(function (ok, fail) {
      var el = document.createElement("script"), timer = null;
      function end(why) {
        clearTimeout(timer);
        el.remove();
        if (waiting[path]) { delete waiting[path]; fail(new Error(path + " " + why)); }
      }
      waiting[path] = function (data) { clearTimeout(timer); ok(data); };
      el.onload = function () { end("没有数据"); };
      el.onerror = function () { end("无法读取"); };
      timer = setTimeout(function () { end("超时"); }, ms);
      el.src = root + path + ".js";
      document.head.appendChild(el);
    });
  }
  // A result's address: in the offline copy a folder is opened by its index.html.
  function pageHref(url) {
    if (!offline) return root + url;
    var cut = url.search(/[?#]/), path = cut < 0 ? url : url.slice(0, cut), tail = cut < 0 ? "" : url.slice(cut);
    if (path === "" || path.slice(-1) === "/") path += "index.html";
    return root + path + tail;
  }
  function fetchData(path, asText) {
    if (!cache[path]) {
      cache[path] = fetchOnce(path, 5000, asText).catch(function () { return fetchOnce(path, 10000, asText); });
      cache[path].catch(function () { delete cache[path]; });
    }
    return cache[path];
  }
  function fetchJson(path) { return fetchData(path, false); }
  // The varint alphabet comes with the index (meta.json "d", from src/search/format.rs).
  var DIGIT = null;
  function useDigits(digits) {
    if (DIGIT) return;
    DIGIT = {};
    for (var di = 0; di < digits.length; di++) DIGIT[digits[di]] = di;
  }
  // (doc, impact) pairs, doc numbers delta-coded, base-32 varints (see src/search/format.rs).
  function decodePostings(s) {
    var nums = [], acc = 0, out = [], doc = 0;
    for (var i = 0; i < s.length; i++) {
      var d = DIGIT[s[i]];
      if (d === undefined) continue;
      if (d >= 32) { acc = acc * 32 + (d - 32); } else { nums.push(acc * 32 + d); acc = 0; }
    }
    for (var k = 0; k + 1 < nums.length; k += 2) { doc += nums[k]; out.push([doc, nums[k + 1]]); }
    return out;
  }
  // What follows a bigram in each page of its list (src/search/format.rs push_follows): per
  // posting a count digit, then per code two digits and the first chunk where it follows; null
  // (count 63) when any character may.
  function decodeFollows(s) {
    var out = [], i = 0;
    while (i < s.length) {
      var n = DIGIT[s[i++]] || 0;
      if (n === 63) { out.push(null); continue; }
      var codes = [];
      for (var k = 0; k < n && i + 3 <= s.length; k++, i += 3) codes.push([DIGIT[s[i]] * 64 + DIGIT[s[i + 1]], DIGIT[s[i + 2]]]);
      out.push(codes);
    }
    return out;
  }
  // One varint of `s` from `at.i` on (at.i ends past it).
  function readVarint(s, at) {
    var v = 0, d;
    while (at.i < s.length) {
      d = DIGIT[s[at.i++]] || 0;
      if (d >= 32) { v = v * 32 + (d - 32); } else { return v * 32 + d; }
    }
    return v;
  }
  // One part of split follow codes, inverted by code (src/search/format.rs decode_follows_part):
  // the postings any character may follow, then per code its postings with their first chunk;
  // postings not listed have no code of this part.
  function decodeFollowsPart(s, n) {
    var out = [], at = { i: 0 }, k, p = 0;
    for (k = 0; k < n; k++) out.push([]);
    var any = readVarint(s, at);
    for (k = 0; k < any; k++) {
      p += readVarint(s, at);
      if (p < n) out[p] = null;
      p++;
    }
    while (at.i + 2 <= s.length) {
      var code = (DIGIT[s[at.i]] || 0) * 64 + (DIGIT[s[at.i + 1]] || 0);
      at.i += 2;
      var count = readVarint(s, at);
      p = 0;
      for (k = 0; k < count; k++) {
        p += readVarint(s, at);
        var chunk = DIGIT[s[at.i++]] || 0;
        if (p < n && out[p]) out[p].push([code, chunk]);
        p++;
      }
    }
    return out;
  }
  // Every other bigram of a phrase and its last: together they cover every character. Each with
  // the character that must follow it (the next bigram's last), where there is one.
  function cover(ph) {
    var out = [];
    for (var i = 0; i < ph.length; i += 2) {
      out.push({ t: ph[i], then: i + 1 < ph.length ? Array.from(ph[i + 1])[1] : null });
    }
    if (ph.length % 2 === 0) out.push({ t: ph[ph.length - 1], then: null });
    return out;
  }
  function phraseText(ph) {
    var s = ph[0];
    for (var i = 1; i < ph.length; i++) s += Array.from(ph[i]).slice(1).join("");
    return s;
  }
  // Candidates in rank order: pages holding every cover term, by summed impacts, ties by doc;
  // each with the chunk to start reading from (see candidates in src/search/query.rs).
  function candidates(groups) {
    return fetchJson("search/meta.json").then(function (meta) {
      useDigits(meta.d);
      CHUNK = meta.c;
      BUCKETS = meta.f;
      var terms = [];
      groups.forEach(function (g) { cover(g).forEach(function (c, i) { c.bounds = i === 0 && c.then !== null; terms.push(c); }); });
      var ids = [];
      terms.forEach(function (c) { var id = fnv1a(c.t) % meta.shards; if (ids.indexOf(id) < 0) ids.push(id); });
      return Promise.all(ids.map(function (id) { return fetchJson("search/s/" + id + ".json"); })).then(function (shards) {
        var raws = [];
        for (var i = 0; i < terms.length; i++) {
          var raw = shards[ids.indexOf(fnv1a(terms[i].t) % meta.shards)][terms[i].t];
          if (raw === undefined) return [];
          raws.push(raw);
        }
        // Each cover term's postings, only the pages where its next character follows it.
        return Promise.all(raws.map(function (raw, i) {
          var then = terms[i].then, cut = raw.indexOf("."), code = then ? then.codePointAt(0) % BUCKETS : 0;
          // `@key`, or `@key:parts` when its follow codes are split by code (n/key-part.txt).
          var long = raw.slice(1).split(":"), nparts = raw[0] === "@" && long[1] ? parseInt(long[1], 10) : 1;
          var follows = function () {
            return !then ? "" : nparts > 1 ? fetchData("search/n/" + long[0] + "-" + (code % nparts) + ".txt", true)
              : fetchData("search/n/" + long[0] + ".txt", true);
          };
          var parts = raw[0] !== "@" ? Promise.resolve([cut < 0 ? raw : raw.slice(0, cut), cut < 0 ? "" : raw.slice(cut + 1)])
            : Promise.all([fetchData("search/l/" + long[0] + ".txt", true), follows()]);
          return parts.then(function (p) {
            var list = decodePostings(p[0]);
            if (!then) return list.map(function (e) { return [e[0], e[1], 0]; });
            var keep = nparts > 1 ? decodeFollowsPart(p[1], list.length) : decodeFollows(p[1]), out = [];
            list.forEach(function (e, k) {
              if (keep[k] === null) { out.push([e[0], e[1], 0]); return; }
              var hit = keep[k] && keep[k].find(function (c) { return c[0] === code; });
              if (hit) out.push([e[0], e[1], hit[1]]);
            });
            return out;
          });
        })).then(function (lists) {
          var shortest = 0, bounded = 0;
          lists.forEach(function (l, i) { if (l.length < lists[shortest].length) shortest = i; });
          terms.forEach(function (c) { if (c.bounds) bounded++; });
          var acc = new Map();
          lists[shortest].forEach(function (e) { acc.set(e[0], [0, 0, Infinity]); });
          lists.forEach(function (l, i) {
            l.forEach(function (e) {
              var v = acc.get(e[0]);
              if (v) { v[0] += e[1]; v[1]++; if (terms[i].bounds) v[2] = Math.min(v[2], e[2]); }
            });
          });
          // A term that is not a phrase bounded by its chunks may match anywhere: read from the start.
          var allBounded = bounded === groups.length, ranked = [];
          acc.forEach(function (v, d) {
            if (v[1] === lists.length) ranked.push({ score: v[0], doc: d, from: allBounded ? Math.max(1, v[2]) : 1 });
          });
          ranked.sort(function (a, b) { return b.score - a.score || a.doc - b.doc; });
          return ranked;
        });
      });
    });
  }
  // A query's state: the ranked candidates, how far they have been checked, the confirmed hits.
  function search(q) {
    var groups = queryTerms(q);
    var st = { q: q, groups: groups, ranked: [], next: 0, hits: [],
      phrases: groups.filter(function (g) { return g.length > 1; }).map(phraseText),
      needles: groups.map(phraseText) };
    if (!groups.length) return Promise.resolve(st);
    return candidates(groups).then(function (ranked) { st.ranked = ranked; return st; });
  }
  // A result file, then its further text chunks in order while some needle is still unseen (see
  // read_doc in src/search/query.rs): a long page costs only the chunks up to its first match,
  // and none before chunk `from` when the index says no match starts earlier.
  function readDoc(doc, needles, from) {
    var id = b36(doc);
    return fetchJson("search/d/" + id + ".json").then(function (d) {
      var skip = from >= 2 && from < (d.n || 1);
      var r = { t: d.t || "", u: d.u, s: d.s || [], x: skip ? "" : d.x || "", w: d.w || [], off: skip ? from * CHUNK : 0 };
      var ft = foldStr(r.t), fx = foldStr(r.x);
      function more(k) {
        var missing = needles.some(function (w) { return ft.indexOf(w) < 0 && fx.indexOf(w) < 0; });
        if (k >= (d.n || 1) || !missing) { r.fx = fx; r.ft = ft; return r; }
        return fetchData("search/x/" + id + "-" + k + ".txt", true).then(function (c) {
          r.x += c; fx += foldStr(c);
          return more(k + 1);
        });
      }
      return more(skip ? from : 1);
    });
  }
  // Reads candidates in rank order, PAGE at a time, until `want` hits are confirmed.
  function confirm(st, want) {
    if (st.hits.length >= want || st.next >= st.ranked.length) return Promise.resolve(st);
    var batch = st.ranked.slice(st.next, st.next + PAGE);
    st.next += batch.length;
    return Promise.all(batch.map(function (r) { return readDoc(r.doc, st.needles, r.from); })).then(function (docs) {
      docs.forEach(function (d, i) {
        if (!st.phrases.every(function (p) { return d.ft.indexOf(p) >= 0 || d.fx.indexOf(p) >= 0; })) return;
        var first = -1;
        st.needles.forEach(function (n) { var at = d.fx.indexOf(n); if (at >= 0 && (first < 0 || at < first)) first = at; });
        var anchor = null;
        if (first >= 0) {
          var atC = d.off + Array.from(d.fx.slice(0, first)).length;
          d.s.forEach(function (s) { if (s[1] <= atC) anchor = s[0]; });
        }
        st.hits.push({ doc: batch[i].doc, d: d, url: d.u + (anchor ? "#" + encodeURIComponent(anchor) : "") });
      });
      return confirm(st, want);
    });
  }
  function foldStr(s) { return Array.from(s, fold).join(""); }
  // The query whose results the page shows; a slower, older query never overwrites a newer one.
  var current = null;
  function render(st, shown) {
    var ol = document.getElementById("search-results"), status = document.getElementById("search-status");
    return confirm(st, shown).then(function () {
      if (st !== current) return;
      var q = st.q, slice = st.hits.slice(0, shown);
      ol.textContent = "";
      slice.forEach(function (h) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = pageHref(h.url);
        a.textContent = h.d.t || h.url;
        li.appendChild(a);
        // Where the page belongs (the index's `w`, e.g. 小微企业指导手册 › 第8章), as text.
        if (h.d.w && h.d.w.length) {
          var w = document.createElement("p");
          w.className = "place";
          w.textContent = h.d.w.join(" › ");
          li.appendChild(w);
        }
        var p = document.createElement("p");
        p.className = "snippet";
        appendSnippet(p, h.d.x || "", q);
        li.appendChild(p);
        ol.appendChild(li);
      });
      // The count is exact once every candidate is confirmed (always, for queries with no CJK
      // phrase of three or more characters); until then it is "at least" what was confirmed.
      var exact = !st.phrases.length || st.next >= st.ranked.length;
      var total = exact && !st.phrases.length ? st.ranked.length : st.hits.length;
      var more = total > shown || (!exact && st.next < st.ranked.length);
      // One wording family: 找到 N 个结果 / 找到 N 个以上结果 / 没有找到….
      if (!total) status.textContent = "没有找到包含“" + q.trim() + "”的结果";
      else if (exact) status.textContent = "找到 " + total + " 个结果" + (total > shown ? "，显示前 " + slice.length + " 个" : "");
      else status.textContent = "找到 " + total + " 个以上结果，显示前 " + slice.length + " 个";
      var old = document.getElementById("search-more");
      if (old) old.remove();
      if (more) {
        var b = document.createElement("button");
        b.id = "search-more"; b.type = "button"; b.textContent = "显示更多结果";
        b.addEventListener("click", function () { render(st, shown + PAGE); });
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
    appendText(el, chars.slice(start, atC).join("").replace(/\n/g, " "));
    if (lenC) {
      var m = document.createElement("mark");
      m.textContent = chars.slice(atC, atC + lenC).join("");
      el.appendChild(m);
    }
    appendText(el, chars.slice(atC + lenC, end).join("").replace(/\n/g, " "));
    if (end < chars.length) el.appendChild(document.createTextNode("……"));
  }
  // Dates, ids and formulas (2024-12-31, H2025-004, R = 2 × 5 = 10) stay on one line, as on the
  // pages themselves: they go into <span class="nowrap">, as text.
  var TOKEN = /[A-Za-z0-9][A-Za-z0-9.\-\/:%]*(?:\s*[×=]\s*[A-Za-z0-9.\-\/:%]+)+|\d{4}-\d{2}-\d{2}|[A-Za-z]+\d[A-Za-z0-9\-]*/g;
  function appendText(el, text) {
    var last = 0, m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text))) {
      if (m.index > last) el.appendChild(document.createTextNode(text.slice(last, m.index)));
      var span = document.createElement("span");
      span.className = "nowrap";
      span.textContent = m[0];
      el.appendChild(span);
      last = m.index + m[0].length;
    }
    if (last < text.length) el.appendChild(document.createTextNode(text.slice(last)));
  }
  // The latest query asked for; the answer to an older, slower one is dropped.
  var latest = null;
  function run(q) {
    var status = document.getElementById("search-status"), ol = document.getElementById("search-results");
    var token = latest = {};
    if (!q.trim()) {
      current = null; status.textContent = ""; ol.textContent = "";
      var old = document.getElementById("search-more");
      if (old) old.remove();
      return;
    }
    status.textContent = "正在搜索……";
    search(q).then(function (st) {
      if (latest !== token) return;
      current = st;
      return render(st, PAGE);
    }).catch(function (e) {
      if (latest !== token) return;
      shown = null;
      status.textContent = "搜索索引加载失败：" + e.message;
    });
  }
  var input = document.getElementById("q");
  if (!input) return;
  var form = input.form;
  var params = new URLSearchParams(location.search);
  var initial = params.get("q") || "";
  input.value = initial;
  var shown = null, timer = null;
  // Runs the box's query unless it is already shown, and keeps ?q= in the address in step so the
  // results can be linked to (replaceState: typing adds no history entries).
  function go() {
    clearTimeout(timer);
    timer = null;
    var q = input.value;
    if (q === shown) return;
    shown = q;
    // A page opened from a folder may refuse a new address; the search runs all the same.
    try { history.replaceState(null, "", q.trim() ? "?q=" + encodeURIComponent(q) : location.pathname); } catch (e) { /* file:// */ }
    run(q);
  }
  // A query from the address runs as it is (the address already says it); an empty page waits
  // in the box for one.
  if (initial) { shown = initial; run(initial); }
  else input.focus();
  // Results while typing, once the typing pauses; an input method's unfinished pinyin waits for
  // the character it becomes.
  input.addEventListener("input", function (ev) {
    if (ev.isComposing) return;
    clearTimeout(timer);
    timer = setTimeout(go, DEBOUNCE);
  });
  input.addEventListener("compositionend", function () {
    clearTimeout(timer);
    timer = setTimeout(go, DEBOUNCE);
  });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    go();
  });
  window.dualprevSearch = { tokenize: tokenize, queryTerms: queryTerms, search: search };
})();

// Layout checks run inside Chromium by tests/layout.rs. Returns a list of problems, each
// {kind, what}. `mode` is "phone", "desktop" or "print"; in print mode the viewport has been set to
// the printable width of the paper, so anything wider than the viewport is cut off on paper.
(function (mode) {
  var problems = [];
  var vw = document.documentElement.clientWidth;
  var vh = window.innerHeight;
  var MAX = 12; // problems of one kind reported per page (the count is still exact)
  var counts = {};
  function report(kind, el, detail) {
    counts[kind] = (counts[kind] || 0) + 1;
    if (counts[kind] > MAX) return;
    problems.push({ kind: kind, what: describe(el) + (detail ? ' — ' + detail : '') });
  }
  function describe(el) {
    if (!el || !el.tagName) return '(document)';
    var s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.className && typeof el.className === 'string' && el.className.trim()) {
      s += '.' + el.className.trim().split(/\s+/).join('.');
    }
    var t = (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim();
    if (t.length > 40) t = t.slice(0, 40) + '…';
    return s + (t ? ' “' + t + '”' : '');
  }
  function visible(el) {
    var cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') return false;
    var r = el.getBoundingClientRect();
    return r.width > 0 || r.height > 0;
  }
  // Elements hidden on purpose for screen readers (1 px boxes with clip) are not clipping text.
  function srOnly(el) {
    for (var e = el; e && e !== document.body; e = e.parentElement) {
      var r = e.getBoundingClientRect();
      if (r.width <= 2 || r.height <= 2) return true;
      var cs = getComputedStyle(e);
      if (cs.clip && cs.clip !== 'auto') return true;
    }
    return false;
  }
  function hasContent(el) {
    return (el.innerText || '').trim() !== '' || el.querySelector('img, svg, canvas');
  }
  var all = Array.prototype.slice.call(document.body.querySelectorAll('*'));
  var skip = { SCRIPT: 1, STYLE: 1, NOSCRIPT: 1, TEMPLATE: 1, HEAD: 1 };

  // 1. Text clipped by an element that hides its overflow. On paper a scroll container clips too.
  all.forEach(function (el) {
    if (skip[el.tagName] || !visible(el)) return;
    var cs = getComputedStyle(el);
    var clipping = mode === 'print'
      ? /hidden|clip|auto|scroll/
      : /hidden|clip/;
    var cx = clipping.test(cs.overflowX), cy = clipping.test(cs.overflowY);
    if (!cx && !cy) return;
    if (srOnly(el) || !hasContent(el)) return;
    var over = [];
    if (cy && el.scrollHeight > el.clientHeight + 1) over.push('高 ' + el.scrollHeight + ' > ' + el.clientHeight + ' px');
    if (cx && el.scrollWidth > el.clientWidth + 1) over.push('宽 ' + el.scrollWidth + ' > ' + el.clientWidth + ' px');
    if (over.length) report('clipped', el, '内容被裁掉（' + over.join('，') + '）');
  });

  // 2. The page itself scrolls sideways (phone), or runs off the paper (print).
  if (mode !== 'desktop' && document.documentElement.scrollWidth > vw + 1) {
    var culprits = all.filter(function (el) {
      if (skip[el.tagName] || !visible(el) || srOnly(el)) return false;
      var r = el.getBoundingClientRect();
      if (r.right <= vw + 1) return false;
      // Only the outermost offender: its parent must itself fit.
      var p = el.parentElement;
      return !p || p.getBoundingClientRect().right <= vw + 1;
    });
    report(mode === 'print' ? 'off-paper' : 'sideways',
      culprits[0] || document.documentElement,
      '页面宽 ' + document.documentElement.scrollWidth + ' px，可用宽度 ' + vw + ' px' +
      (culprits.length > 1 ? '（共 ' + culprits.length + ' 处）' : ''));
  }

  // 3. Printed tables wider than the paper.
  if (mode === 'print') {
    Array.prototype.forEach.call(document.querySelectorAll('table'), function (t) {
      if (!visible(t)) return;
      var r = t.getBoundingClientRect();
      if (r.right > vw + 1 || t.scrollWidth > t.clientWidth + 1) {
        report('table-too-wide', t, '表宽 ' + Math.round(r.right) + ' px，纸面可用 ' + vw + ' px');
      }
    });
  }

  // 4. Text boxes so narrow that fewer than two characters fit on a line.
  all.forEach(function (el) {
    if (skip[el.tagName]) return;
    var direct = '';
    for (var n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 3) direct += n.nodeValue;
    direct = direct.replace(/\s+/g, '');
    var isCell = el.tagName === 'TD' || el.tagName === 'TH';
    var text = isCell ? (el.innerText || '').replace(/\s+/g, '') : direct;
    if (text.length < 2 || !visible(el) || srOnly(el)) return;
    // A box three characters wide always holds two per line; only narrower ones are measured.
    var ecs = getComputedStyle(el);
    // An inline element's lines belong to its block, which is measured on its own.
    if (ecs.display === 'inline' || ecs.display === 'contents') return;
    var inner = el.clientWidth - parseFloat(ecs.paddingLeft) - parseFloat(ecs.paddingRight);
    if (inner >= 3 * parseFloat(ecs.fontSize)) return;
    var range = document.createRange();
    range.selectNodeContents(el);
    var tops = {}, lines = 0;
    Array.prototype.forEach.call(range.getClientRects(), function (r) {
      if (r.width === 0) return;
      var k = Math.round(r.top / 3);
      if (!tops[k]) { tops[k] = 1; lines++; }
    });
    if (lines < 2) return;
    // Count the characters on each visual line.
    var perLine = {};
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    var total = 0;
    for (var t = walker.nextNode(); t; t = walker.nextNode()) {
      if (!isCell && t.parentNode !== el) continue;
      var s = t.nodeValue;
      for (var i = 0; i < s.length; i++) {
        if (/\s/.test(s[i])) continue;
        var cr = document.createRange();
        cr.setStart(t, i); cr.setEnd(t, i + 1);
        var rr = cr.getClientRects()[0];
        if (!rr || rr.width === 0) continue;
        var key = Math.round(rr.top / 3);
        perLine[key] = (perLine[key] || 0) + 1;
        total++;
      }
    }
    var keys = Object.keys(perLine);
    if (keys.length >= 2 && total / keys.length < 2) {
      report('one-char-lines', el, total + ' 个字排成 ' + keys.length + ' 行');
    }
  });

  // 5. Ids, dates, numbers and formulas broken across lines.
  var tokenRe = /(?:[A-Z]\s*=\s*)?\d+(?:\s*[×x*]\s*\d+)+\s*=\s*\d+|[A-Z]*\d[\dA-Z]*(?:[-.\/×=:][\dA-Z]+)+%?|[A-Z]+\d{2,}/g;
  var tw = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (var tn = tw.nextNode(); tn; tn = tw.nextNode()) {
    var host = tn.parentElement;
    if (!host || skip[host.tagName] || !tn.nodeValue.trim()) continue;
    if (host.closest('pre, code, svg, .visually-hidden')) continue;
    var m;
    tokenRe.lastIndex = 0;
    while ((m = tokenRe.exec(tn.nodeValue))) {
      var tok = m[0];
      if (tok.length < 3 || tok.length > 24) continue;
      var rg = document.createRange();
      rg.setStart(tn, m.index); rg.setEnd(tn, m.index + tok.length);
      var seen = {}, n2 = 0;
      Array.prototype.forEach.call(rg.getClientRects(), function (r) {
        if (r.width === 0) return;
        var k = Math.round(r.top / 3);
        if (!seen[k]) { seen[k] = 1; n2++; }
      });
      if (n2 > 1) report('broken-token', host, '“' + tok + '”被拆成 ' + n2 + ' 行');
    }
  }

  // 6. Fixed or sticky panels covering more than 30 % of a phone screen.
  if (mode === 'phone') {
    all.forEach(function (el) {
      var cs = getComputedStyle(el);
      if (cs.position !== 'fixed' && cs.position !== 'sticky') return;
      if (!visible(el)) return;
      var r = el.getBoundingClientRect();
      var w = Math.min(r.width, vw), h = Math.min(r.height, vh);
      var share = (w * h) / (vw * vh);
      if (share > 0.3) report('covers-screen', el, cs.position + ' 面板占屏幕 ' + Math.round(share * 100) + '%');
    });
  }

  return { problems: problems, counts: counts };
})

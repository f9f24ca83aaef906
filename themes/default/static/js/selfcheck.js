// Self-assessment on a standard's checklist page. Adds an input per item (points, or "不适用";
// "触发" for veto items), keeps the running total, percentage and verdict, and stores the entries in
// localStorage so they survive a reload. Scoring follows src/model/scoring.rs: not-applicable items
// leave the denominator, the percentage is rounded to one decimal, any veto fails.
(function () {
  "use strict";
  var article = document.querySelector("article.standard");
  if (!article) return;
  var id = article.getAttribute("data-standard");
  var passLine = parseFloat(article.getAttribute("data-pass-line"));
  var demoLine = parseFloat(article.getAttribute("data-demo-line"));
  var KEY = "dualprev-selfcheck:" + id;
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { saved = {}; }
  var rows = Array.prototype.slice.call(article.querySelectorAll("tr[data-item]"));
  var panel = document.getElementById("self-assessment");
  var result = document.getElementById("sa-result");
  panel.hidden = false;

  var controls = document.createElement("div");
  controls.className = "sa-controls no-print";
  var demoLabel = document.createElement("label");
  var demo = document.createElement("input");
  demo.type = "checkbox"; demo.id = "sa-demo"; demo.checked = !!saved.__demo;
  demoLabel.appendChild(demo);
  demoLabel.appendChild(document.createTextNode(" 按示范企业标准（" + demoLine + "%）判定"));
  var clear = document.createElement("button");
  clear.type = "button"; clear.id = "sa-clear"; clear.textContent = "清空自评";
  var print = document.createElement("button");
  print.type = "button"; print.textContent = "打印自评结果";
  print.addEventListener("click", function () { window.print(); });
  controls.appendChild(demoLabel); controls.appendChild(clear); controls.appendChild(print);
  panel.insertBefore(controls, result);

  rows.forEach(function (tr) {
    var item = tr.getAttribute("data-item"), points = parseInt(tr.getAttribute("data-points"), 10);
    var veto = tr.getAttribute("data-veto") === "true";
    var cell = tr.querySelector("td.col-score");
    var s = saved[item] || {};
    if (veto) {
      var lab = document.createElement("label");
      var cb = document.createElement("input");
      cb.type = "checkbox"; cb.className = "sa-veto"; cb.checked = !!s.veto;
      lab.appendChild(cb); lab.appendChild(document.createTextNode(" 触发"));
      cell.appendChild(lab);
    } else {
      var num = document.createElement("input");
      num.type = "number"; num.min = "0"; num.max = String(points); num.step = "1";
      num.className = "sa-points"; num.inputMode = "numeric";
      num.setAttribute("aria-label", item + " 得分（满分 " + points + "）");
      if (s.points !== undefined && s.points !== null) num.value = s.points;
      var na = document.createElement("label");
      var nb = document.createElement("input");
      nb.type = "checkbox"; nb.className = "sa-na"; nb.checked = !!s.na;
      nb.setAttribute("aria-label", item + " 不适用");
      na.appendChild(nb); na.appendChild(document.createTextNode(" 不适用"));
      cell.appendChild(num); cell.appendChild(na);
    }
  });

  function collect() {
    var state = { __demo: demo.checked }, awarded = 0, applicable = 0, missing = [], vetoed = [], over = [];
    rows.forEach(function (tr) {
      var item = tr.getAttribute("data-item"), points = parseInt(tr.getAttribute("data-points"), 10);
      if (tr.getAttribute("data-veto") === "true") {
        var v = tr.querySelector(".sa-veto").checked;
        state[item] = { veto: v };
        if (v) vetoed.push(item);
        return;
      }
      var num = tr.querySelector(".sa-points"), na = tr.querySelector(".sa-na").checked;
      num.disabled = na;
      var raw = num.value.trim();
      state[item] = { points: raw === "" ? null : raw, na: na };
      tr.classList.toggle("sa-row-na", na);
      if (na) return;
      applicable += points;
      if (raw === "") { missing.push(item); return; }
      var p = Math.floor(Number(raw));
      if (!(p >= 0 && p <= points)) { over.push(item); return; }
      awarded += p;
    });
    return { state: state, awarded: awarded, applicable: applicable, missing: missing, vetoed: vetoed, over: over };
  }
  function tenths(a, p) { return p === 0 ? 0 : Math.floor((a * 1000 + Math.floor(p / 2)) / p); }
  function update() {
    var r = collect();
    try { localStorage.setItem(KEY, JSON.stringify(r.state)); } catch (e) {}
    var t = tenths(r.awarded, r.applicable), line = demo.checked ? demoLine : passLine;
    var pct = Math.floor(t / 10) + "." + (t % 10);
    var verdict;
    if (r.vetoed.length) verdict = "不合格（否决）";
    else if (t >= Math.round(line * 10)) verdict = "合格";
    else verdict = "不合格";
    result.textContent = "";
    var p1 = document.createElement("p");
    p1.className = "sa-total";
    p1.textContent = "实得 " + r.awarded + " 分 / 适用项满分 " + r.applicable + " 分，得分率 ";
    var strong = document.createElement("strong");
    strong.id = "sa-percent"; strong.textContent = pct + "%";
    p1.appendChild(strong);
    p1.appendChild(document.createTextNode("（合格线 " + line + "%）"));
    var p2 = document.createElement("p");
    p2.className = "sa-verdict";
    p2.appendChild(document.createTextNode("结论："));
    var v = document.createElement("strong");
    v.id = "sa-verdict"; v.textContent = verdict;
    v.className = verdict === "合格" ? "status status-done" : "status status-late";
    p2.appendChild(v);
    result.appendChild(p1); result.appendChild(p2);
    if (r.vetoed.length) { var pv = document.createElement("p"); pv.textContent = "触发否决项：" + r.vetoed.join("、"); result.appendChild(pv); }
    if (r.missing.length) { var pm = document.createElement("p"); pm.className = "muted"; pm.textContent = "尚未打分（" + r.missing.length + " 项）：" + r.missing.join("、"); result.appendChild(pm); }
    if (r.over.length) { var po = document.createElement("p"); po.className = "warn-text"; po.textContent = "分数超出范围：" + r.over.join("、"); result.appendChild(po); }
  }
  article.addEventListener("input", update);
  article.addEventListener("change", update);
  demo.addEventListener("change", update);
  clear.addEventListener("click", function () {
    if (!window.confirm("清空本页的全部自评分数？")) return;
    try { localStorage.removeItem(KEY); } catch (e) {}
    rows.forEach(function (tr) {
      tr.querySelectorAll("input").forEach(function (i) { if (i.type === "checkbox") i.checked = false; else i.value = ""; });
    });
    demo.checked = false;
    update();
  });
  update();
})();

// Self-assessment on a standard's checklist page. Adds an input per item (points, or "不适用";
// "触发" for veto items), keeps the running total, percentage and verdict in a small bar at the bottom,
// and stores the entries in localStorage so they survive a reload. Scoring follows
// src/model/scoring.rs: not-applicable items leave the denominator, the percentage is rounded to one
// decimal, any veto fails. Points are counted in units of the standard's step (data-step), so the sums
// stay whole numbers; a score off the step or out of range is refused with a message and not counted.
(function () {
  "use strict";
  var article = document.querySelector("article.standard");
  if (!article) return;
  var id = article.getAttribute("data-standard");
  var passLine = parseFloat(article.getAttribute("data-pass-line"));
  var demoLine = parseFloat(article.getAttribute("data-demo-line"));
  var stepText = article.getAttribute("data-step") || "1";
  // Units per point: 1 for whole points, 2 for half points, 10 for tenths (the loader allows only these).
  var units = Math.round(1 / parseFloat(stepText)) || 1;
  var KEY = "dualprev-selfcheck:" + id;
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(KEY) || "{}") || {}; } catch (e) { saved = {}; }
  var rows = Array.prototype.slice.call(article.querySelectorAll("tr[data-item]"));
  var intro = document.getElementById("self-assessment");
  var bar = document.getElementById("sa-summary");
  var result = document.getElementById("sa-result");
  intro.hidden = false;
  bar.hidden = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  var controls = el("div", "sa-controls");
  var demoLabel = el("label");
  var demo = document.createElement("input");
  demo.type = "checkbox"; demo.id = "sa-demo"; demo.checked = !!saved.__demo;
  demoLabel.appendChild(demo);
  demoLabel.appendChild(document.createTextNode(" 按示范企业标准（" + demoLine + "%）判定"));
  var clear = el("button", "", "清空自评");
  clear.type = "button"; clear.id = "sa-clear";
  var print = el("button", "", "打印自评结果");
  print.type = "button";
  print.addEventListener("click", function () { window.print(); });
  controls.appendChild(demoLabel); controls.appendChild(clear); controls.appendChild(print);
  intro.appendChild(controls);

  rows.forEach(function (tr, i) {
    var item = tr.getAttribute("data-item"), points = parseInt(tr.getAttribute("data-points"), 10);
    var cell = tr.querySelector("td.col-score");
    var s = saved[item] || {};
    if (tr.getAttribute("data-veto") === "true") {
      var lab = el("label", "sa-check");
      var cb = document.createElement("input");
      cb.type = "checkbox"; cb.className = "sa-veto"; cb.checked = !!s.veto;
      cb.setAttribute("aria-label", item + " 否决项触发");
      lab.appendChild(cb); lab.appendChild(document.createTextNode(" 触发"));
      cell.appendChild(lab);
      return;
    }
    var wrap = el("span", "sa-entry");
    var num = document.createElement("input");
    num.type = "number"; num.min = "0"; num.max = String(points); num.step = stepText;
    num.className = "sa-points"; num.inputMode = units === 1 ? "numeric" : "decimal";
    num.setAttribute("aria-label", item + " 得分（满分 " + points + " 分）");
    if (s.points !== undefined && s.points !== null) num.value = s.points;
    var na = el("label", "sa-check");
    var nb = document.createElement("input");
    nb.type = "checkbox"; nb.className = "sa-na"; nb.checked = !!s.na;
    nb.setAttribute("aria-label", item + " 不适用");
    na.appendChild(nb); na.appendChild(document.createTextNode(" 不适用"));
    // The message lives next to the input and is tied to it, so a screen reader reads it too.
    var msg = el("span", "sa-msg");
    msg.id = "sa-msg-" + i;
    msg.hidden = true;
    wrap.appendChild(num); wrap.appendChild(el("span", "sa-of", "/ " + points + " 分"));
    cell.appendChild(wrap); cell.appendChild(na); cell.appendChild(msg);
  });

  // Checks one entry: its value in units of the step, or the reason it is refused.
  function check(num, points) {
    var raw = num.value.trim();
    if (raw === "") {
      return num.validity && num.validity.badInput ? { error: "未计入：请填写数字" } : { empty: true };
    }
    var v = Number(raw);
    if (!isFinite(v)) return { error: "未计入：请填写数字" };
    if (v < 0 || v > points) return { error: raw + " 分未计入：本项得分须在 0～" + points + " 分之间" };
    var u = Math.round(v * units);
    if (Math.abs(v * units - u) > 1e-9) {
      return {
        error: units === 1
          ? raw + " 分未计入：本项只能打整数分（0～" + points + " 分）"
          : raw + " 分未计入：得分须为 " + stepText + " 分的整数倍（0～" + points + " 分）"
      };
    }
    return { units: u };
  }

  function collect() {
    var state = { __demo: demo.checked };
    var r = { state: state, awarded: 0, applicable: 0, scored: 0, missing: [], invalid: [], vetoed: [] };
    rows.forEach(function (tr) {
      var item = tr.getAttribute("data-item"), points = parseInt(tr.getAttribute("data-points"), 10);
      if (tr.getAttribute("data-veto") === "true") {
        var v = tr.querySelector(".sa-veto").checked;
        state[item] = { veto: v };
        if (v) r.vetoed.push(item);
        return;
      }
      var num = tr.querySelector(".sa-points"), na = tr.querySelector(".sa-na").checked;
      var msg = tr.querySelector(".sa-msg");
      num.disabled = na;
      state[item] = { points: num.value.trim() === "" ? null : num.value.trim(), na: na };
      tr.classList.toggle("sa-row-na", na);
      var c = na ? {} : check(num, points);
      msg.hidden = !c.error;
      msg.textContent = c.error || "";
      if (c.error) {
        num.setAttribute("aria-invalid", "true");
        num.setAttribute("aria-describedby", msg.id);
      } else {
        num.removeAttribute("aria-invalid");
        num.removeAttribute("aria-describedby");
      }
      if (na) return;
      r.applicable += points * units;
      if (c.error) r.invalid.push(item);
      else if (c.empty) r.missing.push(item);
      else { r.awarded += c.units; r.scored += 1; }
    });
    return r;
  }

  function tenths(a, p) { return p === 0 ? 0 : Math.floor((a * 1000 + Math.floor(p / 2)) / p); }
  function pointsText(u) { return String(Math.round(u / units * 100) / 100); }
  function link(cls, text, item) {
    var a = el("a", cls, text);
    a.href = "#item-" + item;
    return a;
  }

  function update() {
    var r = collect();
    try { localStorage.setItem(KEY, JSON.stringify(r.state)); } catch (e) {}
    var line = demo.checked ? demoLine : passLine;
    var lineName = demo.checked ? "示范线" : "合格线";
    var t = tenths(r.awarded, r.applicable);
    // A verdict needs something to judge: at least one scored item, or a veto (which decides alone).
    var judged = r.scored > 0 || r.vetoed.length > 0;
    result.textContent = "";
    bar.classList.toggle("sa-empty", !judged);

    var total = el("span", "sa-total");
    if (r.scored > 0) total.appendChild(document.createTextNode("实得 " + pointsText(r.awarded) + " / " + pointsText(r.applicable) + " 分，"));
    total.appendChild(document.createTextNode("得分率 "));
    total.appendChild(el("strong", "", judged ? Math.floor(t / 10) + "." + (t % 10) + "%" : "—"));
    total.lastChild.id = "sa-percent";
    total.appendChild(document.createTextNode("（" + lineName + " " + line + "%）"));
    result.appendChild(total);

    if (judged) {
      var verdict;
      if (r.vetoed.length) verdict = "不合格（否决）";
      else if (demo.checked) verdict = t >= Math.round(line * 10) ? "达到示范线" : "未达示范线";
      else verdict = t >= Math.round(line * 10) ? "合格" : "不合格";
      var good = verdict === "合格" || verdict === "达到示范线";
      var v = el("strong", "status " + (good ? "status-done" : "status-late"), verdict);
      v.id = "sa-verdict";
      result.appendChild(v);
    } else {
      result.appendChild(el("span", "sa-hint", "尚未打分，填写得分后显示结论"));
    }
    if (r.vetoed.length) result.appendChild(el("span", "sa-vetoed", "触发否决项：" + r.vetoed.join("、")));
    if (r.invalid.length) result.appendChild(link("sa-bad", r.invalid.length + " 项分数无效，未计入", r.invalid[0]));
    if (r.missing.length && judged) {
      result.appendChild(link("sa-missing", "尚未打分 " + r.missing.length + " 项", r.missing[0]));
      // The printout lists them all; on screen the link leads to the first.
      result.appendChild(el("span", "sa-missing-list", "（" + r.missing.join("、") + "，按 0 分计）"));
    }
  }
  article.addEventListener("input", update);
  article.addEventListener("change", update);
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

// Sort and filter for ledger tables (progressive enhancement: without JS the full table is there).
// Headers become buttons (keeping their word spans, so they wrap by words); a filter box hides rows
// that do not match every typed word. A column whose header says data-match="exact" (yes/no,
// status, counts) matches a word only as its whole value, so 否 does not find 不合格（否决）;
// other columns match by substring.
(function () {
  "use strict";
  function cellValue(td) {
    var t = (td.textContent || "").trim();
    var n = Number(t.replace(/[,%]/g, ""));
    return t !== "" && !isNaN(n) ? n : t;
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "number") return -1;
    if (typeof b === "number") return 1;
    return String(a).localeCompare(String(b), "zh-CN");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var tbody = table.tBodies[0];
    if (!tbody) return;
    var ths = table.tHead ? table.tHead.rows[0].cells : [];
    var exact = Array.prototype.map.call(ths, function (th) {
      return th.getAttribute("data-match") === "exact";
    });
    Array.prototype.forEach.call(ths, function (th, col) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "sort-button";
      while (th.firstChild) btn.appendChild(th.firstChild);
      th.appendChild(btn);
      th.setAttribute("aria-sort", "none");
      btn.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(ths, function (x) { x.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(tbody.rows);
        rows.sort(function (r1, r2) {
          var c = compare(cellValue(r1.cells[col]), cellValue(r2.cells[col]));
          return asc ? c : -c;
        });
        rows.forEach(function (r) { tbody.appendChild(r); });
      });
    });
    var tools = table.closest("main").querySelector(".table-tools");
    if (!tools) return;
    tools.hidden = false;
    var input = tools.querySelector(".table-filter"), count = tools.querySelector(".table-count");
    // Each row's cell texts, lower-cased once (the filter runs on every keystroke).
    var texts = new Map();
    Array.prototype.forEach.call(tbody.rows, function (r) {
      texts.set(r, Array.prototype.map.call(r.cells, function (td) {
        return (td.textContent || "").trim().toLowerCase();
      }));
    });
    function matches(cells, w) {
      for (var i = 0; i < cells.length; i++) {
        if (exact[i] ? cells[i] === w : cells[i].indexOf(w) >= 0) return true;
      }
      return false;
    }
    function apply() {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
      Array.prototype.forEach.call(tbody.rows, function (r) {
        var cells = texts.get(r);
        var ok = words.every(function (w) { return matches(cells, w); });
        r.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = "显示 " + shown + " / " + tbody.rows.length + " 行";
    }
    input.addEventListener("input", apply);
    apply();
  });
})();

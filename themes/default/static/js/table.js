// Sort and filter for ledger tables (progressive enhancement: without JS the full table is there).
// Headers become buttons; a filter box hides rows that do not contain every typed word.
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
    Array.prototype.forEach.call(ths, function (th, col) {
      var label = th.textContent;
      var btn = document.createElement("button");
      btn.type = "button";
      btn.className = "sort-button";
      btn.textContent = label;
      th.textContent = "";
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
    function apply() {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
      Array.prototype.forEach.call(tbody.rows, function (r) {
        var text = r.textContent.toLowerCase();
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
        r.hidden = !ok;
        if (ok) shown++;
      });
      count.textContent = "显示 " + shown + " / " + tbody.rows.length + " 行";
    }
    input.addEventListener("input", apply);
    apply();
  });
})();

// expo-data site: sort and filter tables, copy the citation. The pages work without it.
"use strict";

(function () {
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function cellValue(row, index) {
    var cell = row.cells[index];
    return cell && !cell.classList.contains("na") ? cell.textContent : null;
  }

  function compare(a, b, numeric) {
    if (numeric) {
      var x = parseFloat(a), y = parseFloat(b);
      if (!isNaN(x) && !isNaN(y) && x !== y) return x < y ? -1 : 1;
    }
    return collator.compare(a, b);
  }

  function sortable(table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row, i) { row.dataset.order = i; });
    var headers = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      button.setAttribute("aria-label", "Sort by " + th.textContent);
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = th.dataset.type === "number";
        var sorted = rows.slice().sort(function (a, b) {
          var va = cellValue(a, index), vb = cellValue(b, index), c;
          if (va === null || vb === null) c = va === vb ? 0 : va === null ? 1 : -1; // missing last
          else c = ascending ? compare(va, vb, numeric) : -compare(va, vb, numeric);
          return c || a.dataset.order - b.dataset.order;
        });
        sorted.forEach(function (row) { body.appendChild(row); });
      });
    });
    filterable(table, rows);
  }

  function filterable(table, rows) {
    var box = document.createElement("div");
    box.className = "filter";
    var id = (table.id || "table") + "-filter";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = "Filter rows";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.placeholder = "text in any column";
    var status = document.createElement("span");
    status.setAttribute("role", "status");
    status.className = "note";
    var texts = rows.map(function (row) { // per cell, so a query never spans two cells
      return Array.prototype.map.call(row.cells, function (c) { return c.textContent; })
        .join("\n").toLowerCase();
    });
    function update() {
      var query = input.value.trim().toLowerCase(), shown = 0;
      rows.forEach(function (row, i) {
        var hit = !query || texts[i].indexOf(query) !== -1;
        row.hidden = !hit;
        if (hit) shown += 1;
      });
      status.textContent = shown + " of " + rows.length + " rows";
    }
    input.addEventListener("input", update);
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);
    var wrapper = table.parentNode.classList.contains("scroll") ? table.parentNode : table;
    wrapper.parentNode.insertBefore(box, wrapper);
    update();
  }

  function copyButton(button) {
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      var text = source.textContent;
      var done = function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = label; }, 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { fallback(source); done(); });
      } else {
        fallback(source);
        done();
      }
    });
  }

  function fallback(source) {
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { document.execCommand("copy"); } catch (e) { /* the text stays selected */ }
  }

  document.querySelectorAll("table[data-sortable]").forEach(sortable);
  document.querySelectorAll("button.copy[data-copy]").forEach(copyButton);
  if (location.hash) { // the target row may sit below a sticky header: bring it into view
    var target = document.getElementById(location.hash.slice(1));
    if (target) target.scrollIntoView({ block: "center", behavior: "instant" });
  }
})();

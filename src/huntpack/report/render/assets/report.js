(function () {
  "use strict";
  var island = document.getElementById("findings-data");
  var data = JSON.parse(island ? island.textContent : "[]");
  var body = document.getElementById("findings-body");
  var query = document.getElementById("filter-text");
  var level = document.getElementById("filter-level");
  var technique = document.getElementById("filter-technique");
  var host = document.getElementById("filter-host");
  var sort = document.getElementById("filter-sort");
  var count = document.getElementById("filter-count");
  var LIMIT = 500;
  var RANK = { critical: 0, high: 1, medium: 2, low: 3, informational: 4 };
  var NONE = "\u2014";

  function unique(values) {
    var seen = {}, out = [];
    values.forEach(function (v) { if (v && !seen.hasOwnProperty(v)) { seen[v] = 1; out.push(v); } });
    return out.sort();
  }
  function fill(select, values) {
    values.forEach(function (v) {
      var option = document.createElement("option");
      option.value = v;
      option.textContent = v;
      select.appendChild(option);
    });
  }
  function when(time) {
    return time ? time.replace("T", " ").replace(/(\.\d{3})\d*Z$/, "$1").replace(/Z$/, "") : "";
  }
  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text || NONE;
    if (!text) { className = (className ? className + " " : "") + "none"; }
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }
  function matches(f, text) {
    if (level.value && f.level !== level.value) { return false; }
    if (technique.value && f.techniques.indexOf(technique.value) < 0) { return false; }
    if (host.value && f.host !== host.value) { return false; }
    if (!text) { return true; }
    return [f.id, f.title, f.host, f.user, f.why, f.origin, f.techniques.join(" ")]
      .join("\n").toLowerCase().indexOf(text) >= 0;
  }
  function row(f) {
    var tr = document.createElement("tr");
    var idCell = document.createElement("td");
    tr.appendChild(idCell);
    var link = document.createElement("a");
    link.setAttribute("href", "#f-" + f.id);
    link.textContent = f.id;
    idCell.appendChild(link);
    cell(tr, when(f.time), "nowrap");
    cell(tr, f.host, "evidence-text");
    cell(tr, f.user, "evidence-text");
    cell(tr, f.level, "lvl-" + f.level);
    cell(tr, f.title);
    cell(tr, f.techniques.join(", "));
    cell(tr, f.why, "evidence-text why");
    return tr;
  }
  function order(list) {
    var timed = list.filter(function (f) { return f.time; });
    var untimed = list.filter(function (f) { return !f.time; });
    var ordered = timed.concat(untimed);
    if (sort.value === "level") {
      ordered = ordered.map(function (f, i) { return [f, i]; }).sort(function (a, b) {
        var ra = RANK.hasOwnProperty(a[0].level) ? RANK[a[0].level] : 9;
        var rb = RANK.hasOwnProperty(b[0].level) ? RANK[b[0].level] : 9;
        return ra - rb || a[1] - b[1];
      }).map(function (pair) { return pair[0]; });
    }
    return ordered;
  }
  function render() {
    var text = query.value.trim().toLowerCase();
    var shown = order(data.filter(function (f) { return matches(f, text); }));
    while (body.firstChild) { body.removeChild(body.firstChild); }
    shown.slice(0, LIMIT).forEach(function (f) { body.appendChild(row(f)); });
    count.textContent = shown.length + " of " + data.length + " findings" +
      (shown.length > LIMIT ? " (first " + LIMIT + " shown)" : "");
  }
  fill(level, unique(data.map(function (f) { return f.level; })));
  fill(technique, unique([].concat.apply([], data.map(function (f) { return f.techniques; }))));
  fill(host, unique(data.map(function (f) { return f.host; })));
  [query, level, technique, host, sort].forEach(function (el) { el.addEventListener("input", render); });
  render();
  document.documentElement.setAttribute("data-ready", "1");
}());

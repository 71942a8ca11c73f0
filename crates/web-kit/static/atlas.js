// Sozialatlas: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  var doc = document;

  // Linked highlighting: hovering or focusing an element with data-key highlights every
  // element with the same key (map area, table row, bar, point).
  var current = null;
  function highlight(key) {
    if (key === current) return;
    var old = doc.querySelectorAll(".is-hl");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("is-hl");
    current = key;
    if (!key) return;
    var els = doc.querySelectorAll('.linked [data-key="' + (window.CSS && CSS.escape ? CSS.escape(key) : key) + '"]');
    for (var j = 0; j < els.length; j++) els[j].classList.add("is-hl");
  }
  function keyOf(el) {
    while (el && el !== doc) {
      if (el.getAttribute && el.getAttribute("data-key")) return el.getAttribute("data-key");
      if (el.tagName === "a" || el.tagName === "A") {
        var inner = el.querySelector && el.querySelector("[data-key]");
        if (inner) return inner.getAttribute("data-key");
      }
      el = el.parentNode;
    }
    return null;
  }

  // Tooltips: the SVG <title> of the mark under the pointer, shown at once.
  var tip = null;
  function titleOf(el) {
    while (el && el !== doc) {
      if (el.querySelector) {
        var t = null;
        for (var c = el.firstChild; c; c = c.nextSibling) if (c.nodeName === "title") { t = c; break; }
        if (t && el.nodeName !== "svg") return t.textContent;
      }
      if (el.nodeName === "svg") return null;
      el = el.parentNode;
    }
    return null;
  }
  function showTip(text, x, y) {
    if (!tip) { tip = doc.createElement("div"); tip.className = "tooltip"; tip.setAttribute("aria-hidden", "true"); doc.body.appendChild(tip); }
    tip.textContent = text;
    tip.style.display = "block";
    var w = tip.offsetWidth;
    tip.style.left = Math.min(x + 14, window.innerWidth - w - 8) + "px";
    tip.style.top = (y + 16) + "px";
  }
  function hideTip() { if (tip) tip.style.display = "none"; }

  doc.addEventListener("mouseover", function (e) {
    var k = e.target.closest && e.target.closest(".linked") ? keyOf(e.target) : null;
    highlight(k);
  });
  doc.addEventListener("focusin", function (e) {
    var k = e.target.closest && e.target.closest(".linked") ? keyOf(e.target) : null;
    highlight(k);
  });
  doc.addEventListener("mousemove", function (e) {
    var t = e.target.closest && e.target.closest("svg") ? titleOf(e.target) : null;
    if (t) showTip(t, e.clientX, e.clientY); else hideTip();
  });
  doc.addEventListener("mouseleave", hideTip);

  // Forms never submit on their own: choosing an option changes nothing until the reader
  // selects the form's button (WCAG 2.2, 3.2.2 On Input).

  // Print button.
  var pb = doc.querySelectorAll("[data-print]");
  // The print button needs this script: without it, it stays hidden.
  for (var p = 0; p < pb.length; p++) {
    pb[p].addEventListener("click", function () { window.print(); });
    var row = pb[p].closest("[data-print-row]");
    if (row) row.hidden = false;
  }

  // A place picked on a map (the idea form): a click or tap inside a marked area sets latitude
  // and longitude from the map's projection (data-projection: lon0 lat0 cos x_min y_max scale
  // ox oy), moves the marker and chooses the action area the clicked area belongs to. Without
  // this script the form offers the choice of an area instead.
  var maps = doc.querySelectorAll("[data-place-map]");
  for (var m = 0; m < maps.length; m++) (function (box) {
    var svg = box.querySelector("svg");
    var g = svg && svg.querySelector(".sa-pick[data-projection]");
    if (!g) return;
    var hint = box.querySelector("[data-pick-hint]");
    if (hint) hint.hidden = false;
    var pr = g.getAttribute("data-projection").split(" ").map(Number);
    var areaOf = {};
    (box.getAttribute("data-area-of") || "").split(";").forEach(function (kv) {
      var i = kv.lastIndexOf(":");
      if (i > 0) areaOf[kv.slice(0, i)] = kv.slice(i + 1);
    });
    var ns = "http://www.w3.org/2000/svg";
    svg.style.cursor = "crosshair";
    svg.addEventListener("click", function (e) {
      var path = e.target.closest && e.target.closest(".sa-area");
      var key = path && path.getAttribute("data-key");
      if (!key || !(key in areaOf)) return;
      var pt = svg.createSVGPoint();
      pt.x = e.clientX; pt.y = e.clientY;
      var c = pt.matrixTransform(svg.getScreenCTM().inverse());
      var lon = ((c.x - pr[6]) / pr[5] + pr[3]) / pr[2] + pr[0];
      var lat = pr[4] - (c.y - pr[7]) / pr[5] + pr[1];
      var la = doc.getElementById("lat"), lo = doc.getElementById("lon");
      var place = doc.getElementById("place_area"), area = doc.getElementById("area");
      if (la) la.value = lat.toFixed(6);
      if (lo) lo.value = lon.toFixed(6);
      if (place) place.value = "";
      if (area) area.value = areaOf[key];
      var dot = svg.querySelector(".sa-point");
      if (!dot) {
        var layer = doc.createElementNS(ns, "g");
        dot = doc.createElementNS(ns, "circle");
        dot.setAttribute("class", "sa-point");
        dot.setAttribute("r", "8");
        dot.setAttribute("fill", "#d4351c");
        dot.setAttribute("stroke", "#ffffff");
        dot.setAttribute("stroke-width", "2");
        dot.setAttribute("pointer-events", "none");
        layer.appendChild(dot);
        svg.appendChild(layer);
      }
      dot.setAttribute("cx", c.x.toFixed(1));
      dot.setAttribute("cy", c.y.toFixed(1));
    });
  })(maps[m]);

  // Selecting an area on the indicator map: a click or tap shows its value, its comparison
  // with the city and its class in the panel under the map, with links to its profile and its
  // time series, and marks it on the map and in the table, without leaving the map; the address
  // keeps the choice. Without this script the area's link selects it on the server.
  var panel = doc.querySelector("[data-selection]");
  var mapPanel = panel && panel.closest(".map-panel");
  function esc(k) { return window.CSS && CSS.escape ? CSS.escape(k) : k; }
  function fill(name, text) {
    var el = panel.querySelector('[data-sel="' + name + '"]');
    if (el) el.textContent = text;
  }
  if (mapPanel) mapPanel.addEventListener("click", function (e) {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    var link = e.target.closest && e.target.closest("svg a");
    var key = link && keyOf(link);
    var row = key && doc.querySelector('tr[data-key="' + esc(key) + '"]');
    if (!row) return;
    e.preventDefault();
    hideTip();
    var old = doc.querySelectorAll(".is-sel, tr.selected");
    for (var i = 0; i < old.length; i++) { old[i].classList.remove("is-sel", "selected"); old[i].removeAttribute("aria-current"); }
    var els = doc.querySelectorAll('.linked [data-key="' + esc(key) + '"]');
    for (var j = 0; j < els.length; j++) els[j].classList.add("is-sel");
    row.setAttribute("aria-current", "true");
    var nameLink = row.querySelector("th a");
    fill("name", nameLink ? nameLink.textContent : key);
    ["value", "versus", "class"].forEach(function (c) {
      var cell = row.querySelector('[data-col="' + c + '"]');
      fill(c, cell ? cell.textContent.trim() : "");
    });
    var profile = panel.querySelector('[data-sel="profile"]');
    if (profile && nameLink) profile.setAttribute("href", nameLink.getAttribute("href"));
    // A published static site without its server keeps the area's link without an address:
    // then the panel offers the profile only and the address stays.
    var href = link.getAttribute("href");
    var series = panel.querySelector('[data-sel="series"]');
    var seriesItem = panel.querySelector('[data-sel="series-item"]');
    if (series && href) series.setAttribute("href", href);
    if (seriesItem) seriesItem.hidden = !href;
    panel.hidden = false;
    if (href && window.history && history.replaceState) history.replaceState(null, "", href.split("#")[0]);
  });

  // Keyboard shortcuts: "," previous year, "." next year, "/" search.
  doc.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target.tagName;
    if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA") return;
    var link = null;
    if (e.key === ",") link = doc.querySelector('[data-shortcut="prev"]');
    if (e.key === ".") link = doc.querySelector('[data-shortcut="next"]');
    if (link) { e.preventDefault(); window.location.href = link.href; return; }
    if (e.key === "/") {
      var q = doc.getElementById("q");
      // The search page comes from the page's <link rel="search">: a published static
      // site points it at its server or has none.
      var s = doc.querySelector('link[rel="search"]');
      if (q) { e.preventDefault(); q.focus(); }
      else if (s) { e.preventDefault(); window.location.href = s.href; }
    }
  });
})();

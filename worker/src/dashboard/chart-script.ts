/**
 * The dashboard's line chart, drawn by hand in SVG (no library): one chart
 * per figure with a line per colour, gaps where a bucket had no requests,
 * an optional dashed threshold, and flips and rollbacks as vertical markers
 * labelled on the time axis. Browser JavaScript kept as a string (no build
 * step; served inside /admin/app.js): no template literals in it.
 */

/** Defines `drawChart(box, spec)` in the scope of /admin/app.js. */
export const CHART_JS = String.raw`
var SVG_NS = "http://www.w3.org/2000/svg";
var CHART_HEIGHT = 150;
var PAD = { l: 46, r: 10, t: 28, b: 20 };
var LABEL_ROWS = 2;
var LABEL_CHAR_PX = 5.6;

function svgEl(tag, attrs, text) {
  var node = document.createElementNS(SVG_NS, tag);
  Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
  if (text !== undefined) node.textContent = text;
  return node;
}

// The smallest 1/2/2.5/5 x 10^n at or above x (the top of the y axis).
function niceMax(x) {
  if (!(x > 0)) return 1;
  var p = Math.pow(10, Math.floor(Math.log10(x)));
  var steps = [1, 2, 2.5, 5, 10];
  for (var i = 0; i < steps.length; i++) if (steps[i] * p >= x) return steps[i] * p;
  return 10 * p;
}

function clockLabel(ms) {
  var d = new Date(ms);
  return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0") + ":" + String(d.getSeconds()).padStart(2, "0");
}

/**
 * spec: { title, format(v) → string, fromMs, toMs, threshold (number|null),
 *   series: [{ color, points: [{ t, v (number|null) }] }],
 *   markers: [{ t, kind: "flip"|"rollback", label, title }], labels (bool) }
 */
function drawChart(box, spec) {
  var width = Math.max(260, Math.floor(box.clientWidth || 320));
  var innerW = width - PAD.l - PAD.r;
  var innerH = CHART_HEIGHT - PAD.t - PAD.b;
  var span = Math.max(1, spec.toMs - spec.fromMs);
  var top = spec.threshold || 0;
  spec.series.forEach(function (s) { s.points.forEach(function (p) { if (p.v !== null && p.v > top) top = p.v; }); });
  top = niceMax(top * 1.05);
  var x = function (t) { return PAD.l + (innerW * (t - spec.fromMs)) / span; };
  var y = function (v) { return PAD.t + innerH - (innerH * v) / top; };

  var root = svgEl("svg", { viewBox: "0 0 " + width + " " + CHART_HEIGHT, role: "img", "aria-label": spec.title });
  [0, 0.5, 1].forEach(function (f) {
    var yy = y(top * f).toFixed(1);
    root.appendChild(svgEl("line", { class: "grid", x1: PAD.l, x2: width - PAD.r, y1: yy, y2: yy }));
    root.appendChild(svgEl("text", { class: "axis", x: PAD.l - 4, y: Number(yy) + 3, "text-anchor": "end" }, spec.format(top * f)));
  });
  [[spec.fromMs, "start"], [spec.fromMs + span / 2, "middle"], [spec.toMs, "end"]].forEach(function (tick) {
    root.appendChild(svgEl("text", { class: "axis", x: x(tick[0]).toFixed(1), y: CHART_HEIGHT - 5, "text-anchor": tick[1] }, clockLabel(tick[0])));
  });
  if (spec.threshold !== null && spec.threshold !== undefined && spec.threshold <= top) {
    var ty = y(spec.threshold).toFixed(1);
    var th = svgEl("line", { class: "threshold", x1: PAD.l, x2: width - PAD.r, y1: ty, y2: ty });
    th.appendChild(svgEl("title", {}, "rollback threshold " + spec.format(spec.threshold)));
    root.appendChild(th);
  }

  // Labels go on the first free row at the top; a label with no room is left to the marker's tooltip.
  var rowEnds = [];
  for (var r = 0; r < LABEL_ROWS; r++) rowEnds.push(-Infinity);
  spec.markers.forEach(function (m) {
    if (m.t < spec.fromMs || m.t > spec.toMs) return;
    var mx = x(m.t);
    var line = svgEl("line", { class: "marker " + m.kind, x1: mx.toFixed(1), x2: mx.toFixed(1), y1: PAD.t - 4, y2: PAD.t + innerH });
    line.appendChild(svgEl("title", {}, m.title));
    root.appendChild(line);
    if (!spec.labels) return;
    var w = m.label.length * LABEL_CHAR_PX;
    var atEnd = mx + 3 + w > width - PAD.r;
    var x0 = atEnd ? mx - 3 - w : mx + 3;
    for (var row = 0; row < LABEL_ROWS; row++) {
      if (rowEnds[row] < x0 - 4) {
        rowEnds[row] = x0 + w;
        var label = svgEl("text", { class: "marker-label " + m.kind, x: (atEnd ? mx - 3 : mx + 3).toFixed(1), y: 10 + row * 11, "text-anchor": atEnd ? "end" : "start" }, m.label);
        label.appendChild(svgEl("title", {}, m.title));
        root.appendChild(label);
        break;
      }
    }
  });

  spec.series.forEach(function (s) {
    var d = "";
    var pen = "M";
    var max = null;
    s.points.forEach(function (p) {
      if (p.v === null) { pen = "M"; return; }
      if (max === null || p.v > max) max = p.v;
      // A segment's first point also gets a dot (h0.01 with round caps), so a lone bucket shows.
      d += pen + x(p.t).toFixed(1) + " " + y(p.v).toFixed(1) + (pen === "M" ? " h0.01 " : " ");
      pen = "L";
    });
    if (d !== "") root.appendChild(svgEl("path", { class: "line " + s.color, d: d.trim(), "data-max": max }));
  });

  var title = document.createElement("h3");
  title.textContent = spec.title;
  box.replaceChildren(title, root);
}
`;

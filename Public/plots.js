// Small canvas plots drawn by the page itself: an orbit on the complex plane and a loss curve.
const INK = { frame: "#5b6578", grid: "rgba(255,255,255,0.07)", zero: "rgba(255,255,255,0.28)", text: "#b9c2d3",
  line: "rgba(99,179,237,0.55)", dot: "#90cdf4", start: "#48bb78", end: "#fc8181", circle: "#f6e05e" };
const FONT = "11px system-ui, -apple-system, 'Segoe UI', sans-serif";
const MARGIN = { left: 52, right: 12, top: 10, bottom: 34 };

function niceStep(range, count) {
  const raw = range / count;
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const fraction = raw / power;
  return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * power;
}

function linearTicks(min, max, count) {
  const step = niceStep(max - min, count);
  const values = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) values.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return { values, label: (v) => tickLabel(v, step) };
}

function tickLabel(value, step) {
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-4) return value.toExponential(1).replace(".0e", "e");
  return value.toFixed(Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + 1e-9))));
}

// A canvas sized for the screen's pixel ratio, returning a context in CSS pixels.
function prepare(canvas, height) {
  const width = Math.max(200, Math.round(canvas.clientWidth || canvas.parentNode.clientWidth || 320));
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.height = height + "px";
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  context.font = FONT;
  const box = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom };
  return { context, width, height, box };
}

// Grid, frame, tick labels and axis titles; `x`/`y` map data to pixels and carry their ticks.
function drawAxes(plot, x, y, xTitle, yTitle) {
  const { context, box } = plot;
  context.lineWidth = 1;
  context.fillStyle = INK.text;
  context.strokeStyle = INK.grid;
  context.textAlign = "center";
  context.textBaseline = "top";
  for (const v of x.ticks.values) {
    const px = Math.round(x.toPixel(v)) + 0.5;
    context.beginPath(); context.moveTo(px, box.top); context.lineTo(px, box.bottom); context.stroke();
    context.fillText(x.ticks.label(v), px, box.bottom + 5);
  }
  context.textAlign = "right";
  context.textBaseline = "middle";
  for (const v of y.ticks.values) {
    const py = Math.round(y.toPixel(v)) + 0.5;
    context.beginPath(); context.moveTo(box.left, py); context.lineTo(box.right, py); context.stroke();
    context.fillText(y.ticks.label(v), box.left - 6, py);
  }
  context.strokeStyle = INK.frame;
  context.strokeRect(box.left + 0.5, box.top + 0.5, box.right - box.left - 1, box.bottom - box.top - 1);
  context.textAlign = "center";
  context.textBaseline = "bottom";
  context.fillText(xTitle, (box.left + box.right) / 2, plot.height - 2);
  context.save();
  context.translate(11, (box.top + box.bottom) / 2);
  context.rotate(-Math.PI / 2);
  context.textBaseline = "middle";
  context.fillText(yTitle, 0, 0);
  context.restore();
}

function linearAxis(min, max, from, to, count) {
  return { ticks: linearTicks(min, max, count), toPixel: (v) => from + (v - min) / (max - min) * (to - from) };
}

function message(plot, text) {
  plot.context.fillStyle = INK.text;
  plot.context.textAlign = "center";
  plot.context.textBaseline = "middle";
  plot.context.fillText(text, plot.width / 2, plot.height / 2);
}

function isPoint(p) {
  return Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1]);
}

// The iterates as a path on the complex plane, equal scale on both axes, start and end marked.
export function drawOrbit(canvas, orbit, options) {
  const plot = prepare(canvas, options && options.height || 260);
  const points = (orbit || []).filter(isPoint);
  if (points.length === 0) return message(plot, "No finite iterates to draw"), plot;
  let [minRe, maxRe, minIm, maxIm] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [re, im] of points) {
    minRe = Math.min(minRe, re); maxRe = Math.max(maxRe, re); minIm = Math.min(minIm, im); maxIm = Math.max(maxIm, im);
  }
  if (options && options.unitCircle) {
    minRe = Math.min(minRe, -1); maxRe = Math.max(maxRe, 1); minIm = Math.min(minIm, -1); maxIm = Math.max(maxIm, 1);
  }
  const box = plot.box, width = box.right - box.left, height = box.bottom - box.top;
  let range = Math.max(maxRe - minRe, (maxIm - minIm) * width / height) * 1.12;
  if (!(range > 1e-12 * Math.max(1, Math.abs(maxRe), Math.abs(maxIm)))) range = Math.max(1e-6, Math.abs(maxRe) * 1e-3);
  const unit = width / range;
  const midRe = (minRe + maxRe) / 2, midIm = (minIm + maxIm) / 2;
  const x = linearAxis(midRe - width / unit / 2, midRe + width / unit / 2, box.left, box.right, Math.max(3, Math.floor(width / 70)));
  const y = linearAxis(midIm - height / unit / 2, midIm + height / unit / 2, box.bottom, box.top, Math.max(3, Math.floor(height / 45)));
  drawAxes(plot, x, y, "Re", "Im");
  const context = plot.context;
  context.save();
  context.beginPath();
  context.rect(box.left, box.top, width, height);
  context.clip();
  context.strokeStyle = INK.zero;
  context.beginPath();
  context.moveTo(x.toPixel(0), box.top); context.lineTo(x.toPixel(0), box.bottom);
  context.moveTo(box.left, y.toPixel(0)); context.lineTo(box.right, y.toPixel(0));
  context.stroke();
  if (options && options.unitCircle) {
    context.strokeStyle = INK.circle;
    context.setLineDash([5, 4]);
    context.beginPath();
    context.arc(x.toPixel(0), y.toPixel(0), unit, 0, 2 * Math.PI);
    context.stroke();
    context.setLineDash([]);
  }
  context.strokeStyle = INK.line;
  context.lineWidth = 1.2;
  context.beginPath();
  points.forEach(([re, im], i) => (i ? context.lineTo : context.moveTo).call(context, x.toPixel(re), y.toPixel(im)));
  context.stroke();
  context.fillStyle = INK.dot;
  for (const [re, im] of points) context.fillRect(x.toPixel(re) - 1.5, y.toPixel(im) - 1.5, 3, 3);
  const [startRe, startIm] = points[0], [endRe, endIm] = points[points.length - 1];
  marker(context, x.toPixel(endRe), y.toPixel(endIm), INK.end, "end", true, box);
  marker(context, x.toPixel(startRe), y.toPixel(startIm), INK.start, "start", false, box);
  context.restore();
  return plot;
}

// A start/end mark; its label goes above right unless that would leave the plot box.
function marker(context, px, py, color, label, square, box) {
  context.fillStyle = color;
  context.strokeStyle = "#0d1117";
  context.lineWidth = 2;
  context.beginPath();
  if (square) context.rect(px - 5, py - 5, 10, 10); else context.arc(px, py, 5.5, 0, 2 * Math.PI);
  context.fill();
  context.stroke();
  context.font = "bold " + FONT;
  const below = box && py - 18 < box.top;
  const left = box && px + 44 > box.right;
  context.textAlign = left ? "right" : "left";
  context.textBaseline = below ? "top" : "bottom";
  const lx = left ? px - 7 : px + 7, ly = below ? py + 4 : py - 4;
  context.lineWidth = 3;
  context.strokeText(label, lx, ly);
  context.fillText(label, lx, ly);
  context.font = FONT;
}

// Powers of ten on a log axis; labels as 1e-3 etc.
function logAxis(minExp, maxExp, from, to) {
  const stride = Math.max(1, Math.ceil((maxExp - minExp) / 6));
  const values = [];
  for (let e = Math.ceil(minExp); e <= Math.floor(maxExp); e += stride) values.push(Math.pow(10, e));
  return { ticks: { values, label: (v) => { const e = Math.round(Math.log10(v)); return e === 0 ? "1" : e === 1 ? "10" : "1e" + e; } },
    toPixel: (v) => from + (Math.log10(v) - minExp) / (maxExp - minExp) * (to - from) };
}

// A line plot of values against their index; the y axis turns logarithmic when positive values span decades
// (or always for positive values, with options.log).
export function drawSeries(canvas, values, options) {
  const plot = prepare(canvas, options.height || 180);
  const points = (values || []).map((v, i) => [i, v]).filter(([, v]) => Number.isFinite(v));
  if (points.length === 0) return message(plot, "No finite values to draw"), plot;
  const box = plot.box;
  const ys = points.map(([, v]) => v);
  let minY = Math.min(...ys), maxY = Math.max(...ys);
  const logScale = minY > 0 && (options.log || maxY / minY > 100);
  let y;
  if (logScale) {
    y = logAxis(Math.floor(Math.log10(minY) * 4) / 4, Math.ceil(Math.log10(maxY) * 4) / 4 + 1e-9, box.bottom, box.top);
  } else {
    if (maxY - minY < 1e-12 * Math.max(1, Math.abs(maxY))) { minY -= Math.max(1e-6, Math.abs(minY) * 0.1); maxY += Math.max(1e-6, Math.abs(maxY) * 0.1); }
    const pad = (maxY - minY) * 0.08;
    y = linearAxis(Math.max(minY > 0 ? 0 : -Infinity, minY - pad), maxY + pad, box.bottom, box.top, 4);
  }
  const lastX = Math.max(1, points[points.length - 1][0]);
  const x = linearAxis(0, lastX, box.left, box.right, Math.max(3, Math.floor((box.right - box.left) / 60)));
  x.ticks.values = x.ticks.values.filter((v) => Number.isInteger(v));
  drawAxes(plot, x, y, options.xTitle, options.yTitle + (logScale ? " (log scale)" : ""));
  const context = plot.context;
  context.strokeStyle = INK.dot;
  context.lineWidth = 1.6;
  context.beginPath();
  points.forEach(([i, v], n) => (n ? context.lineTo : context.moveTo).call(context, x.toPixel(i), y.toPixel(v)));
  context.stroke();
  const [endX, endY] = points[points.length - 1];
  marker(context, x.toPixel(endX), y.toPixel(endY), INK.end, "", true);
  return plot;
}

// The dataset editor: the training points (data.x, data.y) on a small plot of their real parts, dragged with the
// pointer or typed exactly (a number or re,im each), added and removed within the table's minCount/maxCount;
// data.x and data.y always keep the same length (sameLengthAs).
import { formatSettingValue, normalise, parseSettingText } from "./params.js";
import { element } from "./dom.js";

const SIZE = { width: 260, height: 170, pad: 22 };
const INK = { grid: "rgba(255,255,255,0.08)", axis: "rgba(255,255,255,0.3)", point: "#f6ad55", ring: "#0d1117",
  text: "#b9c2d3" };

function limits(setting) {
  const count = (name, fallback) => (typeof setting[name] === "number" ? setting[name] : fallback);
  return { min: count("minCount", 1), max: count("maxCount", 64) };
}

// The plot's data range: every point with a margin, at least [-1.5, 1.5] on both axes.
function rangeOf(xs, ys) {
  const reach = (list) => Math.max(1.5, ...list.map((p) => Math.abs(p[0]) * 1.2));
  return { x: reach(xs), y: reach(ys) };
}

function draw(canvas, xs, ys, range, active) {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = SIZE.width * ratio;
  canvas.height = SIZE.height * ratio;
  const c = canvas.getContext("2d");
  c.setTransform(ratio, 0, 0, ratio, 0, 0);
  c.clearRect(0, 0, SIZE.width, SIZE.height);
  const { toX, toY } = mapping(range);
  c.strokeStyle = INK.grid;
  for (let v = -Math.floor(range.x); v <= range.x; v += 1) { c.beginPath(); c.moveTo(toX(v), 0); c.lineTo(toX(v), SIZE.height); c.stroke(); }
  for (let v = -Math.floor(range.y); v <= range.y; v += 1) { c.beginPath(); c.moveTo(0, toY(v)); c.lineTo(SIZE.width, toY(v)); c.stroke(); }
  c.strokeStyle = INK.axis;
  c.beginPath(); c.moveTo(toX(0), 0); c.lineTo(toX(0), SIZE.height); c.moveTo(0, toY(0)); c.lineTo(SIZE.width, toY(0)); c.stroke();
  c.fillStyle = INK.text;
  c.font = "11px system-ui, sans-serif";
  c.fillText("x", SIZE.width - 12, toY(0) - 4);
  c.fillText("y", toX(0) + 4, 11);
  // Where each point is drawn (CSS pixels in the canvas), for tests and for assistive tools.
  canvas.dataset.points = JSON.stringify(xs.map((x, i) => [Math.round(toX(x[0])), Math.round(toY(ys[i][0]))]));
  xs.forEach((x, i) => {
    c.beginPath();
    c.arc(toX(x[0]), toY(ys[i][0]), i === active ? 7 : 5.5, 0, 2 * Math.PI);
    c.fillStyle = INK.point;
    c.fill();
    c.strokeStyle = INK.ring;
    c.lineWidth = 2;
    c.stroke();
    c.lineWidth = 1;
  });
}

function mapping(range) {
  const w = SIZE.width - 2 * SIZE.pad, h = SIZE.height - 2 * SIZE.pad;
  return {
    toX: (v) => SIZE.pad + (v + range.x) / (2 * range.x) * w,
    toY: (v) => SIZE.pad + (range.y - v) / (2 * range.y) * h,
    fromX: (px) => (px - SIZE.pad) / w * 2 * range.x - range.x,
    fromY: (py) => range.y - (py - SIZE.pad) / h * 2 * range.y,
  };
}

// Three significant decimals: a dragged point lands on a short, exact value.
function snap(value) {
  return Number(value.toFixed(3));
}

// Returns the editor element; `changed(x, y)` receives the new lists ([[re, im], ...] each).
export function datasetEditor(settingX, settingY, values, changed) {
  let xs = normalise(settingX, values[settingX.key]).map((p) => p.slice());
  let ys = normalise(settingY, values[settingY.key]).map((p) => p.slice());
  const counts = { min: Math.max(limits(settingX).min, limits(settingY).min), max: Math.min(limits(settingX).max, limits(settingY).max) };
  const root = element("div", "param dataset");
  root.dataset.row = settingX.key;
  root.append(element("label", "", "Training data (x, y)"));
  const canvas = element("canvas", "dataset-plot");
  canvas.style.width = SIZE.width + "px";
  canvas.style.height = SIZE.height + "px";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", "The training points; drag one to move it");
  const table = element("div", "dataset-rows");
  const add = element("button", "", "Add point");
  add.type = "button";
  add.dataset.action = "add-point";
  root.append(canvas, table, add);
  let range = rangeOf(xs, ys);
  let dragging = -1;

  const commit = () => { changed(xs.map((p) => p.slice()), ys.map((p) => p.slice())); };

  const rebuild = () => {
    table.replaceChildren();
    const head = element("div", "dataset-row dataset-head");
    head.append(element("span", "", "x (input)"), element("span", "", "y (target)"), element("span"));
    table.append(head);
    xs.forEach((x, i) => {
      const row = element("div", "dataset-row");
      row.dataset.index = String(i);
      const field = (setting, list, name) => {
        const input = element("input", "exact");
        input.type = "text";
        input.spellcheck = false;
        input.dataset.key = setting.key;
        input.dataset.index = String(i);
        input.value = formatSettingValue(setting, [list[i]]);
        input.setAttribute("aria-label", name + " of point " + (i + 1));
        input.addEventListener("change", () => {
          const parsed = parseSettingText(Object.assign({}, setting, { minCount: 1, maxCount: 1 }), input.value);
          input.classList.toggle("invalid", !!parsed.error);
          if (parsed.error) return;
          list[i] = parsed.value[0];
          range = rangeOf(xs, ys);
          draw(canvas, xs, ys, range, -1);
          commit();
        });
        return input;
      };
      const remove = element("button", "remove", "×");
      remove.type = "button";
      remove.dataset.action = "remove-point";
      remove.title = "Remove point " + (i + 1);
      remove.setAttribute("aria-label", remove.title);
      remove.disabled = xs.length <= counts.min;
      remove.addEventListener("click", () => {
        xs.splice(i, 1);
        ys.splice(i, 1);
        rebuild();
        commit();
      });
      row.append(field(settingX, xs, "x"), field(settingY, ys, "y"), remove);
      table.append(row);
    });
    add.disabled = xs.length >= counts.max;
    range = rangeOf(xs, ys);
    draw(canvas, xs, ys, range, -1);
  };

  add.addEventListener("click", () => {
    // A new point to the right of the others, on the line through the last two (or at y = 0).
    const last = xs.length ? xs[xs.length - 1][0] : 0;
    xs.push([snap(last + 0.5), 0]);
    ys.push([ys.length ? ys[ys.length - 1][0] : 0, 0]);
    rebuild();
    commit();
  });

  const pointAt = (event) => {
    const box = canvas.getBoundingClientRect();
    return { px: event.clientX - box.left, py: event.clientY - box.top };
  };
  canvas.addEventListener("pointerdown", (event) => {
    const { px, py } = pointAt(event);
    const { toX, toY } = mapping(range);
    let best = -1, bestDistance = 12;
    xs.forEach((x, i) => {
      const d = Math.hypot(toX(x[0]) - px, toY(ys[i][0]) - py);
      if (d < bestDistance) { best = i; bestDistance = d; }
    });
    if (best < 0) return;
    dragging = best;
    canvas.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (dragging < 0) return;
    const { px, py } = pointAt(event);
    const { fromX, fromY } = mapping(range);
    xs[dragging][0] = snap(Math.max(-range.x, Math.min(range.x, fromX(px))));
    ys[dragging][0] = snap(Math.max(-range.y, Math.min(range.y, fromY(py))));
    draw(canvas, xs, ys, range, dragging);
    const row = table.querySelector('.dataset-row[data-index="' + dragging + '"]');
    if (row) {
      row.children[0].value = formatSettingValue(settingX, [xs[dragging]]);
      row.children[1].value = formatSettingValue(settingY, [ys[dragging]]);
    }
    commit();
  });
  const stop = (event) => {
    if (dragging < 0) return;
    dragging = -1;
    if (canvas.hasPointerCapture(event.pointerId)) canvas.releasePointerCapture(event.pointerId);
    rebuild();
  };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  rebuild();
  return root;
}

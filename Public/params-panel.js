// The parameters panel, built entirely from the current map's settings table (/maps.json `settings`): a slider and
// exact text entry per real or integer, two sliders and exact text per complex number, a menu per choice, the
// dataset editor for data.x/data.y, read-only rows for settings a link may not change, and "reset".
import { formatSettingValue, normalise, parseSettingText, validateValue, crossErrors, sliderRange, roundForSlider,
  shippedValues, sameValue } from "./params.js";
import { $, element } from "./dom.js";
import { state } from "./state.js";
import { setVariant, setCompare } from "./view.js";
import { datasetEditor } from "./dataset-editor.js";

const APPLY_DELAY_MS = 300; // a slider being dragged asks for new tiles once it rests
let editing = 0;            // which variant the panel edits: 0 left (or only), 1 right
let applyTimer = null;
// The values being edited, ahead of the variant while a change waits for its delay or the server: a second edit
// builds on the first instead of on the values last shown.
let draft = null;

function settingsOf() {
  return state.current && Array.isArray(state.current.settings) ? state.current.settings : null;
}

function showError(text) {
  const line = $("params-error");
  line.textContent = text || "";
  line.hidden = !text;
}

// Checks `values` here first (type, bounds, equal lengths), then asks the server through the variant's TileJSON.
function apply(values, immediately) {
  const settings = settingsOf();
  const problems = [];
  for (const setting of settings) {
    if (!setting.live) continue;
    const error = validateValue(setting, values[setting.key]);
    if (error) problems.push(error);
  }
  problems.push(...crossErrors(settings, values));
  if (problems.length) return showError(problems[0]);
  showError("");
  draft = { index: editing, values };
  clearTimeout(applyTimer);
  const index = editing;
  const go = async () => {
    const error = await setVariant(index, values);
    showError(error);
    markChanged();
  };
  if (immediately) go(); else applyTimer = setTimeout(go, APPLY_DELAY_MS);
}

function currentValues() {
  if (draft && draft.index === editing) return Object.assign({}, draft.values);
  const variant = state.variants[editing] || state.variants[0];
  return Object.assign({}, variant ? variant.values : shippedValues(settingsOf()));
}

// Rows whose value differs from the shipped one carry a mark.
function markChanged() {
  const settings = settingsOf();
  if (!settings) return;
  const values = currentValues();
  for (const setting of settings) {
    const row = $("params-body").querySelector('[data-row="' + CSS.escape(setting.key) + '"]');
    if (row) row.classList.toggle("changed", !sameValue(setting, values[setting.key], setting.value));
  }
}

function label(setting) {
  return setting.label || setting.key;
}

function slider(range, value, part, title) {
  const input = element("input");
  input.type = "range";
  input.min = String(range.min);
  input.max = String(range.max);
  input.step = String(range.step);
  input.value = String(Math.max(range.min, Math.min(range.max, value)));
  input.dataset.part = part;
  input.title = title;
  input.setAttribute("aria-label", title);
  return input;
}

function textEntry(setting, value, title) {
  const input = element("input", "exact");
  input.type = "text";
  input.spellcheck = false;
  input.value = value;
  input.title = title;
  input.setAttribute("aria-label", title);
  input.dataset.key = setting.key;
  return input;
}

// A number or a complex number: sliders move in short decimals, the text field takes any exact value.
function numberControl(setting, values) {
  const row = element("div", "param");
  row.dataset.row = setting.key;
  const value = values[setting.key];
  const complex = setting.type === "complex";
  const parts = complex ? normalise(setting, value) : [value];
  const range = sliderRange(setting, parts);
  const text = textEntry(setting, formatSettingValue(setting, value), label(setting) + (complex ? " (re,im)" : ""));
  row.append(element("label", "", label(setting)), text);
  const sliders = parts.map((part, i) => {
    const input = slider(range, part, complex ? (i ? "im" : "re") : "value",
      label(setting) + (complex ? (i ? ", imaginary part" : ", real part") : ""));
    input.dataset.key = setting.key;
    input.addEventListener("input", () => {
      const next = currentValues();
      const moved = roundForSlider(Number(input.value), range);
      if (complex) {
        const pair = normalise(setting, next[setting.key]).slice();
        pair[i] = moved;
        next[setting.key] = pair;
      } else {
        next[setting.key] = moved;
      }
      text.value = formatSettingValue(setting, next[setting.key]);
      apply(next);
    });
    const line = element("div", "slider-line");
    if (complex) line.append(element("span", "part", i ? "im" : "re"));
    line.append(input);
    row.append(line);
    return input;
  });
  text.addEventListener("change", () => {
    const parsed = parseSettingText(setting, text.value);
    if (parsed.error) return showError(parsed.error);
    const next = currentValues();
    next[setting.key] = parsed.value;
    const numbers = complex ? parsed.value : [parsed.value];
    sliders.forEach((input, i) => { input.value = String(numbers[i]); });
    apply(next, true);
  });
  return row;
}

function choiceControl(setting, values) {
  const row = element("div", "param");
  row.dataset.row = setting.key;
  const menu = element("select");
  menu.dataset.key = setting.key;
  menu.setAttribute("aria-label", label(setting));
  for (const choice of setting.choices || []) menu.append(Object.assign(element("option", "", choice), { value: choice }));
  menu.value = values[setting.key];
  menu.addEventListener("change", () => {
    const next = currentValues();
    next[setting.key] = menu.value;
    apply(next, true);
  });
  row.append(element("label", "", label(setting)), menu);
  return row;
}

// A list other than the dataset: exact text only.
function listControl(setting, values) {
  const row = element("div", "param");
  row.dataset.row = setting.key;
  const text = textEntry(setting, formatSettingValue(setting, values[setting.key]), label(setting) + " (v1;v2;…)");
  text.addEventListener("change", () => {
    const parsed = parseSettingText(setting, text.value);
    if (parsed.error) return showError(parsed.error);
    const next = currentValues();
    next[setting.key] = parsed.value;
    apply(next, true);
  });
  row.append(element("label", "", label(setting)), text);
  return row;
}

function readOnlyRow(setting) {
  const row = element("div", "param fixed");
  row.dataset.row = setting.key;
  row.title = "This map's configuration does not let a link change " + setting.key + ".";
  row.append(element("label", "", label(setting)),
    element("span", "value", formatSettingValue(setting, normalise(setting, setting.value))));
  return row;
}

function sideTabs() {
  const tabs = element("div", "param-sides");
  tabs.setAttribute("role", "group");
  tabs.setAttribute("aria-label", "Variant to edit");
  ["Left", "Right"].forEach((name, index) => {
    const tab = element("button", "", name);
    tab.type = "button";
    tab.dataset.side = String(index);
    tab.setAttribute("aria-pressed", String(editing === index));
    tab.addEventListener("click", () => { editing = index; buildParameters(); });
    tabs.append(tab);
  });
  return tabs;
}

// Rebuilds the panel for the current map and variant (after a map switch, a hash change or a side switch).
export function buildParameters() {
  const panel = $("params");
  const body = $("params-body");
  const settings = settingsOf();
  clearTimeout(applyTimer);
  draft = null;
  body.replaceChildren();
  panel.hidden = !settings || settings.length === 0;
  if (panel.hidden) return;
  if (!state.compare) editing = 0;
  // With URL parameters off (every setting read-only) there is nothing to reset or compare.
  const anyLive = settings.some((s) => s.live);
  $("params-reset").hidden = !anyLive;
  $("compare-toggle").hidden = !anyLive;
  if (state.compare) body.append(sideTabs());
  const values = currentValues();
  const byKey = new Map(settings.map((s) => [s.key, s]));
  const dataX = byKey.get("data.x"), dataY = byKey.get("data.y");
  for (const setting of settings) {
    if (!setting.live) { body.append(readOnlyRow(setting)); continue; }
    if (setting === dataX && dataY && dataY.live) {
      body.append(datasetEditor(dataX, dataY, values, (x, y) => {
        const next = currentValues();
        next["data.x"] = x;
        next["data.y"] = y;
        apply(next);
      }));
      continue;
    }
    if (setting === dataY && dataX && dataX.live) continue;
    if (setting.type === "choice") body.append(choiceControl(setting, values));
    else if (setting.type === "complexList") body.append(listControl(setting, values));
    else body.append(numberControl(setting, values));
  }
  showError("");
  markChanged();
}

export function initParameters() {
  $("params-reset").addEventListener("click", () => {
    const settings = settingsOf();
    if (!settings) return;
    clearTimeout(applyTimer);
    setVariant(editing, shippedValues(settings)).then((error) => { showError(error); buildParameters(); });
  });
  $("compare-toggle").addEventListener("click", () => setCompare(!state.compare));
}

// Live parameters against a map's settings table from /maps.json (pure: no DOM, no Leaflet).
//
// A setting is {key, type, label, default, value, live, min, max, minCount, maxCount, sameLengthAs, choices};
// types "integer", "real", "complex", "complexList", "choice". Values are held as JSON-like values (a number,
// [re, im], [[re, im], ...], a string) and written as URL text the way MAPS.md "Live parameters in URLs" spells it:
// a complex number `re,im` (or `re` when im is 0), a list `v1;v2;...`, numbers in JavaScript's shortest round-trip
// form, so equal values always give one text.

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

// A strict decimal number (no hex, no Infinity, no blanks), or null.
export function parseNumber(text) {
  const trimmed = String(text).trim();
  if (!NUMBER.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

export function formatNumber(value) {
  return Object.is(value, -0) ? "0" : String(value);
}

function parseComplex(text) {
  const parts = String(text).split(",");
  if (parts.length > 2) return null;
  const re = parseNumber(parts[0]);
  const im = parts.length === 2 ? parseNumber(parts[1]) : 0;
  return re === null || im === null ? null : [re, im];
}

function formatComplex(pair) {
  return pair[1] === 0 ? formatNumber(pair[0]) : formatNumber(pair[0]) + "," + formatNumber(pair[1]);
}

// The value's URL text.
export function formatSettingValue(setting, value) {
  switch (setting.type) {
    case "integer": case "real": return formatNumber(value);
    case "complex": return formatComplex(asComplex(value));
    case "complexList": return (value || []).map((v) => formatComplex(asComplex(v))).join(";");
    default: return String(value);
  }
}

// A plain number also means [r, 0] wherever a complex number is read (MAPS.md "Complex numbers in JSON").
export function asComplex(value) {
  return Array.isArray(value) ? [Number(value[0]), Number(value[1] || 0)] : [Number(value), 0];
}

// A value as the table's type holds it (the table's own `value` and `default` may use the short forms).
export function normalise(setting, value) {
  if (setting.type === "complex") return asComplex(value);
  if (setting.type === "complexList") return (value || []).map(asComplex);
  return value;
}

function describeBounds(setting) {
  const has = (v) => typeof v === "number" && Number.isFinite(v);
  if (has(setting.min) && has(setting.max)) return "between " + formatNumber(setting.min) + " and " + formatNumber(setting.max);
  if (has(setting.min)) return "at least " + formatNumber(setting.min);
  return "at most " + formatNumber(setting.max);
}

function outOfBounds(setting, number) {
  return (typeof setting.min === "number" && number < setting.min) || (typeof setting.max === "number" && number > setting.max);
}

// One line naming the key when the value breaks the table's rules (type, bounds, list length), else null.
export function validateValue(setting, value) {
  const key = setting.key;
  switch (setting.type) {
    case "integer":
      if (!Number.isInteger(value)) return key + ": expected a whole number";
      if (outOfBounds(setting, value)) return key + ": must be " + describeBounds(setting);
      return null;
    case "real":
      if (typeof value !== "number" || !Number.isFinite(value)) return key + ": expected a number";
      if (outOfBounds(setting, value)) return key + ": must be " + describeBounds(setting);
      return null;
    case "complex":
      if (!Array.isArray(value) || !value.every(Number.isFinite)) return key + ": expected a number or re,im";
      if (value.some((part) => outOfBounds(setting, part))) return key + ": each part must be " + describeBounds(setting);
      return null;
    case "complexList": {
      if (!Array.isArray(value)) return key + ": expected a list v1;v2;...";
      if (typeof setting.minCount === "number" && value.length < setting.minCount) return key + ": needs at least " + setting.minCount + " values";
      if (typeof setting.maxCount === "number" && value.length > setting.maxCount) return key + ": takes at most " + setting.maxCount + " values";
      for (const entry of value) {
        if (!Array.isArray(entry) || !entry.every(Number.isFinite)) return key + ": expected numbers or re,im pairs";
        if (entry.some((part) => outOfBounds(setting, part))) return key + ": each part must be " + describeBounds(setting);
      }
      return null;
    }
    case "choice":
      return (setting.choices || []).includes(value) ? null : key + ": expected one of " + (setting.choices || []).join(", ");
    default:
      return key + ": unknown setting type " + setting.type;
  }
}

// URL text -> {value} or {error} (one line naming the key).
export function parseSettingText(setting, text) {
  const key = setting.key;
  let value;
  switch (setting.type) {
    case "integer": case "real":
      value = parseNumber(text);
      if (value === null) return { error: key + ": expected a number, got “" + text + "”" };
      break;
    case "complex":
      value = parseComplex(text);
      if (value === null) return { error: key + ": expected a number or re,im, got “" + text + "”" };
      break;
    case "complexList":
      value = String(text).trim() === "" ? [] : String(text).split(";").map(parseComplex);
      if (value.includes(null)) return { error: key + ": expected values v1;v2;... (each a number or re,im), got “" + text + "”" };
      break;
    default:
      value = String(text);
  }
  const error = validateValue(setting, value);
  return error ? { error } : { value };
}

export function sameValue(setting, a, b) {
  return formatSettingValue(setting, normalise(setting, a)) === formatSettingValue(setting, normalise(setting, b));
}

// The configured values of every setting: {key: value}.
export function shippedValues(settings) {
  return Object.fromEntries((settings || []).map((s) => [s.key, normalise(s, s.value)]));
}

// Rules between settings (lists that must have equal length): one line per break.
export function crossErrors(settings, values) {
  const errors = [];
  for (const setting of settings || []) {
    const other = setting.sameLengthAs;
    if (!other || !(other in values)) continue;
    const a = values[setting.key] || [], b = values[other] || [];
    if (a.length !== b.length) errors.push(setting.key + ": needs as many values as " + other + " (" + a.length + " against " + b.length + ")");
  }
  return errors;
}

// [[key, text], ...] (from a hash) -> {values, errors}: the shipped values with the given ones applied. Unknown
// keys, keys a URL may not change, bad values and repeats are errors and leave the shipped value in place.
export function valuesFromPairs(settings, pairs) {
  const byKey = new Map((settings || []).map((s) => [s.key, s]));
  const values = shippedValues(settings);
  const errors = [];
  const seen = new Set();
  for (const [key, text] of pairs || []) {
    const setting = byKey.get(key);
    if (!setting) { errors.push(key + ": this map has no such setting"); continue; }
    if (!setting.live) { errors.push(key + ": this map does not let a link change it"); continue; }
    if (seen.has(key)) { errors.push(key + ": given twice"); continue; }
    seen.add(key);
    const parsed = parseSettingText(setting, text);
    if (parsed.error) errors.push(parsed.error); else values[key] = parsed.value;
  }
  errors.push(...crossErrors(settings, values));
  return { values, errors };
}

// The live settings whose value differs from the configured one, in table order, as [[key, text], ...]: what a
// tile URL's query and the hash carry.
export function changedPairs(settings, values) {
  const pairs = [];
  for (const setting of settings || []) {
    if (!setting.live || !(setting.key in values)) continue;
    if (!sameValue(setting, values[setting.key], setting.value)) {
      pairs.push([setting.key, formatSettingValue(setting, normalise(setting, values[setting.key]))]);
    }
  }
  return pairs;
}

// The range a slider covers: the table's bounds when they are finite and near the value's scale, else a range
// around the value within them (the exact text entry still reaches every allowed value).
export function sliderRange(setting, value) {
  const lo = typeof setting.min === "number" && Number.isFinite(setting.min) ? setting.min : -Infinity;
  const hi = typeof setting.max === "number" && Number.isFinite(setting.max) ? setting.max : Infinity;
  const magnitude = Math.max(1, ...[value, setting.value, setting.default].flat(2).filter(Number.isFinite).map(Math.abs));
  const reach = 4 * magnitude;
  const min = Math.max(lo, -reach), max = Math.min(hi, reach);
  if (setting.type === "integer") return { min: Math.ceil(min), max: Math.floor(max), step: 1 };
  // A step of 1, 2 or 5 times a power of ten, and ends on multiples of it, so that round values like 0.3 lie on it.
  const raw = (max - min) / 1000;
  if (!(raw > 0)) return { min, max, step: 1 };
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = (raw / power <= 1 ? 1 : raw / power <= 2 ? 2 : raw / power <= 5 ? 5 : 10) * power;
  return { min: Math.ceil(min / step - 1e-9) * step, max: Math.floor(max / step + 1e-9) * step, step };
}

// A slider position rounded to a short decimal (3 significant digits of the range), so moving a slider writes
// `0.312`, not `0.31234567891`.
export function roundForSlider(value, range) {
  if (range.step === 1 && Number.isInteger(range.min)) return Math.round(value);
  const digits = Math.max(0, -Math.floor(Math.log10(range.step)));
  return Number(value.toFixed(Math.min(12, digits)));
}

// Number formatting shared by the viewer's panels (pure: no DOM, no Leaflet).

// "re + imi" from two decimal strings (the exact coordinates the viewer prints at any depth).
export function formatComplexText(reText, imText) {
  const negative = imText.startsWith("-");
  return reText + (negative ? " - " : " + ") + (negative ? imText.slice(1) : imText) + "i";
}

// Short human form of a probe value: 4 significant digits, exponent when very small or large.
export function formatValue(value, significant) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  const digits = significant || 4;
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
    return value.toExponential(digits - 1).replace(/\.?0+e/, "e");
  }
  const text = value.toPrecision(digits);
  return text.indexOf("e") >= 0 ? text : (text.indexOf(".") >= 0 ? text.replace(/\.?0+$/, "") : text);
}

export function formatComplexValue(pair) {
  if (!Array.isArray(pair) || pair[0] === null || pair[1] === null) return "n/a";
  const im = pair[1];
  return formatValue(pair[0]) + (im < 0 ? " - " : " + ") + formatValue(Math.abs(im)) + "i";
}

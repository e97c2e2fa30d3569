// Number and URL-hash formatting shared by the viewer's scripts.
"use strict";
(function (Fractile) {
  // "re + imi" from two decimal strings (the exact coordinates the viewer prints at any depth).
  function formatComplexText(reText, imText) {
    const negative = imText.startsWith("-");
    return reText + (negative ? " - " : " + ") + (negative ? imText.slice(1) : imText) + "i";
  }

  // Short human form of a probe value: 4 significant digits, exponent when very small or large.
  function formatValue(value, significant) {
    if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
    const digits = significant || 4;
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
      return value.toExponential(digits - 1).replace(/\.?0+e/, "e");
    }
    const text = value.toPrecision(digits);
    return text.indexOf("e") >= 0 ? text : (text.indexOf(".") >= 0 ? text.replace(/\.?0+$/, "") : text);
  }

  function formatComplexValue(pair) {
    if (!Array.isArray(pair) || pair[0] === null || pair[1] === null) return "n/a";
    const im = pair[1];
    return formatValue(pair[0]) + (im < 0 ? " - " : " + ") + formatValue(Math.abs(im)) + "i";
  }

  // "#map=NAME&z=Z&re=R&im=I" -> {map, z, reText, imText}; missing or invalid parts are left out.
  // re and im are decimal strings of any length, kept as text: they are the exact centre.
  function parseHash(hash) {
    const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
    const view = {};
    if (params.get("map")) view.map = params.get("map");
    const z = Number(params.get("z"));
    if (params.has("z") && params.get("z").trim() !== "" && Number.isInteger(z)) view.z = z;
    const reText = (params.get("re") || "").trim(), imText = (params.get("im") || "").trim();
    const { parseDecimal } = Fractile.exact;
    if (parseDecimal(reText) && parseDecimal(imText)) {
      view.reText = reText;
      view.imText = imText;
    }
    return view;
  }

  function buildHash(name, zoom, reText, imText) {
    return "#map=" + encodeURIComponent(name) + "&z=" + zoom + "&re=" + encodeURIComponent(reText) + "&im=" + encodeURIComponent(imText);
  }

  Fractile.format = { formatComplexText, formatValue, formatComplexValue, parseHash, buildHash };
})(window.Fractile = window.Fractile || {});

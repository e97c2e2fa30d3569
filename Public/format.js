// Number and URL-hash formatting shared by the viewer's scripts.
"use strict";
(function (Fractile) {
  // Decimal digits that resolve a tenth of a screen pixel at zoom z (a map of `span` is 256 * 2^z pixels wide).
  function digitsForZoom(span, zoom) {
    const pixel = span / (256 * Math.pow(2, zoom));
    return Math.max(1, Math.min(20, Math.ceil(-Math.log10(pixel / 10))));
  }

  // Fixed-point text without trailing zeros and without "-0".
  function formatFixed(value, digits) {
    let text = value.toFixed(digits);
    if (text.indexOf(".") >= 0) text = text.replace(/\.?0+$/, "");
    return text === "-0" ? "0" : text;
  }

  function formatComplex(re, im, digits) {
    const sign = im < 0 ? "-" : "+";
    return formatFixed(re, digits) + " " + sign + " " + formatFixed(Math.abs(im), digits) + "i";
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

  // "#map=NAME&z=Z&re=R&im=I" -> {map, z, re, im, reText, imText}; missing or invalid parts are left out.
  function parseHash(hash) {
    const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
    const view = {};
    if (params.get("map")) view.map = params.get("map");
    const z = Number(params.get("z"));
    if (params.has("z") && Number.isInteger(z)) view.z = z;
    const reText = params.get("re"), imText = params.get("im");
    if (reText !== null && imText !== null && reText.trim() !== "" && imText.trim() !== "" &&
        Number.isFinite(Number(reText)) && Number.isFinite(Number(imText))) {
      view.re = Number(reText);
      view.im = Number(imText);
      view.reText = reText.trim();
      view.imText = imText.trim();
    }
    return view;
  }

  function buildHash(name, zoom, reText, imText) {
    return "#map=" + encodeURIComponent(name) + "&z=" + zoom + "&re=" + reText + "&im=" + imText;
  }

  Fractile.format = { digitsForZoom, formatFixed, formatComplex, formatValue, formatComplexValue, parseHash, buildHash };
})(window.Fractile = window.Fractile || {});

// The URL hash: map, view and parameters (pure: no DOM, no Leaflet).
//
//   #map=NAME&z=Z&re=RE&im=IM[&KEY=VALUE...][&compare=1[&vs.KEY=VALUE...]]
//
// re and im are exact decimal strings of any length, kept as text. KEY=VALUE are the map's live parameters in the
// same spelling as a tile URL's query (MAPS.md "Live parameters in URLs"), only those that differ from the map's
// configured value. `compare=1` opens the compare view; its right-hand variant's parameters are `vs.KEY=VALUE`.
import { parseDecimal } from "./exact.js";

const VIEW_KEYS = new Set(["map", "z", "re", "im", "compare"]);
const COMPARE_PREFIX = "vs.";

// "#map=...": {map, z, reText, imText, params, compare, compareParams}; missing or invalid view parts are left
// out. params and compareParams are [key, text] pairs in hash order, checked later against the map's settings.
export function parseHash(hash) {
  const params = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  const view = { params: [], compare: false, compareParams: [] };
  if (params.get("map")) view.map = params.get("map");
  const zText = params.get("z");
  const z = Number(zText);
  if (zText !== null && zText.trim() !== "" && Number.isInteger(z)) view.z = z;
  const reText = (params.get("re") || "").trim(), imText = (params.get("im") || "").trim();
  if (parseDecimal(reText) && parseDecimal(imText)) {
    view.reText = reText;
    view.imText = imText;
  }
  view.compare = params.get("compare") === "1";
  for (const [key, value] of params) {
    if (VIEW_KEYS.has(key)) continue;
    if (key.startsWith(COMPARE_PREFIX)) view.compareParams.push([key.slice(COMPARE_PREFIX.length), value]);
    else view.params.push([key, value]);
  }
  return view;
}

// A query value written readably: `,` `;` and `:` stay as they are (the tile URL's own spelling).
export function encodeValue(text) {
  return encodeURIComponent(text).replace(/%2C/gi, ",").replace(/%3B/gi, ";").replace(/%3A/gi, ":");
}

// [[key, text], ...] -> "key=text&key=text" (no leading "?").
export function queryOf(pairs, prefix) {
  return pairs.map(([key, text]) => encodeURIComponent((prefix || "") + key) + "=" + encodeValue(text)).join("&");
}

export function buildHash(view) {
  let hash = "#map=" + encodeURIComponent(view.map) + "&z=" + view.z + "&re=" + encodeURIComponent(view.reText) +
    "&im=" + encodeURIComponent(view.imText);
  if (view.params && view.params.length) hash += "&" + queryOf(view.params);
  if (view.compare) {
    hash += "&compare=1";
    if (view.compareParams && view.compareParams.length) hash += "&" + queryOf(view.compareParams, COMPARE_PREFIX);
  }
  return hash;
}

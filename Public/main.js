// The fractile viewer's entry point: checks Leaflet, loads /maps.json, wires the panels and follows the URL hash.
// Plain ES modules with relative imports (no build step), so the viewer works under any path prefix.
import { $ } from "./dom.js";
import { state, showBanner, hideBanner, fetchJSON } from "./state.js";
import { buildSwitcher, copyLink, isPhone } from "./panels.js";
import { applyHash } from "./view.js";
import { closeProbe } from "./probe-panel.js";
import { initDivider } from "./compare.js";
import { initParameters } from "./params-panel.js";
import { initTools } from "./tools.js";

// The tile layer overrides two Leaflet internals that have no public equivalent (tile-layer.js); they hold from
// 1.6 (Debian's libjs-leaflet) through 1.9. Anything else gets a clear banner instead of a subtly broken map.
const LEAFLET = { major: 1, minMinor: 6, maxMinor: 9 };

function leafletProblem() {
  if (typeof window.L === "undefined" || !L.version) return "Leaflet did not load (vendor/leaflet/leaflet.js).";
  const [major, minor] = String(L.version).split(".").map(Number);
  if (major !== LEAFLET.major || !(minor >= LEAFLET.minMinor && minor <= LEAFLET.maxMinor)) {
    return "This viewer needs Leaflet " + LEAFLET.major + "." + LEAFLET.minMinor + " to " + LEAFLET.major + "." +
      LEAFLET.maxMinor + "; the server gives Leaflet " + L.version + ".";
  }
  return null;
}

async function start() {
  hideBanner();
  let list;
  try {
    list = await fetchJSON("maps.json");
    if (!list || !Array.isArray(list.maps) || list.maps.length === 0) throw new Error("maps.json lists no maps");
  } catch (error) {
    showBanner("Cannot reach the fractile server: maps.json failed (" + error.message + ").", start);
    return;
  }
  // The true depth is `maxZoom` (or `fractile.maxZoom`); TileJSON refines it per map when the map is shown.
  state.maps = list.maps.map((def) => {
    const depth = [def.maxZoom, def.fractile && def.fractile.maxZoom, def.maxzoom].find(Number.isInteger);
    // The settings table is agreed at the map's top level; one nested in `fractile` is read too.
    const settings = Array.isArray(def.settings) ? def.settings : def.fractile && def.fractile.settings;
    return Object.assign({}, def, { minzoom: Number.isInteger(def.minzoom) ? def.minzoom : 0, maxzoom: depth || 0,
      settings: Array.isArray(settings) ? settings : undefined });
  });
  state.byName = new Map(state.maps.map((def) => [def.name, def]));
  buildSwitcher();
  applyHash();
}

$("legend").open = !isPhone();
$("banner-close").addEventListener("click", hideBanner);
$("banner-retry").addEventListener("click", () => { if (state.bannerRetry) state.bannerRetry(); });
const problem = leafletProblem();
if (problem) {
  showBanner(problem);
} else {
  $("copy-link").addEventListener("click", copyLink);
  $("probe-close").addEventListener("click", closeProbe);
  window.addEventListener("hashchange", applyHash);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Tab") document.body.classList.add("keyboard");
    if (e.key === "Escape" && !$("probe").hidden) closeProbe();
  });
  // The map's focus ring is for keyboard users; a pointer focuses the map too, without one.
  document.addEventListener("pointerdown", () => document.body.classList.remove("keyboard"), true);
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { if (state.redrawProbe) state.redrawProbe(); }, 150);
  });
  initDivider();
  initParameters();
  initTools();
  start();
}

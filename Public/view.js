// The map view: Leaflet's small local world around an anchor (docs/viewer.md), the tile layers of the variants,
// map switching and the URL hash. Leaflet computes in doubles and breaks near zoom 45, so it never sees the real
// zoom or the real tile grid: it sees a local world anchored at a tile (X0, Y0) of level b (exact.js), its zoom l
// being the real zoom b + l.
import * as X from "./exact.js";
import { parseHash, buildHash, queryOf } from "./hash.js";
import { valuesFromPairs, changedPairs, shippedValues } from "./params.js";
import { deepTileLayer } from "./tile-layer.js";
import { $ } from "./dom.js";
import { state, showBanner, hideBanner, fetchJSON } from "./state.js";
import { updatePanels, showCentre, showPointer, updateLoading, escapeHTML } from "./panels.js";
import { probeAt, reprobe, closeProbe, placeMarker } from "./probe-panel.js";
import { applyCompareClip, updateCompareControls } from "./compare.js";
import { buildParameters } from "./params-panel.js";

// The anchor moves (b about z - MID, the view centre in the middle of the anchor's 2x2 block of level-b tiles) when
// l leaves MID +- SLACK or the centre leaves that block. Leaflet's numbers stay below 2^(8 + 12 + 16) = 2^36
// pixels: local zoom <= LOCAL_MAX, local coordinates within +-BOX level-b tiles.
const ANCHOR = { MID: 8, SLACK: 4, LOCAL_MAX: 16, BOX: 4096 };
const EXTRA_BITS = 40; // positions parsed from text resolve 2^-40 of a pixel
const MARGIN = 0.15;   // the view may go this fraction of the map's size past its edges
const PROBE_DELAY_MS = 260; // long enough to tell a click from the first half of a double-click
const TILEJSON_VARIANTS_KEPT = 64;

// ---------- geometry: exact positions, Leaflet's local world ----------

export function fractileOf(def) {
  const tilejson = state.tilejson.get(tileJSONUrl(def, ""));
  return (tilejson && tilejson.fractile) || def.fractile || def;
}

export function frameOf(def) {
  const f = fractileOf(def);
  if (!def.exactFrame || def.exactFrame.source !== f) {
    def.exactFrame = Object.assign(X.makeFrame(f.center, f.span, f.tileSize || 256), { source: f });
  }
  return def.exactFrame;
}

// Leaflet's LatLng is a local coordinate: lng = lx, lat = -ly (level-b tile units, so up is +im as on the plane).
function crsFor(tileSize) {
  return L.extend({}, L.CRS.Simple, { transformation: new L.Transformation(tileSize, 0, -tileSize, 0) });
}

export function latLngOf(local) {
  return L.latLng(-local.ly, local.lx);
}

export function positionAt(latlng) {
  return X.positionOfLocal(state.anchor, latlng.lng, -latlng.lat);
}

export function realZoom() {
  return state.anchor.b + state.map.getZoom();
}

function clampZoom(def, z) {
  return Math.max(def.minzoom, Math.min(def.maxzoom, z));
}

// Digits of the hash and the probe (a hundredth of a pixel) and of the pointer readout (a tenth).
export function hashDigits(z, frame) {
  return X.digitsFor(frame || state.frame, z, 0.01);
}

export function readoutDigits(z) {
  return X.digitsFor(state.frame, z, 0.1);
}

export function textAt(position, digits, frame) {
  return X.formatComplexAt(frame || state.frame, position, digits);
}

// A view given as text {z, reText, imText} -> the exact position nearest it.
function positionOfText(frame, target) {
  const q = target.z + Math.round(Math.log2(frame.tileSize)) + EXTRA_BITS;
  return X.positionOf(frame, X.parseDecimal(target.reText), X.parseDecimal(target.imText), q);
}

function anchorFor(def, z, position) {
  return X.anchorAround(position, Math.max(0, z - ANCHOR.MID));
}

function zoomLimits(def, anchor) {
  return {
    min: Math.max(0, def.minzoom - anchor.b),
    max: Math.max(0, Math.min(ANCHOR.LOCAL_MAX, def.maxzoom - anchor.b)),
  };
}

function boundsOf(box) {
  return L.latLngBounds([-box.y[1], box.x[0]], [-box.y[0], box.x[1]]);
}

// The integer zoom at which the map's square best fills the smaller side of the window.
function defaultView(def) {
  const f = fractileOf(def);
  const size = Math.min(window.innerWidth, window.innerHeight);
  return { z: clampZoom(def, Math.round(Math.log2(size / (f.tileSize || 256)))),
    reText: String(f.center[0]), imText: String(f.center[1]) };
}

// ---------- variants: live parameters and their tile layers ----------

function tileJSONUrl(def, query) {
  return (def.tilejson || "tiles/" + encodeURIComponent(def.name) + ".json") + (query ? "?" + query : "");
}

// The TileJSON of a map with a variant's query (cached): its `fractile` member carries the legend and frame for
// those settings, and a 400 carries the server's reason when the settings are refused.
export async function loadTileJSON(def, query) {
  const url = tileJSONUrl(def, query || "");
  if (!state.tilejson.has(url)) {
    const tilejson = await fetchJSON(url);
    // A dragged slider asks for many variants: keep the maps' own TileJSON and the latest variants only.
    for (const key of state.tilejson.keys()) {
      if (state.tilejson.size < TILEJSON_VARIANTS_KEPT) break;
      if (key.includes("?")) state.tilejson.delete(key);
    }
    state.tilejson.set(url, tilejson);
  }
  return state.tilejson.get(url);
}

export function variantFor(def, values) {
  const pairs = changedPairs(def.settings, values);
  return { values, pairs, query: queryOf(pairs), legend: null };
}

function anyLayerLoading() {
  for (const layer of state.layers) if (layer.isLoading()) return true;
  return false;
}

function makeTileLayer(def, index, query) {
  // Built relative to the page (not from TileJSON's absolute URL) so the viewer works behind a path prefix;
  // {r} is "@2x" on a high-DPI screen: the same zoom at twice the pixels.
  const template = "tiles/" + encodeURIComponent(def.name) + "/{z}/{x}/{y}{r}.png" + (query ? "?" + query : "");
  const tilejson = state.tilejson.get(tileJSONUrl(def, ""));
  const layer = deepTileLayer(template, () => state.anchor, {
    tileSize: frameOf(def).tileSize, noWrap: true, keepBuffer: 3, pane: index === 0 ? "variant-left" : "variant-right",
    attribution: index === 0 && tilejson && tilejson.attribution ? escapeHTML(tilejson.attribution) : "",
  });
  layer.variantIndex = index;
  layer.on("tileloadstart", (e) => { state.loading.add(e.tile); updateLoading(); });
  layer.on("tileload tileunload", (e) => { state.loading.delete(e.tile); updateLoading(); });
  layer.on("tileerror", tileFailed);
  layer.on("load", () => { if (state.anchorPending) scheduleAnchorCheck(); });
  return layer;
}

function tileFailed(event) {
  state.loading.delete(event.tile);
  updateLoading();
  state.tileFailures += 1;
  const reason = event.error && event.error.message ? event.error.message : "network error";
  showBanner(state.tileFailures + (state.tileFailures === 1 ? " tile" : " tiles") +
    " could not be loaded (" + reason + "). Is the server still running?", () => {
    state.tileFailures = 0;
    hideBanner();
    for (const layer of state.layers) layer.redraw();
  });
}

function addLayer(layer) {
  state.layers.add(layer);
  applyLayerLimits(layer);
  layer.addTo(state.map);
  layer.bringToFront();
}

function removeLayer(layer) {
  if (!layer) return;
  state.layers.delete(layer);
  for (const tile of state.loading) if (layer.getContainer() && layer.getContainer().contains(tile)) state.loading.delete(tile);
  layer.remove();
  updateLoading();
}

// Shows variant `index` with new tiles; the old layer stays on screen until the new one has its view's tiles
// (no flash to black), then goes.
function showVariantLayer(index) {
  const def = state.current, variant = state.variants[index];
  const key = index === 0 ? "layer" : "compareLayer";
  const old = state[key];
  const fresh = makeTileLayer(def, index, variant.query);
  state[key] = fresh;
  addLayer(fresh);
  if (old) {
    const retire = () => { if (state.layers.has(old)) removeLayer(old); };
    fresh.once("load", retire);
    fresh.once("remove", retire);
  }
}

const variantRequests = [];

// Applies new values to variant `index` (0 left or only, 1 right): checks them with the server (the TileJSON for
// that query: a refused setting gives its one-line reason and changes nothing), then swaps the tiles, the legend,
// and the hash. Returns the error text, or null.
export async function setVariant(index, values) {
  const def = state.current;
  if (!def) return null;
  const variant = variantFor(def, values);
  const previous = state.variants[index];
  // Only the latest change to a variant lands, whatever order the server's answers come in.
  const request = variantRequests[index] = (variantRequests[index] || 0) + 1;
  if (previous && previous.query === variant.query && previous.legend) {
    state.variants[index] = Object.assign(previous, { values });
    return null;
  }
  const generation = state.generation;
  const stale = () => generation !== state.generation || request !== variantRequests[index];
  let tilejson = null;
  try {
    tilejson = await loadTileJSON(def, variant.query);
  } catch (error) {
    if (stale()) return null;
    if (error.status >= 400 && error.status < 500) return error.reason || error.message;
    showBanner("Could not check these settings with the server (" + error.message + ").");
    return error.message;
  }
  if (stale()) return null;
  variant.legend = tilejson && tilejson.fractile && tilejson.fractile.legend || null;
  state.variants[index] = variant;
  if (index === 1 && !state.compare) return null;
  showVariantLayer(index);
  updatePanels(def);
  applyCompareClip();
  writeHash();
  reprobe(index);
  return null;
}

// Opens or closes the compare view (the right-hand variant starts as a copy of the left one).
export function setCompare(on) {
  if (!state.current || on === state.compare) return;
  state.compare = on;
  if (on) {
    const left = state.variants[0];
    state.variants[1] = state.variants[1] || Object.assign({}, left, { values: Object.assign({}, left.values) });
    showVariantLayer(1);
  } else {
    removeLayer(state.compareLayer);
    for (const layer of [...state.layers]) if (layer.variantIndex === 1) removeLayer(layer);
    state.compareLayer = null;
    state.variants.length = 1;
  }
  updateCompareControls();
  applyCompareClip();
  buildParameters();
  updatePanels(state.current);
  writeHash();
}

// ---------- the anchor ----------

function applyLayerLimits(layer) {
  const limits = zoomLimits(state.current, state.anchor);
  Object.assign(layer.options, { minZoom: limits.min, maxZoom: limits.max, maxNativeZoom: limits.max,
    bounds: boundsOf(X.localBox(state.anchor, 0, ANCHOR.BOX)) });
}

// Gives Leaflet the anchor's zoom range and bounds (cut to +-BOX level-b tiles around it).
function setAnchor(anchor) {
  const def = state.current, map = state.map;
  state.anchor = anchor;
  const limits = zoomLimits(def, anchor);
  map.options.minZoom = limits.min;
  map.options.maxZoom = limits.max;
  map.options.maxBounds = boundsOf(X.localBox(anchor, MARGIN, ANCHOR.BOX));
  for (const layer of state.layers) applyLayerLimits(layer);
}

// Shows `position` at real zoom z, with the anchor that suits them. `text` is the view's hash text, if known.
function place(position, z, text) {
  const map = state.map;
  position = X.clampToMap(position, MARGIN);
  const anchor = anchorFor(state.current, z, position);
  const centre = latLngOf(X.localOf(anchor, position));
  const handover = state.placed ? [...state.layers] : [];
  state.placing = true;
  try {
    for (const layer of handover) layer.beginHandover();
    setAnchor(anchor);
    map.setView(centre, z - anchor.b, { reset: true });
  } finally {
    for (const layer of handover) layer.endHandover();
    state.placing = false;
  }
  state.placed = true;
  state.anchors += 1;
  state.anchorPending = false;
  map.fire("zoomlevelschange");
  const now = map.getCenter();
  state.view = text && now.lat === centre.lat && now.lng === centre.lng
    ? { map: state.current.name, reText: text.reText, imText: text.imText, anchor, lat: now.lat, lng: now.lng }
    : null;
  placeMarker();
  applyCompareClip();
  writeHash();
  if (!state.pointerInside) showCentre();
}

function scheduleAnchorCheck() {
  clearTimeout(state.anchorTimer);
  state.anchorTimer = setTimeout(checkAnchor, 0);
}

// Moves the anchor when the local zoom leaves MID +- SLACK or the centre leaves the anchor's block; waits for the
// view's tiles first (so the hand-over shows a complete picture) unless Leaflet is at the end of its range.
function checkAnchor() {
  const map = state.map, def = state.current, anchor = state.anchor;
  if (!map || !anchor || state.moving || state.placing || state.zooming) return;
  const l = map.getZoom(), z = anchor.b + l, centre = map.getCenter();
  const lx = centre.lng, ly = -centre.lat;
  const position = positionAt(centre);
  const zoomOut = anchorFor(def, z, position).b !== anchor.b &&
    (l > ANCHOR.MID + ANCHOR.SLACK || (anchor.b > 0 && l < ANCHOR.MID - ANCHOR.SLACK));
  // Off the block; beyond the map's edge (the bounds allow a margin) the anchor, clamped to the grid, stays.
  const panOut = anchor.b > 0 && (lx < 0 || lx > 2 || ly < 0 || ly > 2) &&
    !X.sameAnchor(X.anchorAround(position, anchor.b), anchor);
  if (!zoomOut && !panOut) {
    state.anchorPending = false;
    return;
  }
  const limits = zoomLimits(def, anchor);
  const atEnd = (l >= limits.max && z < def.maxzoom) || (l <= limits.min && z > def.minzoom && anchor.b > 0) ||
    Math.max(Math.abs(lx - 1), Math.abs(ly - 1)) > ANCHOR.BOX / 4;
  if (!atEnd && anyLayerLoading()) {
    state.anchorPending = true;
    return;
  }
  place(position, z, keptView());
}

// ---------- the map ----------

// `view` is {z, reText, imText}: decimal text, exact at any depth; `variants` the parameters of the left and
// right variants ([{values}], compare on when there are two).
async function showMap(def, view, variants) {
  const generation = ++state.generation;
  let tilejson = null;
  try {
    tilejson = await loadTileJSON(def, "");
  } catch (error) {
    if (generation !== state.generation) return;
    showBanner("Could not load the description of map “" + def.title + "” (" + error.message + "); showing it anyway.");
  }
  if (generation !== state.generation) return;
  if (tilejson) {
    // TileJSON caps `maxzoom` at 30; the map's true depth is `fractile.maxZoom`.
    const depth = tilejson.fractile && tilejson.fractile.maxZoom;
    def.minzoom = Number.isInteger(tilejson.minzoom) ? tilejson.minzoom : def.minzoom;
    def.maxzoom = Number.isInteger(depth) ? depth : Number.isInteger(tilejson.maxzoom) ? tilejson.maxzoom : def.maxzoom;
  }
  const hadFocus = state.map && state.map.getContainer().contains(document.activeElement);
  closeProbe();
  if (state.map) state.map.remove();
  state.layers.clear();
  state.layer = state.compareLayer = null;
  state.loading.clear();
  state.tileFailures = 0;
  state.moving = state.zooming = state.placed = false;
  state.anchorPending = false;
  updateLoading();
  state.current = def;
  state.frame = frameOf(def);
  const baseLegend = fractileOf(def).legend || null;
  state.variants = variants.map((v) => Object.assign(variantFor(def, v.values), { legend: baseLegend }));
  state.compare = state.variants.length > 1;
  const z = clampZoom(def, view.z);
  const position = positionOfText(state.frame, { z, reText: view.reText, imText: view.imText });
  const map = L.map("map", {
    crs: crsFor(state.frame.tileSize), maxBoundsViscosity: 0.8, maxBounds: L.latLngBounds([0, 0], [1, 1]),
    zoomControl: false, zoomSnap: 1, wheelPxPerZoomLevel: 80, keyboardPanDelta: 120,
  });
  map.createPane("variant-left").style.zIndex = 200;
  map.createPane("variant-right").style.zIndex = 210;
  L.control.zoom({ position: "bottomright" }).addTo(map);
  state.map = map;
  state.anchor = anchorFor(def, z, X.clampToMap(position, MARGIN));
  map.on("movestart", () => { state.moving = true; });
  map.on("zoomanim", () => { state.zooming = true; });
  map.on("zoomend", () => { state.zooming = false; });
  map.on("moveend", () => { state.moving = false; scheduleAnchorCheck(); });
  map.on("moveend zoomend", writeHash);
  map.on("move zoom resize", applyCompareClip);
  map.on("moveend", () => { if (!state.pointerInside) showCentre(); });
  map.on("mousemove", (e) => { state.pointerInside = true; showPointer(e.latlng); });
  map.on("mouseout", () => { state.pointerInside = false; showCentre(); });
  map.on("click", (e) => {
    clearTimeout(state.clickTimer);
    state.clickTimer = setTimeout(() => probeAt(e.latlng, e.containerPoint), PROBE_DELAY_MS);
  });
  map.on("dblclick", () => clearTimeout(state.clickTimer));
  for (let index = 0; index < state.variants.length; index++) {
    const layer = makeTileLayer(def, index, state.variants[index].query);
    state[index === 0 ? "layer" : "compareLayer"] = layer;
    state.layers.add(layer);
    layer.addTo(map);
  }
  updateCompareControls();
  buildParameters();
  updatePanels(def);
  place(position, z, { reText: view.reText, imText: view.imText });
  if (hadFocus) map.getContainer().focus({ preventScroll: true });
  // Legends of variants with parameters come from their TileJSON; a refused setting says why.
  state.variants.forEach((variant, index) => {
    if (!variant.query) return;
    loadTileJSON(def, variant.query).then((json) => {
      if (generation !== state.generation || state.variants[index] !== variant) return;
      variant.legend = json && json.fractile && json.fractile.legend || variant.legend;
      updatePanels(def);
    }, (error) => {
      if (generation === state.generation) showBanner("These settings were refused: " + (error.reason || error.message) + ".");
    });
  });
}

// The hash's centre text while it still describes the view's centre exactly (same map, anchor and Leaflet centre:
// zooming about the centre keeps it), else null.
function keptView() {
  const view = state.view, map = state.map;
  if (!view || !map || !state.current || !state.anchor) return null;
  const centre = map.getCenter();
  return view.map === state.current.name && view.anchor === state.anchor &&
    view.lat === centre.lat && view.lng === centre.lng ? view : null;
}

// The hash always holds the view and the parameters; the text of a view that came from the hash is kept while it
// still holds.
export function writeHash() {
  const map = state.map, def = state.current;
  if (!map || !def || !state.anchor || state.placing) return;
  const centre = map.getCenter(), z = realZoom();
  let view = keptView();
  if (!view) {
    const text = textAt(positionAt(centre), hashDigits(z));
    view = state.view = { map: def.name, reText: text.re, imText: text.im, anchor: state.anchor,
      lat: centre.lat, lng: centre.lng };
  }
  const hash = buildHash({ map: def.name, z, reText: view.reText, imText: view.imText,
    params: state.variants[0] ? state.variants[0].pairs : [], compare: state.compare,
    compareParams: state.compare && state.variants[1] ? state.variants[1].pairs : [] });
  if (location.hash !== hash) history.replaceState(history.state, "", hash);
}

// The variants a hash asks for, checked against the map's settings table (none: the shipped settings only).
function variantsFromHash(def, view) {
  const settings = def.settings || [];
  const lists = view.compare ? [view.params, view.compareParams] : [view.params];
  const problems = [];
  const variants = lists.map((pairs) => {
    if (!Array.isArray(def.settings)) return { values: {} };
    const { values, errors } = valuesFromPairs(settings, pairs);
    problems.push(...errors);
    return { values };
  });
  if (problems.length) showBanner("Some settings in this link were left at the map's own values: " + problems.join("; ") + ".");
  return variants;
}

function sameVariants(variants) {
  if (variants.length !== state.variants.length) return false;
  return variants.every((v, i) => variantFor(state.current, v.values).query === state.variants[i].query);
}

export function applyHash() {
  if (state.maps.length === 0) return;
  const view = parseHash(location.hash);
  let def = state.byName.get(view.map);
  if (view.map && !def) showBanner("There is no map called “" + view.map + "”; showing “" + (state.current || state.maps[0]).title + "”.");
  def = def || state.current || state.maps[0];
  const fallback = defaultView(def);
  const z = clampZoom(def, Number.isInteger(view.z) ? view.z : fallback.z);
  const target = "reText" in view ? { z, reText: view.reText, imText: view.imText }
    : { z, reText: fallback.reText, imText: fallback.imText };
  const variants = variantsFromHash(def, view);
  if (def !== state.current || !state.map || !sameVariants(variants)) {
    showMap(def, target, variants);
  } else {
    ++state.generation; // a map switch still waiting for its TileJSON is superseded
    place(positionOfText(state.frame, target), z, target);
  }
}

// Switching maps keeps the centre (at about the same scale) when it lies inside the new map's frame; the new map
// starts with its shipped settings.
export function switchTo(name) {
  const def = state.byName.get(name);
  if (!def || def === state.current) return;
  let view = defaultView(def);
  if (state.map && state.current) {
    const position = positionAt(state.map.getCenter());
    const c = X.complexAt(state.frame, position);
    const re = X.toNumber(c.re.n, c.re.k), im = X.toNumber(c.im.n, c.im.k);
    const f = fractileOf(def);
    if (Math.abs(re - f.center[0]) <= f.span / 2 && Math.abs(im - f.center[1]) <= f.span / 2) {
      const z = clampZoom(def, Math.round(realZoom() + Math.log2(f.span / state.frame.span)));
      const kept = keptView();
      const text = kept ? { re: kept.reText, im: kept.imText }
        : textAt(position, Math.max(hashDigits(z, frameOf(def)), hashDigits(realZoom())));
      view = { z, reText: text.re, imText: text.im };
    }
  }
  state.view = null;
  const shipped = { values: shippedValues(def.settings) };
  showMap(def, view, state.compare ? [shipped, { values: shippedValues(def.settings) }] : [shipped]);
}

// The probe panel: click a point, see what that network does under the settings of the side that was clicked.
import * as X from "./exact.js";
import { formatComplexText } from "./format.js";
import { render } from "./probe.js";
import { $, element } from "./dom.js";
import { state } from "./state.js";
import { isPhone } from "./panels.js";
import { positionAt, realZoom, hashDigits, textAt, latLngOf, fractileOf } from "./view.js";
import { sideAt } from "./compare.js";

const BOX = 4096; // as view.js ANCHOR.BOX: beyond it the marker is too far to place in Leaflet's local world

// The marker sits at the probed position in whatever local world the anchor gives now (hidden when far away).
export function placeMarker() {
  const map = state.map, probe = state.probe;
  if (!map || !probe) return;
  const local = X.localOf(state.anchor, probe.position);
  const near = Math.abs(local.lx) <= BOX && Math.abs(local.ly) <= BOX;
  if (!state.marker) {
    state.marker = L.circleMarker([0, 0], { radius: 7, weight: 3, color: "#ffffff", fillColor: "#f6ad55", fillOpacity: 1,
      interactive: false, className: "probe-marker" });
  }
  if (near) {
    state.marker.setLatLng(latLngOf(local));
    if (!map.hasLayer(state.marker)) state.marker.addTo(map);
  } else if (map.hasLayer(state.marker)) {
    state.marker.remove();
  }
}

// The probe URL of a point (exact decimal text) with a variant's live parameters.
export function probeUrl(def, text, variant) {
  return "probe/" + encodeURIComponent(def.name) + "?re=" + encodeURIComponent(text.re) + "&im=" +
    encodeURIComponent(text.im) + (variant && variant.query ? "&" + variant.query : "");
}

// Probes the point clicked, sending its coordinates as exact decimals (a hundredth of a pixel).
export function probeAt(latlng, containerPoint) {
  if (!state.current || !state.map) return;
  const position = positionAt(latlng);
  const text = textAt(position, hashDigits(realZoom()));
  probe(position, { re: text.re, im: text.im }, containerPoint ? sideAt(containerPoint.x) : 0);
}

// The open probe again, same point and side, after that side's parameters changed: the panel follows them.
export function reprobe(side) {
  const open = state.probe;
  if (open && open.side === side && state.map) probe(open.position, { re: open.reText, im: open.imText }, side);
}

async function probe(position, text, side) {
  const def = state.current;
  const variant = state.variants[side];
  state.probe = { position, reText: text.re, imText: text.im, side };
  placeMarker();
  const body = $("probe-body");
  const panel = $("probe");
  panel.hidden = false;
  document.body.classList.add("probe-open");
  panel.dataset.state = "loading";
  panel.dataset.map = def.name;
  panel.dataset.re = text.re;
  panel.dataset.im = text.im;
  panel.dataset.query = variant && variant.query || "";
  panel.dataset.side = state.compare ? (side ? "right" : "left") : "";
  delete panel.dataset.regime;
  $("probe-title").textContent = "c = " + formatComplexText(text.re, text.im);
  body.replaceChildren(element("p", "explanation muted", "Probing…"));
  if (state.probeRequest) state.probeRequest.abort();
  const request = new AbortController();
  state.probeRequest = request;
  try {
    const response = await fetch(probeUrl(def, text, variant), { signal: request.signal, headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const result = await response.json();
    if (state.probeRequest !== request) return;
    const legend = variant && variant.legend || fractileOf(def).legend;
    state.redrawProbe = render(body, result, legend, text);
    if (state.compare) body.prepend(element("p", "muted", side ? "Right-hand variant" : "Left-hand variant"));
    panel.dataset.state = "ready";
    panel.dataset.regime = result.regime;
    keepInSight(latLngOf(X.localOf(state.anchor, position)));
  } catch (error) {
    if (error.name === "AbortError") return;
    panel.dataset.state = "error";
    body.replaceChildren(element("p", "explanation error", "Could not probe this point (" + error.message + ")."));
  }
}

// On a phone the panel is a bottom sheet: pan the probed point into the part of the map still visible.
function keepInSight(latlng) {
  if (!isPhone() || !state.map) return;
  const visibleBottom = $("probe").getBoundingClientRect().top;
  const point = state.map.latLngToContainerPoint(latlng);
  if (point.y > visibleBottom - 24) state.map.panBy([0, point.y - visibleBottom / 2]);
}

export function closeProbe() {
  if (state.probeRequest) state.probeRequest.abort();
  state.probeRequest = null;
  state.redrawProbe = null;
  state.probe = null;
  if (state.marker) state.marker.remove();
  state.marker = null;
  $("probe").hidden = true;
  document.body.classList.remove("probe-open");
}

// The viewer's one shared state, the banner and JSON fetching. Tests read the state as `Fractile.viewer`.
import { $ } from "./dom.js";

export const state = {
  maps: [], byName: new Map(), tilejson: new Map(),
  current: null, frame: null, anchor: null, map: null, marker: null,
  layer: null,          // the tile layer of the (left-hand) variant, or of the only one
  compareLayer: null,   // the right-hand variant's layer in the compare view
  layers: new Set(),    // every tile layer on the map, including ones being replaced while new tiles render
  variants: [],         // [{values, pairs, query, legend}] for the left and right variants; values keyed by setting
  compare: false, divider: 0.5,
  view: null,           // the hash's text and the exact Leaflet view it describes (kept while the view is unchanged)
  generation: 0,        // guards against a stale asynchronous map switch
  loading: new Set(), tileFailures: 0,
  moving: false, zooming: false, placing: false, placed: false, anchorPending: false, anchorTimer: null, anchors: 0,
  probe: null, probeRequest: null, redrawProbe: null, clickTimer: null, pointerInside: false, bannerRetry: null,
};

window.Fractile = Object.assign(window.Fractile || {}, { viewer: state });

export function showBanner(text, retry) {
  $("banner-text").textContent = text;
  state.bannerRetry = retry || null;
  $("banner-retry").hidden = !retry;
  $("banner").hidden = false;
}

export function hideBanner() {
  $("banner").hidden = true;
}

// JSON from the server; a non-2xx answer throws with the server's one-line reason when it gave one.
export async function fetchJSON(url, init) {
  const response = await fetch(url, Object.assign({ headers: { Accept: "application/json" } }, init));
  if (!response.ok) {
    let reason = "";
    try {
      const text = (await response.text()).trim();
      try {
        const body = JSON.parse(text);
        reason = body && (body.error || body.reason || body.message) || "";
      } catch (error) {
        reason = text.split("\n")[0].slice(0, 200);
      }
    } catch (error) {
      reason = "";
    }
    const failure = new Error("HTTP " + response.status + (reason ? ": " + reason : "") + " for " + url);
    failure.status = response.status;
    failure.reason = reason;
    throw failure;
  }
  return response.json();
}

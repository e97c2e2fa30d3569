// The deep-zoom tile layer: Leaflet's local tile (x, y) at zoom l is the real tile z/X/Y of the anchor (BigInt,
// exact; docs/viewer.md). It waits and retries when the render queue is full (503 + Retry-After) and reports every
// other failure as a `tileerror` whose error says what went wrong. When the anchor moves, the tiles on screen are
// handed over to the new local grid (same URL, same image element, same place), so the user sees nothing happen.
//
// Leaflet has no public API for handing a tile element from one grid slot to another or for showing a tile without
// its fade-in, so `_removeTile` and `_tileReady` are overridden (checked against Leaflet 1.6 to 1.9, see main.js);
// everything else goes through public API.
import { realTile } from "./exact.js";

export function retryDelaySeconds(header, attempt) {
  let seconds = Number(header);
  if (header === null || !Number.isFinite(seconds)) {
    const date = Date.parse(header);
    seconds = Number.isFinite(date) ? (date - Date.now()) / 1000 : Math.min(8, attempt);
  }
  return Math.max(0.5, Math.min(30, seconds)) * (1 + Math.random() * 0.3);
}

let DeepTileLayer = null;

// Built on first use: Leaflet is a classic script, checked by main.js before any layer is made.
function layerClass() {
  if (DeepTileLayer) return DeepTileLayer;
  DeepTileLayer = L.TileLayer.extend({
    options: { maxAttempts: 10 },

    // `template` has {z} {x} {y} {r} and may carry a query (the variant's live parameters); `anchor()` gives the
    // viewer's current anchor.
    initialize: function (template, anchor, options) {
      L.TileLayer.prototype.initialize.call(this, template, options);
      this.template = template;
      this.anchor = anchor;
      this.handover = null;
    },

    getTileUrl: function (coords) {
      const tile = realTile(this.anchor(), coords.z, coords.x, coords.y);
      if (!tile) return null;
      return L.Util.template(this.template, { z: tile.z, x: tile.x.toString(), y: tile.y.toString(),
        r: L.Browser.retina ? "@2x" : "" });
    },

    createTile: function (coords, done) {
      const url = this.getTileUrl(coords);
      let tile = url && this.handover ? this.handover.get(url) : null;
      if (tile) {
        this.handover.delete(url);
        tile.fractileDone = done;
        if (tile.fractileLoaded) {
          tile.fractileHandedOver = true;
          Promise.resolve().then(() => this.finishTile(tile, null));
        }
        return tile;
      }
      tile = document.createElement("img");
      tile.alt = "";
      tile.setAttribute("role", "presentation");
      tile.fractileDone = done;
      if (!url) { // outside the map's grid (the layer's bounds keep these away; this is the safety net)
        Promise.resolve().then(() => this.finishTile(tile, null));
        return tile;
      }
      tile.fractileUrl = url;
      tile.addEventListener("load", () => {
        if (tile.getAttribute("src") === L.Util.emptyImageUrl) return;
        tile.fractileLoaded = true;
        this.finishTile(tile, null);
      });
      tile.addEventListener("error", (event) => this.retryTile(tile, event));
      tile.src = url;
      return tile;
    },

    // Tells Leaflet the tile is done, once, through the callback of the grid slot the tile sits in now.
    finishTile: function (tile, error) {
      const done = tile.fractileDone;
      tile.fractileDone = null;
      if (done) done(error, tile);
    },

    retryTile: function (tile) {
      const url = tile.fractileUrl;
      if (tile.getAttribute("src") !== url) return;
      const attempt = (tile.fractileAttempts || 0) + 1;
      tile.fractileAttempts = attempt;
      const fail = (error) => {
        tile.fractileFailed = true;
        this.finishTile(tile, error || new Error("network error"));
      };
      if (attempt >= this.options.maxAttempts) return fail(new Error("no tile after " + attempt + " attempts"));
      fetch(url, { method: "HEAD", cache: "no-store" }).then((response) => {
        if (response.status === 503) return retryDelaySeconds(response.headers.get("Retry-After"), attempt);
        if (response.ok) return 0.5;
        throw new Error("HTTP " + response.status);
      }).then((seconds) => {
        this.fire("tileretry", { tile, seconds });
        setTimeout(() => {
          if (tile.isConnected && tile.fractileUrl === url) tile.src = url;
        }, seconds * 1000);
      }, fail);
    },

    // A tile handed over and already loaded is shown at once instead of fading in again.
    _tileReady: function (coords, error, tile) {
      L.TileLayer.prototype._tileReady.call(this, coords, error, tile);
      const slot = this._tiles[this._tileCoordsToKey(coords)];
      if (slot && tile && slot.el === tile && tile.fractileHandedOver) {
        tile.fractileHandedOver = false;
        slot.loaded = 1;
      }
    },

    _removeTile: function (key) {
      const slot = this._tiles[key];
      if (!slot) return;
      const tile = slot.el;
      tile.fractileDone = null;
      if (this.handover && tile.fractileUrl && !tile.fractileFailed) {
        this.handover.set(tile.fractileUrl, tile);
        return L.GridLayer.prototype._removeTile.call(this, key);
      }
      return L.TileLayer.prototype._removeTile.call(this, key);
    },

    beginHandover: function () {
      this.handover = new Map();
    },

    endHandover: function () {
      for (const tile of this.handover.values()) {
        if (!tile.complete) tile.setAttribute("src", L.Util.emptyImageUrl);
      }
      this.handover = null;
    },
  });
  return DeepTileLayer;
}

export function deepTileLayer(template, anchor, options) {
  const Layer = layerClass();
  return new Layer(template, anchor, options);
}

// The fractile viewer: one Leaflet map per fractal map, the view kept in the URL hash, click to probe.
"use strict";
(function (Fractile) {
  const { formatComplexText, parseHash, buildHash } = Fractile.format;
  const X = Fractile.exact;
  const $ = (id) => document.getElementById(id);
  const phone = window.matchMedia("(max-width: 640px)");
  const PROBE_DELAY_MS = 260; // long enough to tell a click from the first half of a double-click

  // Leaflet computes in doubles and breaks near zoom 45, so it never sees the real zoom or the real tile grid.
  // It sees a small local world anchored at a tile (X0, Y0) of level b (see exact.js): its zoom l is the real
  // zoom b + l. The anchor moves (b about z - MID, the view centre in the middle of the anchor's 2x2 block of
  // level-b tiles) when l leaves MID +- SLACK or the centre leaves that block. Leaflet's numbers stay below
  // 2^(8 + 12 + 16) = 2^36 pixels: local zoom <= LOCAL_MAX, local coordinates within +-BOX level-b tiles.
  const ANCHOR = { MID: 8, SLACK: 4, LOCAL_MAX: 16, BOX: 4096 };
  const EXTRA_BITS = 40; // positions parsed from text resolve 2^-40 of a pixel
  const MARGIN = 0.15;   // the view may go this fraction of the map's size past its edges

  const state = {
    maps: [], byName: new Map(), tilejson: new Map(),
    current: null, frame: null, anchor: null, map: null, layer: null, marker: null,
    view: null,          // the hash's text and the exact Leaflet view it describes (kept while the view is unchanged)
    generation: 0,       // guards against a stale asynchronous map switch
    loading: new Set(), tileFailures: 0,
    moving: false, placing: false, anchorPending: false, anchorTimer: null, anchors: 0,
    probe: null, probeRequest: null, redrawProbe: null, clickTimer: null, pointerInside: false, bannerRetry: null,
  };
  Fractile.viewer = state;

  // ---------- messages ----------

  function showBanner(text, retry) {
    $("banner-text").textContent = text;
    state.bannerRetry = retry || null;
    $("banner-retry").hidden = !retry;
    $("banner").hidden = false;
  }

  function hideBanner() {
    $("banner").hidden = true;
  }

  async function fetchJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("HTTP " + response.status + " for " + url);
    return response.json();
  }

  // ---------- geometry: exact positions, Leaflet's local world ----------

  function fractileOf(def) {
    const tilejson = state.tilejson.get(def.name);
    return (tilejson && tilejson.fractile) || def.fractile;
  }

  function frameOf(def) {
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

  function latLngOf(local) {
    return L.latLng(-local.ly, local.lx);
  }

  function positionAt(latlng) {
    return X.positionOfLocal(state.anchor, latlng.lng, -latlng.lat);
  }

  function realZoom() {
    return state.anchor.b + state.map.getZoom();
  }

  function clampZoom(def, z) {
    return Math.max(def.minzoom, Math.min(def.maxzoom, z));
  }

  // Digits of the hash and the probe (a hundredth of a pixel) and of the pointer readout (a tenth).
  function hashDigits(z, frame) {
    return X.digitsFor(frame || state.frame, z, 0.01);
  }

  function readoutDigits(z) {
    return X.digitsFor(state.frame, z, 0.1);
  }

  function textAt(position, digits, frame) {
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

  // ---------- tiles ----------

  function retryDelaySeconds(header, attempt) {
    let seconds = Number(header);
    if (header === null || !Number.isFinite(seconds)) {
      const date = Date.parse(header);
      seconds = Number.isFinite(date) ? (date - Date.now()) / 1000 : Math.min(8, attempt);
    }
    return Math.max(0.5, Math.min(30, seconds)) * (1 + Math.random() * 0.3);
  }

  // The tile layer: local tile (x, y) at Leaflet zoom l is the real tile z/X/Y of the anchor (BigInt, exact).
  // It waits and retries when the render queue is full (503 + Retry-After) and reports every other failure as a
  // `tileerror` whose error says what went wrong. When the anchor moves, the tiles on screen are handed over to
  // the new local grid (same URL, same image element, same place), so the user sees nothing happen.
  const DeepTileLayer = L.TileLayer.extend({
    options: { maxAttempts: 10 },

    getTileUrl: function (coords) {
      const tile = X.realTile(state.anchor, coords.z, coords.x, coords.y);
      if (!tile) return null;
      return L.Util.template(this._url, { z: tile.z, x: tile.x.toString(), y: tile.y.toString(),
        r: L.Browser.retina ? "@2x" : "" });
    },

    createTile: function (coords, done) {
      const url = this.getTileUrl(coords);
      let tile = url && this._handover ? this._handover.get(url) : null;
      if (tile) {
        this._handover.delete(url);
        tile.fractileDone = done;
        if (tile.fractileLoaded) {
          tile.fractileHandedOver = true;
          Promise.resolve().then(() => this._finish(tile, null));
        }
        return tile;
      }
      tile = document.createElement("img");
      tile.alt = "";
      tile.setAttribute("role", "presentation");
      tile.fractileDone = done;
      if (!url) { // outside the map's grid (the layer's bounds keep these away; this is the safety net)
        Promise.resolve().then(() => this._finish(tile, null));
        return tile;
      }
      tile.fractileUrl = url;
      tile.addEventListener("load", () => {
        if (tile.getAttribute("src") === L.Util.emptyImageUrl) return;
        tile.fractileLoaded = true;
        this._finish(tile, null);
      });
      tile.addEventListener("error", (event) => this._retry(tile, event));
      tile.src = url;
      return tile;
    },

    // Tells Leaflet the tile is done, once, through the callback of the grid slot the tile sits in now.
    _finish: function (tile, error) {
      const done = tile.fractileDone;
      tile.fractileDone = null;
      if (done) done(error, tile);
    },

    _retry: function (tile, event) {
      const url = tile.fractileUrl;
      if (tile.getAttribute("src") !== url) return;
      const attempt = (tile.fractileAttempts || 0) + 1;
      tile.fractileAttempts = attempt;
      const fail = (error) => {
        tile.fractileFailed = true;
        this._finish(tile, error || new Error("network error"));
      };
      if (attempt >= this.options.maxAttempts) return fail(new Error("no tile after " + attempt + " attempts"));
      fetch(url, { method: "HEAD", cache: "no-store" }).then((response) => {
        if (response.status === 503) return retryDelaySeconds(response.headers.get("Retry-After"), attempt);
        if (response.ok) return 0.5;
        throw new Error("HTTP " + response.status);
      }).then((seconds) => {
        this.fire("tileretry", { tile, seconds });
        setTimeout(() => {
          if (this._map && tile.isConnected && tile.fractileUrl === url) tile.src = url;
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
      if (this._handover && tile.fractileUrl && !tile.fractileFailed) {
        this._handover.set(tile.fractileUrl, tile);
        return L.GridLayer.prototype._removeTile.call(this, key);
      }
      return L.TileLayer.prototype._removeTile.call(this, key);
    },

    beginHandover: function () {
      this._handover = new Map();
    },

    endHandover: function () {
      for (const tile of this._handover.values()) {
        if (!tile.complete) tile.setAttribute("src", L.Util.emptyImageUrl);
      }
      this._handover = null;
    },
  });

  function updateLoading() {
    // Leaflet drops some unfinished tiles without a `tileunload` (tiles of an abandoned zoom): forget detached ones.
    // A new tile sits in a document fragment until its row is added, so "detached" means it has no parent at all.
    for (const tile of state.loading) if (!tile.parentNode) state.loading.delete(tile);
    const count = state.loading.size;
    $("loading-count").textContent = String(count);
    $("loading").hidden = count === 0;
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
      if (state.layer) state.layer.redraw();
    });
  }

  function makeTileLayer(def, tilejson) {
    // Built relative to the page (not from TileJSON's absolute URL) so the viewer works behind a path prefix;
    // {r} is "@2x" on a high-DPI screen: the same zoom at twice the pixels.
    const template = "tiles/" + encodeURIComponent(def.name) + "/{z}/{x}/{y}{r}.png";
    const layer = new DeepTileLayer(template, {
      tileSize: frameOf(def).tileSize, noWrap: true, keepBuffer: 3,
      attribution: tilejson && tilejson.attribution ? escapeHTML(tilejson.attribution) : "",
    });
    layer.on("tileloadstart", (e) => { state.loading.add(e.tile); updateLoading(); });
    layer.on("tileload tileunload", (e) => { state.loading.delete(e.tile); updateLoading(); });
    layer.on("tileerror", tileFailed);
    layer.on("load", () => { if (state.anchorPending) scheduleAnchorCheck(); });
    return layer;
  }

  function escapeHTML(text) {
    const node = document.createElement("span");
    node.textContent = String(text);
    return node.innerHTML;
  }

  // ---------- the anchor ----------

  // Gives Leaflet the anchor's zoom range and bounds (cut to +-BOX level-b tiles around it).
  function setAnchor(anchor) {
    const def = state.current, map = state.map, layer = state.layer;
    state.anchor = anchor;
    const limits = zoomLimits(def, anchor);
    map.options.minZoom = limits.min;
    map.options.maxZoom = limits.max;
    map.options.maxBounds = boundsOf(X.localBox(anchor, MARGIN, ANCHOR.BOX));
    Object.assign(layer.options, { minZoom: limits.min, maxZoom: limits.max, maxNativeZoom: limits.max,
      bounds: boundsOf(X.localBox(anchor, 0, ANCHOR.BOX)) });
  }

  // Shows `position` at real zoom z, with the anchor that suits them. `text` is the view's hash text, if known.
  function place(position, z, text) {
    const map = state.map, layer = state.layer;
    position = X.clampToMap(position, MARGIN);
    const anchor = anchorFor(state.current, z, position);
    const centre = latLngOf(X.localOf(anchor, position));
    const handover = map._loaded;
    state.placing = true;
    try {
      if (handover) layer.beginHandover();
      setAnchor(anchor);
      map.setView(centre, z - anchor.b, { reset: true });
    } finally {
      if (handover) layer.endHandover();
      state.placing = false;
    }
    state.anchors += 1;
    state.anchorPending = false;
    map.fire("zoomlevelschange");
    const now = map.getCenter();
    state.view = text && now.lat === centre.lat && now.lng === centre.lng
      ? { map: state.current.name, reText: text.reText, imText: text.imText, anchor, lat: now.lat, lng: now.lng }
      : null;
    placeMarker();
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
    if (!map || !anchor || state.moving || state.placing || map._animatingZoom) return;
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
    if (!atEnd && state.layer.isLoading()) {
      state.anchorPending = true;
      return;
    }
    place(position, z, keptView());
  }

  // ---------- the map ----------

  async function loadTileJSON(def) {
    if (!state.tilejson.has(def.name)) {
      try {
        const tilejson = await fetchJSON(def.tilejson || "tiles/" + encodeURIComponent(def.name) + ".json");
        state.tilejson.set(def.name, tilejson);
      } catch (error) {
        showBanner("Could not load the description of map “" + def.title + "” (" + error.message + "); showing it anyway.");
        return null;
      }
    }
    return state.tilejson.get(def.name);
  }

  // `view` is {z, reText, imText}: decimal text, exact at any depth.
  async function showMap(def, view) {
    const generation = ++state.generation;
    const tilejson = await loadTileJSON(def);
    if (generation !== state.generation) return;
    if (tilejson) {
      def.minzoom = Number.isInteger(tilejson.minzoom) ? tilejson.minzoom : def.minzoom;
      // TileJSON's maxzoom stops at 30; the map's true depth is fractile.maxZoom.
      const depth = tilejson.fractile && Number.isInteger(tilejson.fractile.maxZoom) ? tilejson.fractile.maxZoom : tilejson.maxzoom;
      def.maxzoom = Number.isInteger(depth) ? depth : def.maxzoom;
    }
    const hadFocus = state.map && state.map.getContainer().contains(document.activeElement);
    closeProbe();
    if (state.map) state.map.remove();
    state.loading.clear();
    state.tileFailures = 0;
    state.moving = false;
    state.anchorPending = false;
    updateLoading();
    state.current = def;
    state.frame = frameOf(def);
    const z = clampZoom(def, view.z);
    const position = positionOfText(state.frame, { z, reText: view.reText, imText: view.imText });
    const map = L.map("map", {
      crs: crsFor(state.frame.tileSize), maxBoundsViscosity: 0.8, maxBounds: L.latLngBounds([0, 0], [1, 1]),
      zoomControl: false, zoomSnap: 1, wheelPxPerZoomLevel: 80, keyboardPanDelta: 120,
    });
    L.control.zoom({ position: "bottomright" }).addTo(map);
    state.map = map;
    state.layer = makeTileLayer(def, tilejson).addTo(map);
    map.on("movestart", () => { state.moving = true; });
    map.on("moveend", () => { state.moving = false; scheduleAnchorCheck(); });
    map.on("moveend zoomend", writeHash);
    map.on("moveend", () => { if (!state.pointerInside) showCentre(); });
    map.on("mousemove", (e) => { state.pointerInside = true; showPointer(e.latlng); });
    map.on("mouseout", () => { state.pointerInside = false; showCentre(); });
    map.on("click", (e) => {
      clearTimeout(state.clickTimer);
      state.clickTimer = setTimeout(() => probeAt(e.latlng), PROBE_DELAY_MS);
    });
    map.on("dblclick", () => clearTimeout(state.clickTimer));
    updatePanels(def);
    place(position, z, { reText: view.reText, imText: view.imText });
    if (hadFocus) map.getContainer().focus({ preventScroll: true });
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

  // The hash always holds the view; the text of a view that came from the hash is kept while it still holds.
  function writeHash() {
    const map = state.map, def = state.current;
    if (!map || !def || !state.anchor || state.placing) return;
    const centre = map.getCenter(), z = realZoom();
    let view = keptView();
    if (!view) {
      const text = textAt(positionAt(centre), hashDigits(z));
      view = state.view = { map: def.name, reText: text.re, imText: text.im, anchor: state.anchor,
        lat: centre.lat, lng: centre.lng };
    }
    const hash = buildHash(def.name, z, view.reText, view.imText);
    if (location.hash !== hash) history.replaceState(history.state, "", hash);
  }

  function applyHash() {
    if (state.maps.length === 0) return;
    const view = parseHash(location.hash);
    let def = state.byName.get(view.map);
    if (view.map && !def) showBanner("There is no map called “" + view.map + "”; showing “" + (state.current || state.maps[0]).title + "”.");
    def = def || state.current || state.maps[0];
    const fallback = defaultView(def);
    const z = clampZoom(def, Number.isInteger(view.z) ? view.z : fallback.z);
    const target = "reText" in view ? { z, reText: view.reText, imText: view.imText }
      : { z, reText: fallback.reText, imText: fallback.imText };
    if (def !== state.current || !state.map) {
      showMap(def, target);
    } else {
      ++state.generation; // a map switch still waiting for its TileJSON is superseded
      place(positionOfText(state.frame, target), z, target);
    }
  }

  // Switching maps keeps the centre (at about the same scale) when it lies inside the new map's frame.
  function switchTo(name) {
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
    showMap(def, view);
  }

  // ---------- panels ----------

  function buildSwitcher() {
    const nav = $("switcher");
    nav.replaceChildren();
    for (const def of state.maps) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.map = def.name;
      button.textContent = def.title;
      button.title = def.description || def.title;
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", () => switchTo(def.name));
      nav.append(button);
    }
  }

  function updatePanels(def) {
    for (const button of $("switcher").querySelectorAll("button")) {
      const active = button.dataset.map === def.name;
      button.setAttribute("aria-pressed", String(active));
      if (active && phone.matches) button.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    document.title = def.title + " · fractile";
    $("legend-title").textContent = "· " + def.title;
    $("description").textContent = def.description || "";
    const list = $("legend-items");
    list.replaceChildren();
    for (const item of def.fractile.legend || []) {
      const row = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = item.color;
      const name = document.createElement("b");
      name.textContent = String(item.regime).replace("_", " ");
      const meaning = document.createElement("span");
      meaning.textContent = item.meaning;
      row.append(swatch, name, meaning);
      list.append(row);
    }
  }

  function showCoordinate(label, latlng) {
    if (!state.anchor) return;
    const z = realZoom();
    const text = textAt(positionAt(latlng), readoutDigits(z));
    const readout = $("readout");
    readout.textContent = label + formatComplexText(text.re, text.im) + "  ·  z\u00a0" + z;
    readout.dataset.re = text.re;
    readout.dataset.im = text.im;
  }

  function showPointer(latlng) {
    showCoordinate("c = ", latlng);
  }

  function showCentre() {
    if (state.map) showCoordinate("centre c = ", state.map.getCenter());
  }

  // ---------- probe ----------

  // The marker sits at the probed position in whatever local world the anchor gives now (hidden when far away).
  function placeMarker() {
    const map = state.map, probe = state.probe;
    if (!map || !probe) return;
    const local = X.localOf(state.anchor, probe.position);
    const near = Math.abs(local.lx) <= ANCHOR.BOX && Math.abs(local.ly) <= ANCHOR.BOX;
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

  // Probes the point clicked, sending its coordinates as exact decimals (a hundredth of a pixel).
  async function probeAt(latlng) {
    const def = state.current, map = state.map;
    if (!def || !map) return;
    const position = positionAt(latlng);
    const text = textAt(position, hashDigits(realZoom()));
    state.probe = { position, reText: text.re, imText: text.im };
    placeMarker();
    const body = $("probe-body");
    const panel = $("probe");
    panel.hidden = false;
    document.body.classList.add("probe-open");
    panel.dataset.state = "loading";
    panel.dataset.map = def.name;
    panel.dataset.re = text.re;
    panel.dataset.im = text.im;
    delete panel.dataset.regime;
    $("probe-title").textContent = "c = " + formatComplexText(text.re, text.im);
    body.replaceChildren(Object.assign(document.createElement("p"), { className: "explanation muted", textContent: "Probing…" }));
    if (state.probeRequest) state.probeRequest.abort();
    const request = new AbortController();
    state.probeRequest = request;
    try {
      const response = await fetch("probe/" + encodeURIComponent(def.name) + "?re=" + encodeURIComponent(text.re) +
        "&im=" + encodeURIComponent(text.im), { signal: request.signal, headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const result = await response.json();
      if (state.probeRequest !== request) return;
      state.redrawProbe = Fractile.probe.render(body, result, fractileOf(def).legend, text);
      panel.dataset.state = "ready";
      panel.dataset.regime = result.regime;
      keepInSight(latlng);
    } catch (error) {
      if (error.name === "AbortError") return;
      panel.dataset.state = "error";
      body.replaceChildren(Object.assign(document.createElement("p"), { className: "explanation error",
        textContent: "Could not probe this point (" + error.message + ")." }));
    }
  }

  // On a phone the panel is a bottom sheet: pan the probed point into the part of the map still visible.
  function keepInSight(latlng) {
    if (!phone.matches || !state.map) return;
    const visibleBottom = $("probe").getBoundingClientRect().top;
    const point = state.map.latLngToContainerPoint(latlng);
    if (point.y > visibleBottom - 24) state.map.panBy([0, point.y - visibleBottom / 2]);
  }

  function closeProbe() {
    if (state.probeRequest) state.probeRequest.abort();
    state.probeRequest = null;
    state.redrawProbe = null;
    state.probe = null;
    if (state.marker) state.marker.remove();
    state.marker = null;
    $("probe").hidden = true;
    document.body.classList.remove("probe-open");
  }

  // ---------- copy link ----------

  function legacyCopy(text) {
    const field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.style.position = "fixed";
    field.style.opacity = "0";
    document.body.append(field);
    field.select();
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    field.remove();
    return copied;
  }

  async function copyLink() {
    const button = $("copy-link");
    const url = location.href;
    let copied = false;
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(url);
        copied = true;
      } catch (error) {
        copied = false;
      }
    }
    if (!copied) copied = legacyCopy(url);
    if (!copied) showBanner("Copy this link: " + url);
    button.textContent = copied ? "Copied" : "Copy failed";
    button.classList.toggle("done", copied);
    clearTimeout(copyLink.timer);
    copyLink.timer = setTimeout(() => { button.textContent = "Copy link"; button.classList.remove("done"); }, 1800);
  }

  // ---------- start ----------

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
    state.maps = list.maps.map((def) => Object.assign({ minzoom: 0, maxzoom: 0 }, def));
    state.byName = new Map(state.maps.map((def) => [def.name, def]));
    buildSwitcher();
    applyHash();
  }

  $("legend").open = !phone.matches;
  $("copy-link").addEventListener("click", copyLink);
  $("probe-close").addEventListener("click", closeProbe);
  $("banner-close").addEventListener("click", hideBanner);
  $("banner-retry").addEventListener("click", () => { if (state.bannerRetry) state.bannerRetry(); });
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
  start();
})(window.Fractile = window.Fractile || {});

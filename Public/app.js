// The fractile viewer: one Leaflet map per fractal map, the view kept in the URL hash, click to probe.
"use strict";
(function (Fractile) {
  const { digitsForZoom, formatFixed, formatComplex, parseHash, buildHash } = Fractile.format;
  const $ = (id) => document.getElementById(id);
  const phone = window.matchMedia("(max-width: 640px)");
  const PROBE_DELAY_MS = 260; // long enough to tell a click from the first half of a double-click

  const state = {
    maps: [], byName: new Map(), tilejson: new Map(),
    current: null, map: null, layer: null, marker: null,
    applied: null,       // the view last applied from the hash, with its original text (kept while unchanged)
    generation: 0,       // guards against a stale asynchronous map switch
    loading: new Set(), tileFailures: 0,
    probeRequest: null, redrawProbe: null, clickTimer: null, pointerInside: false, bannerRetry: null,
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

  // ---------- geometry: Leaflet's LatLng is the complex number (lat = im, lng = re) ----------

  function frame(def) {
    const f = def.fractile;
    return { re: f.center[0], im: f.center[1], span: f.span, tileSize: f.tileSize || 256 };
  }

  // Tile z/x/y covers re in [C.re - S/2 + x S/2^z, ...]; y grows downward as im decreases (MAPS.md).
  function crsFor(def) {
    const { re, im, span, tileSize } = frame(def);
    const k = tileSize / span;
    return L.extend({}, L.CRS.Simple, {
      transformation: new L.Transformation(k, -(re - span / 2) * k, -k, (im + span / 2) * k),
    });
  }

  function boundsFor(def) {
    const { re, im, span } = frame(def);
    return L.latLngBounds([im - span / 2, re - span / 2], [im + span / 2, re + span / 2]);
  }

  function contains(def, re, im) {
    const { re: cre, im: cim, span } = frame(def);
    return Math.abs(re - cre) <= span / 2 && Math.abs(im - cim) <= span / 2;
  }

  function clampZoom(def, z) {
    return Math.max(def.minzoom, Math.min(def.maxzoom, z));
  }

  // The integer zoom at which the map's square best fills the smaller side of the window.
  function defaultView(def) {
    const { re, im, tileSize } = frame(def);
    const size = Math.min(window.innerWidth, window.innerHeight);
    return { z: clampZoom(def, Math.round(Math.log2(size / tileSize))), re, im };
  }

  function digits(z) {
    return digitsForZoom(frame(state.current).span, z);
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

  // A tile layer that waits and retries when the render queue is full (503 + Retry-After) and reports
  // every other failure as a `tileerror` whose error says what went wrong.
  const RetryingTileLayer = L.TileLayer.extend({
    options: { maxAttempts: 10 },

    _tileOnError: function (done, tile, event) {
      const url = tile.getAttribute("src");
      const attempt = (tile.fractileAttempts || 0) + 1;
      tile.fractileAttempts = attempt;
      const fail = (error) => L.TileLayer.prototype._tileOnError.call(this, done, tile, error || event);
      if (!url || attempt >= this.options.maxAttempts) return fail(new Error("no tile after " + attempt + " attempts"));
      fetch(url, { method: "HEAD", cache: "no-store" }).then((response) => {
        if (response.status === 503) return retryDelaySeconds(response.headers.get("Retry-After"), attempt);
        if (response.ok) return 0.5;
        throw new Error("HTTP " + response.status);
      }).then((seconds) => {
        this.fire("tileretry", { tile, seconds });
        setTimeout(() => {
          if (this._map && tile.isConnected) tile.src = url;
        }, seconds * 1000);
      }, fail);
    },
  });

  function tileKey(coords) {
    return coords.z + "/" + coords.x + "/" + coords.y;
  }

  function updateLoading() {
    const count = state.loading.size;
    $("loading-count").textContent = String(count);
    $("loading").hidden = count === 0;
  }

  function tileFailed(event) {
    state.loading.delete(tileKey(event.coords));
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
    const layer = new RetryingTileLayer(template, {
      tileSize: frame(def).tileSize,
      minZoom: def.minzoom, maxZoom: def.maxzoom, maxNativeZoom: def.maxzoom,
      bounds: boundsFor(def).pad(-1e-9), noWrap: true, keepBuffer: 3,
      attribution: tilejson && tilejson.attribution ? escapeHTML(tilejson.attribution) : "",
    });
    layer.on("tileloadstart", (e) => { state.loading.add(tileKey(e.coords)); updateLoading(); });
    layer.on("tileload tileunload", (e) => { state.loading.delete(tileKey(e.coords)); updateLoading(); });
    layer.on("tileerror", tileFailed);
    return layer;
  }

  function escapeHTML(text) {
    const node = document.createElement("span");
    node.textContent = String(text);
    return node.innerHTML;
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

  async function showMap(def, view) {
    const generation = ++state.generation;
    const tilejson = await loadTileJSON(def);
    if (generation !== state.generation) return;
    if (tilejson) {
      def.minzoom = Number.isInteger(tilejson.minzoom) ? tilejson.minzoom : def.minzoom;
      def.maxzoom = Number.isInteger(tilejson.maxzoom) ? tilejson.maxzoom : def.maxzoom;
    }
    const hadFocus = state.map && state.map.getContainer().contains(document.activeElement);
    closeProbe();
    if (state.map) state.map.remove();
    state.loading.clear();
    state.tileFailures = 0;
    updateLoading();
    state.current = def;
    const bounds = boundsFor(def);
    const map = L.map("map", {
      crs: crsFor(def), minZoom: def.minzoom, maxZoom: def.maxzoom,
      maxBounds: bounds.pad(0.15), maxBoundsViscosity: 0.8,
      zoomControl: false, zoomSnap: 1, wheelPxPerZoomLevel: 80, keyboardPanDelta: 120,
    });
    L.control.zoom({ position: "bottomright" }).addTo(map);
    state.map = map;
    state.layer = makeTileLayer(def, tilejson).addTo(map);
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
    map.setView([view.im, view.re], clampZoom(def, view.z), { animate: false });
    if (hadFocus) map.getContainer().focus({ preventScroll: true });
  }

  // The hash always holds the view; the text of a view that came from the hash is kept while it still holds.
  function writeHash() {
    const map = state.map, def = state.current;
    if (!map || !def) return;
    const centre = map.getCenter(), z = map.getZoom();
    const applied = state.applied;
    let reText, imText;
    if (applied && applied.map === def.name && applied.z === z && applied.re === centre.lng && applied.im === centre.lat) {
      reText = applied.reText;
      imText = applied.imText;
    } else {
      reText = formatFixed(centre.lng, digits(z));
      imText = formatFixed(centre.lat, digits(z));
    }
    const hash = buildHash(def.name, z, reText, imText);
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
    const target = "re" in view
      ? { z, re: view.re, im: view.im, reText: view.reText, imText: view.imText }
      : { z, re: fallback.re, im: fallback.im, reText: String(fallback.re), imText: String(fallback.im) };
    state.applied = Object.assign({ map: def.name }, target);
    if (def !== state.current || !state.map) showMap(def, target);
    else state.map.setView([target.im, target.re], z);
  }

  // Switching maps keeps the centre (at about the same scale) when it lies inside the new map's frame.
  function switchTo(name) {
    const def = state.byName.get(name);
    if (!def || def === state.current) return;
    let view = defaultView(def);
    if (state.map && state.current) {
      const centre = state.map.getCenter();
      if (contains(def, centre.lng, centre.lat)) {
        const z = Math.round(state.map.getZoom() + Math.log2(frame(def).span / frame(state.current).span));
        view = { z: clampZoom(def, z), re: centre.lng, im: centre.lat };
      }
    }
    state.applied = null;
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
    const z = state.map.getZoom();
    const readout = $("readout");
    readout.textContent = label + formatComplex(latlng.lng, latlng.lat, digits(z)) + "  ·  z " + z;
    readout.dataset.re = String(latlng.lng);
    readout.dataset.im = String(latlng.lat);
  }

  function showPointer(latlng) {
    showCoordinate("c = ", latlng);
  }

  function showCentre() {
    if (state.map) showCoordinate("centre c = ", state.map.getCenter());
  }

  // ---------- probe ----------

  async function probeAt(latlng) {
    const def = state.current, map = state.map;
    if (!def || !map) return;
    const re = latlng.lng, im = latlng.lat;
    if (state.marker) state.marker.remove();
    state.marker = L.circleMarker(latlng, { radius: 7, weight: 3, color: "#ffffff", fillColor: "#f6ad55", fillOpacity: 1,
      interactive: false, className: "probe-marker" }).addTo(map);
    const body = $("probe-body");
    const panel = $("probe");
    panel.hidden = false;
    document.body.classList.add("probe-open");
    panel.dataset.state = "loading";
    panel.dataset.map = def.name;
    panel.dataset.re = String(re);
    panel.dataset.im = String(im);
    delete panel.dataset.regime;
    $("probe-title").textContent = "c = " + formatComplex(re, im, digits(map.getZoom()));
    body.replaceChildren(Object.assign(document.createElement("p"), { className: "explanation muted", textContent: "Probing…" }));
    if (state.probeRequest) state.probeRequest.abort();
    const request = new AbortController();
    state.probeRequest = request;
    try {
      const response = await fetch("probe/" + encodeURIComponent(def.name) + "?re=" + re + "&im=" + im,
        { signal: request.signal, headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const result = await response.json();
      if (state.probeRequest !== request) return;
      state.redrawProbe = Fractile.probe.render(body, result, def.fractile.legend);
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

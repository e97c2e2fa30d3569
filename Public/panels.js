// The sidebar: map switcher, legend (following the variants' parameters), pointer readout, loading count, copy link.
import { formatComplexText, formatValue } from "./format.js";
import { $, element } from "./dom.js";
import { state, showBanner } from "./state.js";
import { switchTo, fractileOf, positionAt, realZoom, readoutDigits, textAt } from "./view.js";

const phone = window.matchMedia("(max-width: 640px)");

export function isPhone() {
  return phone.matches;
}

export function escapeHTML(text) {
  const node = document.createElement("span");
  node.textContent = String(text);
  return node.innerHTML;
}

export function buildSwitcher() {
  const nav = $("switcher");
  nav.replaceChildren();
  for (const def of state.maps) {
    const button = element("button", "", def.title);
    button.type = "button";
    button.dataset.map = def.name;
    button.title = def.description || def.title;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", () => switchTo(def.name));
    nav.append(button);
  }
}

function legendRows(list, legend) {
  for (const item of legend || []) {
    const row = element("li");
    const swatch = element("span", "swatch");
    swatch.style.background = item.color;
    row.append(swatch, element("b", "", String(item.regime).replace("_", " ")), element("span", "", item.meaning));
    list.append(row);
  }
}

function sameLegend(a, b) {
  return JSON.stringify(a || null) === JSON.stringify(b || null);
}

export function updatePanels(def) {
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
  const [left, right] = state.variants;
  const base = (left && left.legend) || fractileOf(def).legend;
  legendRows(list, base);
  // The right-hand variant's colours, when its settings give other ones.
  if (state.compare && right && right.legend && !sameLegend(right.legend, base)) {
    list.append(element("li", "legend-side", "Right-hand side:"));
    legendRows(list, right.legend);
  }
}

export function updateLoading() {
  // Leaflet drops some unfinished tiles without a `tileunload` (tiles of an abandoned zoom): forget detached ones.
  // A new tile sits in a document fragment until its row is added, so "detached" means it has no parent at all.
  for (const tile of state.loading) if (!tile.parentNode) state.loading.delete(tile);
  const count = state.loading.size;
  $("loading-count").textContent = String(count);
  $("loading").hidden = count === 0;
}

function showCoordinate(label, latlng) {
  if (!state.anchor) return;
  const z = realZoom();
  const text = textAt(positionAt(latlng), readoutDigits(z));
  const readout = $("readout");
  // A trainability map's axes are log10 learning rates: say the rates themselves too.
  const rates = state.current && state.current.kind === "trainability"
    ? "  ·  η₁ = " + formatValue(Math.pow(10, Number(text.re))) + ", η₂ = " + formatValue(Math.pow(10, Number(text.im))) : "";
  readout.textContent = label + formatComplexText(text.re, text.im) + rates + "  ·  z\u00a0" + z;
  readout.dataset.re = text.re;
  readout.dataset.im = text.im;
}

export function showPointer(latlng) {
  showCoordinate("c = ", latlng);
}

export function showCentre() {
  if (state.map) showCoordinate("centre c = ", state.map.getCenter());
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

export async function copyLink() {
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

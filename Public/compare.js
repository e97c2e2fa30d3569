// The compare view: the right-hand variant's tiles in their own pane, clipped to the right of a draggable divider.
// One Leaflet map holds both, so the two sides pan and zoom together by construction and share one exact view.
import { $ } from "./dom.js";
import { state } from "./state.js";

// 0 for the left-hand (or only) variant, 1 for the right-hand one, by a container x coordinate.
export function sideAt(x) {
  if (!state.compare || !state.map) return 0;
  return x >= state.divider * state.map.getSize().x ? 1 : 0;
}

// Clips the right-hand pane in layer coordinates (the pane moves with the map, the divider stays on screen).
export function applyCompareClip() {
  const map = state.map;
  if (!map) return;
  const pane = map.getPane("variant-right");
  const divider = $("divider");
  if (!pane) return;
  if (!state.compare) {
    pane.style.clip = "";
    divider.hidden = true;
    return;
  }
  const size = map.getSize();
  const x = Math.round(state.divider * size.x);
  const nw = map.containerPointToLayerPoint([0, 0]);
  const se = map.containerPointToLayerPoint(size);
  pane.style.clip = "rect(" + nw.y + "px, " + se.x + "px, " + se.y + "px, " + (nw.x + x) + "px)";
  divider.hidden = false;
  divider.style.left = x + "px";
  labelSides();
  divider.setAttribute("aria-valuenow", String(Math.round(state.divider * 100)));
}

// What each side shows, in the hash's own spelling: "shipped settings" or "learningRate=0.3, gradient=wirtinger".
function labelSides() {
  state.variants.forEach((variant, index) => {
    const label = $(index ? "compare-right" : "compare-left");
    if (!label) return;
    label.textContent = variant && variant.pairs.length
      ? variant.pairs.map(([key, text]) => key + " = " + text).join(", ") : "shipped settings";
  });
}

export function updateCompareControls() {
  const button = $("compare-toggle");
  button.setAttribute("aria-pressed", String(state.compare));
  button.textContent = state.compare ? "Close compare" : "Compare";
  document.body.classList.toggle("comparing", state.compare);
}

function moveDivider(fraction) {
  state.divider = Math.max(0.05, Math.min(0.95, fraction));
  applyCompareClip();
}

// Dragging the handle (pointer) or the arrow keys on it move the divider; the map underneath does not pan.
export function initDivider() {
  const divider = $("divider");
  let dragging = false;
  divider.addEventListener("pointerdown", (event) => {
    dragging = true;
    divider.setPointerCapture(event.pointerId);
    event.preventDefault();
    event.stopPropagation();
  });
  divider.addEventListener("pointermove", (event) => {
    if (!dragging || !state.map) return;
    const box = state.map.getContainer().getBoundingClientRect();
    moveDivider((event.clientX - box.left) / box.width);
  });
  const stop = (event) => {
    dragging = false;
    if (divider.hasPointerCapture(event.pointerId)) divider.releasePointerCapture(event.pointerId);
  };
  divider.addEventListener("pointerup", stop);
  divider.addEventListener("pointercancel", stop);
  divider.addEventListener("keydown", (event) => {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      moveDivider(state.divider + (event.key === "ArrowLeft" ? -0.02 : 0.02));
      event.preventDefault();
    }
  });
  for (const type of ["click", "dblclick", "mousedown", "touchstart", "wheel"]) {
    divider.addEventListener(type, (event) => event.stopPropagation());
  }
}

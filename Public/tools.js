// Tools for the current view: the box-counting dimension of the regime boundary (GET dimension/{map}) and a zoom
// video made by the server (POST videos, then progress, cancel and download). Both carry the left-hand variant's
// live parameters.
import { $ } from "./dom.js";
import { state, fetchJSON } from "./state.js";
import { formatValue } from "./format.js";
import { positionAt, realZoom, hashDigits, textAt } from "./view.js";

const DIMENSION_TILES = 4; // a 4x4 block of tiles around the centre: 1024 pixels of boundary a side
const POLL_MS = 1000;

function withQuery(url) {
  const variant = state.variants[0];
  return url + (variant && variant.query ? "&" + variant.query : "");
}

// The block of tiles around the view's centre at the current zoom: its corner tile and its size.
function blockAroundCentre() {
  const z = realZoom();
  const position = positionAt(state.map.getCenter());
  const side = 1n << BigInt(z);
  const tiles = BigInt(Math.min(DIMENSION_TILES, 2 ** Math.min(z, 30)));
  const tileOf = (v) => (position.q >= z ? v >> BigInt(position.q - z) : v << BigInt(z - position.q));
  const corner = (v) => {
    const start = tileOf(v) - tiles / 2n;
    return start < 0n ? 0n : start > side - tiles ? side - tiles : start;
  };
  return { z, x: corner(position.x), y: corner(position.y), tiles: Number(tiles) };
}

async function measureDimension() {
  const out = $("dimension-result");
  const def = state.current;
  if (!def || !state.map) return;
  const block = blockAroundCentre();
  out.dataset.state = "loading";
  out.textContent = "Counting boxes over " + block.tiles + "×" + block.tiles + " tiles…";
  try {
    const result = await fetchJSON(withQuery("dimension/" + encodeURIComponent(def.name) + "?z=" + block.z + "&x=" +
      block.x + "&y=" + block.y + "&tiles=" + block.tiles));
    out.dataset.state = "ready";
    out.dataset.dimension = String(result.dimension);
    out.textContent = "Boundary dimension ≈ " + formatValue(result.dimension, 3) + " (fit r² = " + formatValue(result.r2, 3) +
      ", " + (result.boxSizes || []).length + " box sizes, " + block.tiles + "×" + block.tiles + " tiles from " +
      block.z + "/" + block.x + "/" + block.y + ")";
  } catch (error) {
    out.dataset.state = "error";
    out.textContent = error.status === 404 ? "This server has no dimension estimate." : "No estimate: " + (error.reason || error.message);
  }
}

// ---------- zoom videos ----------

const video = { id: null, timer: null };

function videoStatus(text, stateName) {
  const line = $("video-status");
  line.textContent = text;
  line.dataset.state = stateName;
}

function stopPolling() {
  clearTimeout(video.timer);
  video.timer = null;
}

async function poll() {
  if (!video.id) return;
  let job;
  try {
    job = await fetchJSON("videos/" + encodeURIComponent(video.id));
  } catch (error) {
    videoStatus("Lost track of the video (" + (error.reason || error.message) + ").", "error");
    return finish();
  }
  const progress = $("video-progress");
  progress.max = Math.max(1, job.frames || 1);
  progress.value = job.framesDone || 0;
  progress.hidden = false;
  if (job.state === "done") {
    const link = $("video-link");
    link.href = job.url || "videos/" + encodeURIComponent(video.id) + ".mp4";
    link.hidden = false;
    videoStatus("Done: " + job.frames + " frames.", "done");
    return finish();
  }
  if (job.state === "failed" || job.state === "cancelled") {
    videoStatus(job.state === "failed" ? "The video failed: " + (job.error || "no reason given") + "." : "Cancelled.", job.state);
    return finish();
  }
  const eta = Number.isFinite(job.etaSeconds) ? ", about " + Math.ceil(job.etaSeconds) + " s left" : "";
  videoStatus(job.state + ": " + (job.framesDone || 0) + " of " + (job.frames || "?") + " frames" + eta, job.state);
  video.timer = setTimeout(poll, POLL_MS);
}

function finish() {
  stopPolling();
  $("video-cancel").hidden = true;
  $("video-start").disabled = false;
}

async function startVideo() {
  const def = state.current;
  if (!def || !state.map) return;
  const z = realZoom();
  const text = textAt(positionAt(state.map.getCenter()), hashDigits(z));
  const seconds = $("video-seconds").value, fps = $("video-fps").value, size = $("video-size").value;
  const url = withQuery("videos?map=" + encodeURIComponent(def.name) + "&re=" + encodeURIComponent(text.re) +
    "&im=" + encodeURIComponent(text.im) + "&zoom=" + def.minzoom + "-" + z + "&seconds=" + encodeURIComponent(seconds) +
    "&fps=" + encodeURIComponent(fps) + "&size=" + encodeURIComponent(size));
  $("video-link").hidden = true;
  $("video-start").disabled = true;
  videoStatus("Asking the server…", "queued");
  try {
    const job = await fetchJSON(url, { method: "POST" });
    video.id = job.id;
    $("video-cancel").hidden = false;
    poll();
  } catch (error) {
    const reason = error.status === 404 ? "this server does not make videos" : (error.reason || error.message);
    videoStatus("No video: " + reason + ".", "error");
    $("video-start").disabled = false;
  }
}

async function cancelVideo() {
  if (!video.id) return;
  try {
    await fetch("videos/" + encodeURIComponent(video.id), { method: "DELETE" });
  } finally {
    stopPolling();
    poll();
  }
}

export function initTools() {
  $("dimension-button").addEventListener("click", measureDimension);
  $("video-start").addEventListener("click", startVideo);
  $("video-cancel").addEventListener("click", cancelVideo);
}

export function resetTools() {
  const out = $("dimension-result");
  out.textContent = "";
  delete out.dataset.state;
  delete out.dataset.dimension;
}


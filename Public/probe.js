// Plain-words explanations of probe results and the probe panel's content.
import { formatValue as value, formatComplexValue as complex, formatComplexText } from "./format.js";
import { drawOrbit, drawSeries } from "./plots.js";
import { element } from "./dom.js";

function count(n, noun) {
  return n + " " + noun + (n === 1 ? "" : "s");
}

function forwardPass(r) {
  const layers = count(r.iterations, "layer");
  const lambda = "Lyapunov exponent λ = " + value(r.lyapunov);
  switch (r.regime) {
    case "chaotic":
      return "This network's forward pass is chaotic: nearby inputs diverge (" + lambda + ")" +
        (r.period ? ", though the activations cycle with period " + r.period + "." : ".");
    case "ordered":
      if (r.period === 1) return "This network's forward pass is ordered: it settles to a fixed point (period 1) after " + layers + " (" + lambda + ").";
      if (r.period) return "This network's forward pass is ordered: it settles into a cycle of period " + r.period + " (" + lambda + ").";
      return "This network's forward pass is ordered: perturbations die out (" + lambda + "), though it has not settled after " + layers + ".";
    case "escaped":
      return "This network's forward pass escapes: activations blow up after " + layers + ".";
  }
  return null;
}

function gradientBasin(r) {
  const steps = count(r.iterations, "step");
  switch (r.regime) {
    case "converged":
      return "This training run converges to w* = " + complex(r.limit) + " with loss " + value(r.loss) + " after " + steps + ".";
    case "saturated":
      return "This training run is saturated: every tanh saturated and the gradient died after " + steps +
        (r.limit ? ", leaving w stuck at " + complex(r.limit) : "") + ".";
    case "diverged":
      return "This training run diverges: the weight blows up after " + steps + ".";
    case "undecided":
      return "This training run is undecided after " + steps + ": it was still moving when the budget ran out (loss " + value(r.loss) + ").";
  }
  return null;
}

function backpropFlow(r) {
  const layers = count(r.iterations, "layer");
  switch (r.regime) {
    case "vanished":
      return "The error signal vanishes after " + layers + ": early layers of such a deep network never learn.";
    case "exploded":
      return "The error signal explodes after " + layers + ": gradients blow up and training breaks.";
    case "unit_circle":
      return "The error signal orbits near the unit circle (ring distance r = " + value(r.ring) + "): a trainable depth.";
    case "bounded":
      return "The error signal stays bounded but off the unit circle (ring distance r = " + value(r.ring) +
        ", |δ| = " + value(r.magnitude) + " after " + layers + ").";
  }
  return null;
}

// Learning rates in plain numbers: the map's axes are their log10, a reader wants 0.0031, not -2.5.
function rates(r) {
  const [eta1, eta2] = Array.isArray(r.learningRates) ? r.learningRates : [Math.pow(10, r.re), Math.pow(10, r.im)];
  return "learning rates η₁ = " + value(eta1) + " (input layer) and η₂ = " + value(eta2) + " (output layer)";
}

function lastRatio(r) {
  const curve = Array.isArray(r.lossCurve) ? r.lossCurve.filter(Number.isFinite) : [];
  return curve.length ? curve[curve.length - 1] : null;
}

function trainability(r) {
  const steps = count(r.iterations, "step");
  const ratio = lastRatio(r);
  switch (r.regime) {
    case "converged":
      return "This network trains: with " + rates(r) + " the training loss falls to " + value(ratio) +
        " of where it started (loss " + value(r.loss) + ") in " + steps + ".";
    case "diverged":
      return "This network blows up: with " + rates(r) + " the training loss runs away after " + steps +
        ": the steps are too large for the curvature they meet.";
    case "stalled":
      return "This network stalls: with " + rates(r) + " the loss is still at " + value(ratio) +
        " of where it started after " + steps + ": it neither trains nor blows up.";
  }
  return null;
}

const EXPLAIN = { forward_pass: forwardPass, gradient_basin: gradientBasin, backprop_flow: backpropFlow, trainability };

export function explain(result) {
  const explainKind = EXPLAIN[result.kind];
  return (explainKind && explainKind(result)) ||
    "Regime “" + result.regime + "” after " + count(result.iterations, "iteration") + ".";
}

// Name/value rows for the details table, by kind; `point` is the exact decimal text that was probed, if known.
function facts(r, point) {
  const where = point ? formatComplexText(point.re, point.im) : complex([r.re, r.im]);
  const rows = [["Point", where], ["Regime", String(r.regime).replace("_", " ")], ["Iterations", String(r.iterations)]];
  if (r.kind === "forward_pass") rows.push(["Lyapunov λ", value(r.lyapunov)], ["Period", r.period === null || r.period === undefined ? "none" : String(r.period)]);
  if (r.kind === "gradient_basin") rows.push(["Limit w*", r.limit ? complex(r.limit) : "none"], ["Loss", value(r.loss)]);
  if (r.kind === "backprop_flow") rows.push(["Ring distance", value(r.ring)], ["|δ| at end", value(r.magnitude)]);
  if (r.kind === "trainability") {
    const [eta1, eta2] = Array.isArray(r.learningRates) ? r.learningRates : [null, null];
    rows.push(["η₁ input layer", value(eta1, 6)], ["η₂ output layer", value(eta2, 6)], ["Final loss", value(r.loss)],
      ["Loss / start", value(lastRatio(r))]);
  }
  return rows;
}

function figure(caption, id) {
  const container = element("figure", "plot");
  container.append(element("figcaption", "", caption));
  const canvas = element("canvas");
  canvas.id = id;
  container.append(canvas);
  return { container, canvas };
}

// Fills `body` with the explanation, the facts and the plots; returns a function that redraws the plots.
export function render(body, result, legend, point) {
  body.replaceChildren();
  const entry = (legend || []).find((item) => item.regime === result.regime);
  const badge = element("span", "regime", String(result.regime).replace("_", " "));
  if (entry) badge.style.setProperty("--swatch", entry.color);
  const sentence = element("p", "explanation", explain(result));
  sentence.id = "probe-sentence";
  const table = element("dl", "facts");
  for (const [name, text] of facts(result, point)) table.append(element("dt", "", name), element("dd", "", text));
  // A trainability pixel trains a whole network: its story is the loss curve, not an orbit in the plane.
  const trains = result.kind === "trainability";
  const orbitTitle = result.kind === "gradient_basin" ? "Weight w during training" :
    result.kind === "backprop_flow" ? "Error signal δ layer by layer (unit circle dashed)" : "Activation z layer by layer";
  const orbit = trains ? null : figure(orbitTitle, "orbit-plot");
  body.append(badge, sentence);
  if (orbit) body.append(orbit.container);
  let loss = null;
  if ((result.kind === "gradient_basin" || trains) && Array.isArray(result.lossCurve)) {
    loss = figure(trains ? "Training loss relative to the start, per step (log scale)" : "Training loss per step", "loss-plot");
    body.append(loss.container);
  }
  body.append(table);
  const draw = () => {
    if (orbit) drawOrbit(orbit.canvas, result.orbit, { unitCircle: result.kind === "backprop_flow" });
    if (loss) {
      drawSeries(loss.canvas, result.lossCurve, trains ? { xTitle: "step", yTitle: "loss / start", log: true }
        : { xTitle: "step", yTitle: "loss" });
    }
  };
  draw();
  return draw;
}

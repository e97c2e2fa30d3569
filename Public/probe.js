// Plain-words explanations of probe results and the probe panel's content.
"use strict";
(function (Fractile) {
  const { formatValue: value, formatComplexValue: complex } = Fractile.format;

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

  const EXPLAIN = { forward_pass: forwardPass, gradient_basin: gradientBasin, backprop_flow: backpropFlow };

  function explain(result) {
    const explainKind = EXPLAIN[result.kind];
    return (explainKind && explainKind(result)) ||
      "Regime “" + result.regime + "” after " + count(result.iterations, "iteration") + ".";
  }

  // Name/value rows for the details table, by kind; `point` is the exact decimal text that was probed, if known.
  function facts(r, point) {
    const where = point ? Fractile.format.formatComplexText(point.re, point.im) : complex([r.re, r.im]);
    const rows = [["Point", where], ["Regime", String(r.regime).replace("_", " ")], ["Iterations", String(r.iterations)]];
    if (r.kind === "forward_pass") rows.push(["Lyapunov λ", value(r.lyapunov)], ["Period", r.period === null || r.period === undefined ? "none" : String(r.period)]);
    if (r.kind === "gradient_basin") rows.push(["Limit w*", r.limit ? complex(r.limit) : "none"], ["Loss", value(r.loss)]);
    if (r.kind === "backprop_flow") rows.push(["Ring distance", value(r.ring)], ["|δ| at end", value(r.magnitude)]);
    return rows;
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
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
  function render(body, result, legend, point) {
    body.replaceChildren();
    const entry = (legend || []).find((item) => item.regime === result.regime);
    const badge = element("span", "regime", String(result.regime).replace("_", " "));
    if (entry) badge.style.setProperty("--swatch", entry.color);
    const sentence = element("p", "explanation", explain(result));
    sentence.id = "probe-sentence";
    const table = element("dl", "facts");
    for (const [name, text] of facts(result, point)) table.append(element("dt", "", name), element("dd", "", text));
    const orbitTitle = result.kind === "gradient_basin" ? "Weight w during training" :
      result.kind === "backprop_flow" ? "Error signal δ layer by layer (unit circle dashed)" : "Activation z layer by layer";
    const orbit = figure(orbitTitle, "orbit-plot");
    body.append(badge, sentence, orbit.container);
    let loss = null;
    if (result.kind === "gradient_basin" && Array.isArray(result.lossCurve)) {
      loss = figure("Training loss per step", "loss-plot");
      body.append(loss.container);
    }
    body.append(table);
    const draw = () => {
      Fractile.plots.drawOrbit(orbit.canvas, result.orbit, { unitCircle: result.kind === "backprop_flow" });
      if (loss) Fractile.plots.drawSeries(loss.canvas, result.lossCurve, { xTitle: "step", yTitle: "loss" });
    };
    draw();
    return draw;
  }

  Fractile.probe = { explain, render };
})(window.Fractile = window.Fractile || {});

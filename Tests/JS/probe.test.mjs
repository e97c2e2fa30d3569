// The probe panel's words (Public/probe.js `explain`), in particular for the trainability kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { explain } from "../../Public/probe.js";

const base = { kind: "trainability", re: -1, im: 0.5, learningRates: [0.1, 3.1622776601683795], iterations: 100 };

test("trainability: both learning rates in plain numbers and what happened, in words", () => {
  const converged = explain(Object.assign({}, base, { regime: "converged", loss: 0.0123, lossCurve: [1, 0.5, 0.02] }));
  assert.match(converged, /^This network trains: with learning rates η₁ = 0\.1 \(input layer\) and η₂ = 3\.162 \(output layer\)/);
  assert.match(converged, /falls to 0\.02 of where it started \(loss 0\.0123\) in 100 steps\.$/);
  const diverged = explain(Object.assign({}, base, { regime: "diverged", iterations: 7, lossCurve: [1, 30, 5e6] }));
  assert.match(diverged, /^This network blows up: .* after 7 steps/);
  const stalled = explain(Object.assign({}, base, { regime: "stalled", lossCurve: [1, 1.2, 1.1] }));
  assert.match(stalled, /^This network stalls: .* still at 1\.1 of where it started after 100 steps/);
});

test("without learningRates the rates come from the log10 axes", () => {
  const text = explain({ kind: "trainability", regime: "converged", re: -2, im: 1, iterations: 1, lossCurve: [0.5] });
  assert.match(text, /η₁ = 0\.01 .* η₂ = 10 /);
});

test("an unknown regime or kind still gets a sentence", () => {
  assert.equal(explain({ kind: "new_kind", regime: "odd", iterations: 3 }), "Regime “odd” after 3 iterations.");
});

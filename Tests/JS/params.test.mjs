// Live parameters against the settings table (Public/params.js), with a hand-written /maps.json in the agreed schema.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as P from "../../Public/params.js";

const maps = JSON.parse(readFileSync(new URL("./fixtures/maps.json", import.meta.url))).maps;
const settings = maps[0].settings;
const byKey = Object.fromEntries(settings.map((s) => [s.key, s]));

test("numbers are strict decimals", () => {
  for (const [text, value] of [["0.3", 0.3], ["0.30", 0.3], ["3e-1", 0.3], ["-.5", -0.5], ["+2", 2], ["1E3", 1000]]) {
    assert.equal(P.parseNumber(text), value, text);
  }
  for (const text of ["", "0x10", "Infinity", "NaN", "1,5", "1e", "--1", "1e999", "1 2"]) assert.equal(P.parseNumber(text), null, text);
});

test("each type parses from URL text and formats back canonically", () => {
  assert.deepEqual(P.parseSettingText(byKey.learningRate, "0.3,0.1"), { value: [0.3, 0.1] });
  assert.deepEqual(P.parseSettingText(byKey.learningRate, "0.3"), { value: [0.3, 0] });
  assert.deepEqual(P.parseSettingText(byKey.maxIterations, "300"), { value: 300 });
  assert.deepEqual(P.parseSettingText(byKey.gradient, "wirtinger"), { value: "wirtinger" });
  assert.deepEqual(P.parseSettingText(byKey["data.x"], "-1;0.5,0.25;2"), { value: [[-1, 0], [0.5, 0.25], [2, 0]] });
  assert.equal(P.formatSettingValue(byKey.learningRate, [0.3, 0]), "0.3");
  assert.equal(P.formatSettingValue(byKey.learningRate, [0.3, -0.1]), "0.3,-0.1");
  assert.equal(P.formatSettingValue(byKey["data.x"], [[-1, 0], [0.5, 0.25]]), "-1;0.5,0.25");
  assert.equal(P.formatSettingValue(byKey.maxIterations, -0), "0");
});

test("equal values spelled differently give one text", () => {
  const texts = ["0.3", "0.30", "3e-1", "0.3,0", ".3,-0"].map((t) => P.formatSettingValue(byKey.learningRate,
    P.parseSettingText(byKey.learningRate, t).value));
  assert.deepEqual(new Set(texts), new Set(["0.3"]));
  assert.ok(P.sameValue(byKey.learningRate, 0.5, [0.5, 0]));
});

test("bad values give one line naming the key", () => {
  const cases = [
    [byKey.learningRate, "11", /^learningRate: each part must be between -10 and 10$/],
    [byKey.learningRate, "0.3,0.1,2", /^learningRate: expected a number or re,im/],
    [byKey.maxIterations, "2.5", /^maxIterations: expected a whole number$/],
    [byKey.maxIterations, "0", /^maxIterations: must be between 1 and 10000$/],
    [byKey.maxIterations, "abc", /^maxIterations: expected a number/],
    [byKey.gradient, "newton", /^gradient: expected one of holomorphic, wirtinger$/],
    [byKey["data.x"], "", /^data\.x: needs at least 1 values$/],
    [byKey["data.x"], Array(17).fill("1").join(";"), /^data\.x: takes at most 16 values$/],
    [byKey["data.x"], "1;;2", /^data\.x: expected values/],
    [byKey["data.y"], "1;20", /^data\.y: each part must be between -10 and 10$/],
  ];
  for (const [setting, text, pattern] of cases) {
    const result = P.parseSettingText(setting, text);
    assert.match(result.error || "", pattern, setting.key + "=" + text);
    assert.ok(!result.error.includes("\n"));
  }
});

test("a hash's pairs apply over the shipped values; problems are listed and leave the shipped value", () => {
  const { values, errors } = P.valuesFromPairs(settings, [["learningRate", "0.3,0.1"], ["gradient", "wirtinger"],
    ["nonsense", "1"], ["divergeRadius", "5"], ["learningRate", "0.2"], ["maxIterations", "0"]]);
  assert.deepEqual(values.learningRate, [0.3, 0.1]);
  assert.equal(values.gradient, "wirtinger");
  assert.equal(values.divergeRadius, 1e6);
  assert.equal(values.maxIterations, 256);
  assert.deepEqual(errors, ["nonsense: this map has no such setting", "divergeRadius: this map does not let a link change it",
    "learningRate: given twice", "maxIterations: must be between 1 and 10000"]);
});

test("data.x and data.y must keep the same length", () => {
  const { errors } = P.valuesFromPairs(settings, [["data.x", "1;2;3"]]);
  assert.deepEqual(errors, ["data.y: needs as many values as data.x (4 against 3)"]);
  assert.deepEqual(P.valuesFromPairs(settings, [["data.x", "1;2;3"], ["data.y", "0;0.5;1"]]).errors, []);
});

test("only live settings that differ from the configured value go into a query, in table order", () => {
  const values = P.shippedValues(settings);
  assert.deepEqual(P.changedPairs(settings, values), []);
  values.gradient = "wirtinger";
  values.learningRate = [0.30, 0];
  values.divergeRadius = 5; // not live: never in a URL
  values["data.y"] = [[-0.6, 0], [-0.3, 0], [0.35, 0], [0.8, 0]];
  assert.deepEqual(P.changedPairs(settings, values),
    [["data.y", "-0.6;-0.3;0.35;0.8"], ["learningRate", "0.3"], ["gradient", "wirtinger"]]);
});

test("sliders cover the bounds near the value's scale and move in short decimals", () => {
  const rate = P.sliderRange(byKey.learningRate, [0.5, 0]);
  assert.deepEqual([rate.min, rate.max, rate.step], [-4, 4, 0.01]);
  assert.equal(P.roundForSlider(0.31234567, rate), 0.31);
  assert.equal(Math.abs((0.3 - rate.min) / rate.step - Math.round((0.3 - rate.min) / rate.step)) < 1e-9, true);
  const steps = P.sliderRange(byKey.maxIterations, 256);
  assert.deepEqual(steps, { min: 1, max: 1024, step: 1 });
  assert.equal(P.roundForSlider(300.4, steps), 300);
  const seed = P.sliderRange(maps[1].settings[1], 1);
  assert.ok(seed.min === 0 && seed.max === 4 && seed.step === 1);
});

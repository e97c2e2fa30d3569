// The URL hash (Public/hash.js): view, parameters and the compare view survive a round trip, digit for digit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHash, buildHash, queryOf } from "../../Public/hash.js";

test("a view with parameters and a compare variant round-trips", () => {
  const view = { map: "gradient-basin", z: 80, reText: "-0.2113700000000000000000001234567", imText: "0.42821",
    params: [["data.x", "-1;0.5,0.25"], ["learningRate", "0.3,0.1"]], compare: true,
    compareParams: [["gradient", "wirtinger"]] };
  const hash = buildHash(view);
  assert.equal(hash, "#map=gradient-basin&z=80&re=-0.2113700000000000000000001234567&im=0.42821" +
    "&data.x=-1;0.5,0.25&learningRate=0.3,0.1&compare=1&vs.gradient=wirtinger");
  const back = parseHash(hash);
  assert.deepEqual(back, view);
});

test("without parameters the hash is the plain view", () => {
  const hash = buildHash({ map: "forward-pass", z: 3, reText: "0.1", imText: "-2", params: [], compare: false });
  assert.equal(hash, "#map=forward-pass&z=3&re=0.1&im=-2");
  assert.deepEqual(parseHash(hash), { map: "forward-pass", z: 3, reText: "0.1", imText: "-2", params: [],
    compare: false, compareParams: [] });
});

test("odd characters are escaped and read back", () => {
  const view = { map: "a b&c", z: 0, reText: "1", imText: "2", params: [["k", "x+y=z&w"]], compare: false };
  assert.deepEqual(parseHash(buildHash(view)).params, [["k", "x+y=z&w"]]);
  assert.equal(parseHash(buildHash(view)).map, "a b&c");
});

test("invalid view parts are left out; parameters are kept for the settings table to judge", () => {
  const view = parseHash("#map=m&z=1.5&re=abc&im=2&learningRate=&learningRate=9&compare=yes&vs.x=1");
  assert.equal(view.z, undefined);
  assert.equal(view.reText, undefined);
  assert.equal(view.compare, false);
  assert.deepEqual(view.params, [["learningRate", ""], ["learningRate", "9"]]);
  assert.deepEqual(view.compareParams, [["x", "1"]]);
  assert.deepEqual(parseHash(""), { params: [], compare: false, compareParams: [] });
});

test("a query keeps , and ; readable and escapes the rest", () => {
  assert.equal(queryOf([["learningRate", "0.3,0.1"], ["data.y", "1;2"], ["gradient", "a&b"]]),
    "learningRate=0.3,0.1&data.y=1;2&gradient=a%26b");
});

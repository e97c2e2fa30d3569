// Exact decimal geometry (Public/exact.js) against an independent rational computation of MAPS.md "Tile coordinates".
import { test } from "node:test";
import assert from "node:assert/strict";
import * as X from "../../Public/exact.js";

// Rationals as [numerator, denominator] BigInt pairs, reduced; just enough to restate the MAPS.md formulas.
const gcd = (a, b) => { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b) [a, b] = [b, a % b]; return a; };
const R = (n, d = 1n) => { const g = gcd(n, d) || 1n; const s = d < 0n ? -1n : 1n; return [s * n / g, s * d / g]; };
const add = (a, b) => R(a[0] * b[1] + b[0] * a[1], a[1] * b[1]);
const sub = (a, b) => add(a, [-b[0], b[1]]);
const mul = (a, b) => R(a[0] * b[0], a[1] * b[1]);
const eq = (a, b) => a[0] === b[0] && a[1] === b[1];
const ofDouble = (v) => { const { m, e } = X.splitDouble(v); return e >= 0 ? R(m << BigInt(e)) : R(m, 1n << BigInt(-e)); };
const ofDyadic = ({ n, k }) => R(n, 1n << BigInt(k));
const ofDecimal = ({ p, d }) => R(p, 10n ** BigInt(d));

test("doubles split exactly into m * 2^e", () => {
  for (const v of [0.1, -0.8, 6, 1e-300, 5e-324, 2 ** 60, -3.75]) {
    const { m, e } = X.splitDouble(v);
    assert.equal(Number(m) * 2 ** e, v);
    assert.ok(m % 2n !== 0n || m === 0n);
  }
  assert.throws(() => X.splitDouble(Infinity), RangeError);
});

test("decimal text parses exactly; nonsense is refused", () => {
  assert.deepEqual(X.parseDecimal("-0.8000000000000000000000000123"), { p: -8000000000000000000000000123n, d: 28 });
  assert.deepEqual(X.parseDecimal(".25"), { p: 25n, d: 2 });
  assert.deepEqual(X.parseDecimal("1.5e-30"), { p: 15n, d: 31 });
  assert.deepEqual(X.parseDecimal("12e3"), { p: 12000n, d: 0 });
  for (const text of ["", ".", "1..2", "0x1", "1e", "e5", "1e9999", "x", "1".repeat(401)]) assert.equal(X.parseDecimal(text), null, text);
});

test("dyadic rationals print rounded half away from zero, trimmed, never -0", () => {
  assert.equal(X.formatDyadic(1n, 1, 3), "0.5");
  assert.equal(X.formatDyadic(1n, 3, 2), "0.13");    // 0.125 -> 0.13
  assert.equal(X.formatDyadic(-1n, 3, 2), "-0.13");
  assert.equal(X.formatDyadic(-1n, 10, 2), "0");      // -0.000977 -> 0, not -0
  assert.equal(X.formatDyadic(3n, -2, 1), "12");
});

test("the complex number of a position is MAPS.md's formula, exactly, at depth", () => {
  const frame = X.makeFrame([-0.8, 0.1], 6, 256);
  for (const [z, tx, ty, i, j] of [[0, 0n, 0n, 0, 0], [3, 5n, 2n, 17, 200], [80, (1n << 79n) + 12345n, (1n << 78n) - 7n, 255, 3]]) {
    // Pixel centre (i, j) of tile z/x/y: u = (x + (i + 1/2)/256) / 2^z.
    const q = z + 9;
    const position = { x: (tx << 9n) + BigInt(2 * i + 1), y: (ty << 9n) + BigInt(2 * j + 1), q };
    const c = X.complexAt(frame, position);
    const u = R(position.x, 1n << BigInt(q)), v = R(position.y, 1n << BigInt(q));
    const half = R(1n, 2n), span = ofDouble(6);
    assert.ok(eq(ofDyadic(c.re), add(ofDouble(-0.8), mul(span, sub(u, half)))), "re at z=" + z);
    assert.ok(eq(ofDyadic(c.im), sub(ofDouble(0.1), mul(span, sub(v, half)))), "im at z=" + z);
  }
});

test("decimal text -> nearest position -> the same text (z = 80, 28 digits)", () => {
  const frame = X.makeFrame([-0.8, 0], 6, 256);
  const re = "0.2113700000000000000000001234567", im = "0.4282100000000000000000007654321";
  const z = 80, q = z + 8 + 40;
  const position = X.positionOf(frame, X.parseDecimal(re), X.parseDecimal(im), q);
  // Within half a unit of 2^-q map fractions of the exact point.
  const c = X.complexAt(frame, position);
  const step = mul(ofDouble(6), R(1n, 1n << BigInt(q)));
  const off = sub(ofDyadic(c.re), ofDecimal(X.parseDecimal(re)));
  assert.ok(off[0] * 2n * step[1] <= step[0] * off[1] && -off[0] * 2n * step[1] <= step[0] * off[1]);
  const digits = X.digitsFor(frame, z, 0.01);
  assert.equal(digits, 28);
  const text = X.formatComplexAt(frame, position, 31);
  assert.deepEqual(text, { re, im });
});

test("the anchor's local world maps back to the same position and the real tile grid", () => {
  const frame = X.makeFrame([-0.8, 0], 6, 256);
  const position = X.positionOf(frame, X.parseDecimal("0.21137"), X.parseDecimal("0.42821"), 26 + 8 + 40);
  const anchor = X.anchorAround(position, 18);
  const local = X.localOf(anchor, position);
  assert.ok(local.lx > 0.5 && local.lx < 1.5 && local.ly > 0.5 && local.ly < 1.5, JSON.stringify(local));
  const back = X.positionOfLocal(anchor, local.lx, local.ly);
  // Local doubles keep 53 bits: the position comes back to within 2^-40 of a level-18 tile.
  const shift = BigInt(back.q - position.q);
  const dx = shift >= 0n ? back.x - (position.x << shift) : (back.x << -shift) - position.x;
  assert.ok((dx < 0n ? -dx : dx) <= 1n << BigInt(Math.max(back.q, position.q) - 18 - 40));
  // Local tile (x, y) at Leaflet zoom l is real tile (X0 2^l + x, Y0 2^l + y) of zoom b + l.
  assert.deepEqual(X.realTile(anchor, 8, 3, 5), { z: 26, x: (anchor.x0 << 8n) + 3n, y: (anchor.y0 << 8n) + 5n });
  assert.equal(X.realTile({ b: 0, x0: 0n, y0: 0n }, 1, 2, 0), null);
  assert.equal(X.realTile({ b: 0, x0: 0n, y0: 0n }, 1, -1, 0), null);
  assert.ok(X.sameAnchor(anchor, X.anchorAround(position, 18)));
});

test("positions far outside the map are pulled onto its padded edge", () => {
  const frame = X.makeFrame([0, 0], 6, 256);
  const far = X.positionOf(frame, X.parseDecimal("1e300"), X.parseDecimal("0"), 20);
  const clamped = X.clampToMap(far, 0.15);
  assert.equal(clamped.x, (1n << 20n) + ((1n << 20n) * 150n) / 1000n);
  assert.equal(clamped.y, far.y);
});

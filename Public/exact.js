// Exact coordinates for the viewer at any depth, in BigInt arithmetic (MAPS.md "Tile coordinates").
//
// A map position is a pair of map fractions u = x / 2^q, v = y / 2^q (BigInt x, y; u, v in [0, 1] on the map, v grows
// downward). The map's centre and span are doubles, so they are exact binary fractions; a complex coordinate of a
// position is therefore an exact dyadic rational, printed as a decimal rounded to the digits asked for. Decimal text
// is parsed exactly and turned into the nearest position at a given binary precision. No step goes through a double,
// so deep-zoom coordinates (z = 100: 108 bits of position) keep every digit.
const TWO = 2n;
const TEN = 10n;

function pow2(n) {
  return 1n << BigInt(n);
}

function pow10(n) {
  return TEN ** BigInt(n);
}

// a / b rounded to the nearest integer, halves away from zero (b > 0).
function divRound(a, b) {
  const half = (a < 0n ? -a : a) * TWO + b;
  const q = half / (TWO * b);
  return a < 0n ? -q : q;
}

// floor(a / 2^n) for n >= 0 (BigInt >> rounds toward minus infinity).
function floorShift(a, n) {
  return n >= 0 ? a >> BigInt(n) : a << BigInt(-n);
}

// A finite double as exactly m * 2^e (BigInt m, integer e).
export function splitDouble(value) {
  if (!Number.isFinite(value)) throw new RangeError("not a finite number: " + value);
  if (value === 0) return { m: 0n, e: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0), low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let m = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let e = -1074;
  if (biased !== 0) {
    m |= 1n << 52n;
    e = biased - 1075;
  }
  while ((m & 1n) === 0n) {
    m >>= 1n;
    e += 1;
  }
  return { m: high >>> 31 ? -m : m, e };
}

// A BigInt n / 2^k as the nearest double (k may be large: the quotient is formed before the conversion).
export function toNumber(n, k) {
  if (n === 0n) return 0;
  const bits = (n < 0n ? -n : n).toString(2).length;
  const drop = Math.max(0, Math.min(k, bits - 60)); // keep ~60 significant bits, then scale in floating point
  const kept = drop > 0 ? divRound(n, pow2(drop)) : n;
  return Number(kept) * Math.pow(2, drop - k);
}

// The map's frame as integers over a common power of two: centre = (cr, ci) * 2^E, span = s * 2^E, E <= 0.
export function makeFrame(center, span, tileSize) {
  const parts = [splitDouble(center[0]), splitDouble(center[1]), splitDouble(span)];
  const E = Math.min(0, ...parts.map((p) => p.e));
  const [cr, ci, s] = parts.map((p) => p.m << BigInt(p.e - E));
  if (s <= 0n) throw new RangeError("span must be positive");
  return { cr, ci, s, E, center: [center[0], center[1]], span, tileSize: tileSize || 256 };
}

// ---------- decimal text ----------

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;
const MAX_DECIMAL_LENGTH = 400;

// "-0.8000…0123", "1.5e-30", ".25" -> {p, d} with value p / 10^d exactly (d >= 0); null if it is not a decimal.
export function parseDecimal(text) {
  const trimmed = String(text).trim();
  if (trimmed.length === 0 || trimmed.length > MAX_DECIMAL_LENGTH) return null;
  const match = DECIMAL.exec(trimmed);
  if (!match || (match[2] === "" && (match[3] === undefined || match[3] === ""))) return null;
  const fraction = match[3] || "";
  const exponent = match[4] ? Number(match[4]) : 0;
  if (Math.abs(exponent) > MAX_DECIMAL_LENGTH) return null;
  let p = BigInt((match[2] || "0") + fraction);
  let d = fraction.length - exponent;
  if (d < 0) {
    p *= pow10(-d);
    d = 0;
  }
  return { p: match[1] === "-" ? -p : p, d };
}

// n / 2^k (k >= 0) as a decimal with at most `digits` fractional digits: rounded half away from zero,
// trailing zeros trimmed, never "-0".
export function formatDyadic(n, k, digits) {
  const scaled = k >= 0 ? divRound(n * pow10(digits), pow2(k)) : (n << BigInt(-k)) * pow10(digits);
  const negative = scaled < 0n;
  let text = (negative ? -scaled : scaled).toString();
  if (digits > 0) {
    text = text.padStart(digits + 1, "0");
    const whole = text.slice(0, text.length - digits);
    const fraction = text.slice(text.length - digits).replace(/0+$/, "");
    text = fraction ? whole + "." + fraction : whole;
  }
  return negative && /[1-9]/.test(text) ? "-" + text : text;
}

// ---------- positions and complex numbers ----------

// The complex number at position {x, y, q}: each part as {n, k}, value n / 2^k.
//   re = C.re + S (u - 1/2),  im = C.im - S (v - 1/2)   (MAPS.md)
export function complexAt(frame, position) {
  const { x, y, q } = position;
  const one = pow2(q);
  const k = q + 1 - frame.E;
  return {
    re: { n: frame.cr * pow2(q + 1) + frame.s * (TWO * x - one), k },
    im: { n: frame.ci * pow2(q + 1) - frame.s * (TWO * y - one), k },
  };
}

// The position {x, y, q} nearest the complex number re + i im given as decimals {p, d}.
export function positionOf(frame, re, im, q) {
  const scale = pow2(-frame.E);
  const offset = (value, c) => divRound((value.p * scale - c * pow10(value.d)) * pow2(q), pow10(value.d) * frame.s);
  const half = pow2(q - 1);
  return { x: half + offset(re, frame.cr), y: half - offset(im, frame.ci), q };
}

// The position moved into the map's square grown by `pad` of its size (nonsense like re=1e300 lands on the edge).
export function clampToMap(position, pad) {
  const n = pow2(position.q);
  const grow = (n * BigInt(Math.round(pad * 1000))) / 1000n;
  const clamp = (value) => (value < -grow ? -grow : value > n + grow ? n + grow : value);
  return { x: clamp(position.x), y: clamp(position.y), q: position.q };
}

// Pixel size at zoom z, log10 (doubles are plenty for this: it only chooses how many digits to print).
export function log10Pixel(frame, zoom) {
  return Math.log10(frame.span / frame.tileSize) - zoom * Math.log10(2);
}

// Fractional digits that resolve `fraction` of a pixel at zoom z.
export function digitsFor(frame, zoom, fraction) {
  return Math.max(1, Math.ceil(-log10Pixel(frame, zoom) - Math.log10(fraction)));
}

export function formatComplexAt(frame, position, digits) {
  const c = complexAt(frame, position);
  return { re: formatDyadic(c.re.n, c.re.k, digits), im: formatDyadic(c.im.n, c.im.k, digits) };
}

// ---------- the anchor: Leaflet's small local world ----------
//
// Leaflet only ever sees local coordinates: lx, ly in units of one tile of level b, measured from the
// corner of tile (X0, Y0) of that level. Leaflet's zoom l shows the real zoom b + l, and its tile (x, y) at
// zoom l is the real tile (X0 * 2^l + x, Y0 * 2^l + y).

// The anchor at level b whose 2x2 block of tiles has the position in its middle (clamped to the grid).
export function anchorAround(position, b) {
  const n = pow2(b);
  const pick = (value) => {
    const nearest = floorShift(value + (position.q - b > 0 ? pow2(position.q - b - 1) : 0n), position.q - b);
    const lowest = n >= 2n ? n - 2n : 0n;
    const origin = nearest - 1n;
    return origin < 0n ? 0n : origin > lowest ? lowest : origin;
  };
  return { b, x0: pick(position.x), y0: pick(position.y) };
}

// Position -> local {lx, ly} (doubles).
export function localOf(anchor, position) {
  const shift = position.q - anchor.b;
  if (shift >= 0) {
    return {
      lx: toNumber(position.x - (anchor.x0 << BigInt(shift)), shift),
      ly: toNumber(position.y - (anchor.y0 << BigInt(shift)), shift),
    };
  }
  return {
    lx: toNumber((position.x << BigInt(-shift)) - anchor.x0, 0),
    ly: toNumber((position.y << BigInt(-shift)) - anchor.y0, 0),
  };
}

// Local {lx, ly} -> the exact position (doubles are dyadic, so nothing is lost).
export function positionOfLocal(anchor, lx, ly) {
  const sx = splitDouble(lx), sy = splitDouble(ly);
  const extra = Math.max(0, -sx.e, -sy.e);
  const q = anchor.b + extra;
  const part = (origin, split) => (origin << BigInt(extra)) + (split.m << BigInt(split.e + extra));
  return { x: part(anchor.x0, sx), y: part(anchor.y0, sy), q };
}

// The real tile under local tile (x, y) at Leaflet zoom l, or null when it lies outside the map's grid.
export function realTile(anchor, l, x, y) {
  const z = anchor.b + l;
  const X = (anchor.x0 << BigInt(l)) + BigInt(x);
  const Y = (anchor.y0 << BigInt(l)) + BigInt(y);
  const n = pow2(z);
  if (X < 0n || Y < 0n || X >= n || Y >= n) return null;
  return { z, x: X, y: Y };
}

// The local box [lo, hi] (level-b tile units) of the map's square grown by `pad` of its size, cut to
// +-limit around the anchor so that Leaflet's numbers stay small at any depth.
export function localBox(anchor, pad, limit) {
  const n = pow2(anchor.b) * 1000n; // thousandths of a level-b tile
  const grow = (n * BigInt(Math.round(pad * 1000))) / 1000n;
  const l = BigInt(limit) * 1000n;
  const cut = (value) => Number(value < -l ? -l : value > l ? l : value) / 1000;
  const side = (origin) => [cut(-origin * 1000n - grow), cut(n - origin * 1000n + grow)];
  return { x: side(anchor.x0), y: side(anchor.y0) };
}

export function sameAnchor(a, b) {
  return !!a && !!b && a.b === b.b && a.x0 === b.x0 && a.y0 === b.y0;
}

// The tile layer's wait before retrying a tile (Public/tile-layer.js): Retry-After in seconds or as a date, bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { retryDelaySeconds } from "../../Public/tile-layer.js";

const within = (value, low, high) => value >= low && value <= high;

test("Retry-After seconds, with up to 30% jitter so that waiting clients do not return together", () => {
  for (let i = 0; i < 50; i++) assert.ok(within(retryDelaySeconds("2", 1), 2, 2.6));
});

test("Retry-After as an HTTP date", () => {
  const date = new Date(Date.now() + 5000).toUTCString();
  assert.ok(within(retryDelaySeconds(date, 1), 3.9, 6.5));
});

test("no header: back off with the attempt number; every wait between 0.5 s and 30 s", () => {
  assert.ok(within(retryDelaySeconds(null, 3), 3, 3.9));
  assert.ok(within(retryDelaySeconds(null, 50), 8, 10.4));
  assert.ok(within(retryDelaySeconds("0", 1), 0.5, 0.65));
  assert.ok(within(retryDelaySeconds("86400", 1), 30, 39));
  assert.ok(within(retryDelaySeconds("soon", 2), 2, 2.6));
});

import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveConcurrency, FixedConcurrency } from '../src/concurrency';
import type { AdaptiveConcurrencyOptions } from '../src/concurrency';

/** An AdaptiveConcurrency on a hand-driven clock. */
function harness(options: AdaptiveConcurrencyOptions & { maxConcurrency: number }) {
  let nowMs = 0;
  const limiter = new AdaptiveConcurrency(options, () => nowMs);
  return {
    limiter,
    advance(ms: number) {
      nowMs += ms;
    },
    /** One response; `atLimit` makes inFlightAtStart equal to the current limit. */
    respond(
      rttMs: number,
      opts: { backpressure?: boolean; atLimit?: boolean; inFlight?: number } = {},
    ) {
      const inFlightAtStart = opts.inFlight ?? (opts.atLimit === false ? 0 : limiter.limit);
      limiter.onResponse({ rttMs, backpressure: opts.backpressure ?? false, inFlightAtStart });
      return limiter.limit;
    },
    /** Ends a window with one response: advances the clock far past any window length first. */
    window(
      rttMs: number,
      opts: { backpressure?: boolean; atLimit?: boolean; inFlight?: number } = {},
    ) {
      nowMs += 1_000_000;
      limiter.onResponse({
        rttMs,
        backpressure: opts.backpressure ?? false,
        inFlightAtStart: opts.inFlight ?? (opts.atLimit === false ? 0 : limiter.limit),
      });
      return limiter.limit;
    },
  };
}

describe('AdaptiveConcurrency', () => {
  test('starts at 1 by default, at initialConcurrency when given, never above max', () => {
    assert.equal(harness({ maxConcurrency: 50 }).limiter.limit, 1);
    assert.equal(harness({ maxConcurrency: 50, initialConcurrency: 8 }).limiter.limit, 8);
    assert.equal(harness({ maxConcurrency: 4, initialConcurrency: 8 }).limiter.limit, 4);
  });

  test('rises by exactly one per window when the limit was reached and RTT is steady', () => {
    const h = harness({ maxConcurrency: 100 });
    const limits: number[] = [];
    for (let i = 0; i < 10; i++) limits.push(h.window(100, { atLimit: true }));
    assert.deepEqual(limits, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test('rises when the window RTT is below the past mean', () => {
    const h = harness({ maxConcurrency: 100 });
    assert.equal(h.window(100), 2);
    assert.equal(h.window(80), 3);
    assert.equal(h.window(50), 4);
  });

  test('does not rise when the limit was not reached', () => {
    const h = harness({ maxConcurrency: 100, initialConcurrency: 5 });
    const limits: number[] = [];
    for (let i = 0; i < 5; i++) limits.push(h.window(100, { inFlight: 4 }));
    assert.deepEqual(limits, [5, 5, 5, 5, 5]);
    // inFlightAtStart equal to the limit counts as reached.
    assert.equal(h.window(100, { inFlight: 5 }), 6);
    // More than the limit (the limit fell while requests were out) also counts.
    assert.equal(h.window(100, { inFlight: 9 }), 7);
  });

  test('one sample at the limit anywhere in a window is enough to rise', () => {
    const h = harness({ maxConcurrency: 100, initialConcurrency: 3 });
    assert.equal(h.window(100, { inFlight: 1 }), 3); // first window: sets past mean 100
    h.advance(10);
    assert.equal(h.respond(100, { inFlight: 3 }), 3); // inside the window: no change yet
    h.advance(10);
    assert.equal(h.respond(100, { inFlight: 1 }), 3);
    h.advance(100);
    assert.equal(h.respond(100, { inFlight: 1 }), 4); // window over; it had reached the limit
  });

  test('does not rise when the window RTT is above the past mean (within the deviation band)', () => {
    const h = harness({ maxConcurrency: 100 });
    // Window 1: past mean := 100, variance 0. Limit 1 -> 2.
    assert.equal(h.window(100), 2);
    // Window 2: 150 > 100 + 2.5 * 0: RTT growth, 2 -> floor(1.8) = 1.
    //   past mean := 100 + 0.4 * 50 = 120; variance := 0.6 * (0 + 0.4 * 50^2) = 600 (σ ≈ 24.5).
    assert.equal(h.window(150), 1);
    // Window 3: 130 is above the mean 120 but below 120 + 2.5 σ ≈ 181: neither rise nor fall.
    //   past mean := 124; variance := 0.6 * (600 + 0.4 * 100) = 384 (σ ≈ 19.6).
    assert.equal(h.window(130), 1);
    assert.equal(h.window(125), 1); // 125 > 124: still no rise
    // Back at or below the mean: rises again.
    assert.equal(h.window(110), 2);
  });

  test('falls when the window RTT jumps above mean + 2.5 σ, and not just inside the band', () => {
    const h = harness({ maxConcurrency: 100, initialConcurrency: 20 });
    assert.equal(h.window(100, { atLimit: false }), 20); // past mean 100, variance 0
    assert.equal(h.window(150, { atLimit: false }), 18); // above 100 + 0: floor(20 * 0.9)
    // past mean 120, σ = sqrt(600) ≈ 24.495: the band ends at ≈ 181.24.
    assert.equal(h.window(181, { atLimit: false }), 18);
    // past mean := 120 + 0.4 * 61 = 144.4; variance := 0.6 * (600 + 0.4 * 61^2) = 1253.04 (σ ≈ 35.4)
    // band ends at ≈ 232.9.
    assert.equal(h.window(240, { atLimit: false }), 16); // floor(18 * 0.9) = 16
    assert.equal(h.window(5_000, { atLimit: true }), 14); // a jump falls even at the limit
  });

  test('the deviation scale is configurable', () => {
    // Same history as above, but a band 10 σ wide: 240 is inside it.
    const h = harness({ maxConcurrency: 100, initialConcurrency: 20, rttDeviationScale: 10 });
    assert.equal(h.window(100, { atLimit: false }), 20);
    assert.equal(h.window(150, { atLimit: false }), 18);
    assert.equal(h.window(181, { atLimit: false }), 18);
    assert.equal(h.window(240, { atLimit: false }), 18);
  });

  test('falls multiplicatively (floor) on back-pressure, never below 1', () => {
    const h = harness({ maxConcurrency: 100, initialConcurrency: 10 });
    const limits: number[] = [];
    for (let i = 0; i < 11; i++) limits.push(h.window(100, { backpressure: true }));
    assert.deepEqual(limits, [9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 1]);
  });

  test('the decrease ratio is configurable', () => {
    const h = harness({ maxConcurrency: 100, initialConcurrency: 64, decreaseRatio: 0.5 });
    const limits: number[] = [];
    for (let i = 0; i < 8; i++) limits.push(h.window(100, { backpressure: true }));
    assert.deepEqual(limits, [32, 16, 8, 4, 2, 1, 1, 1]);
    const h2 = harness({ maxConcurrency: 100, initialConcurrency: 37, decreaseRatio: 0.75 });
    assert.equal(h2.window(100, { backpressure: true }), 27); // floor(27.75)
  });

  test('back-pressure wins over a window that reached the limit with a low RTT', () => {
    const h = harness({ maxConcurrency: 100, initialConcurrency: 10 });
    assert.equal(h.window(100), 11);
    assert.equal(h.window(10, { backpressure: true, atLimit: true }), 9); // floor(9.9)
  });

  test('back-pressure seen mid-window takes effect once, when the window ends', () => {
    const h = harness({ maxConcurrency: 100, initialConcurrency: 10 });
    assert.equal(h.window(100, { atLimit: false }), 10); // past mean 100: windows last 100 ms
    h.advance(10);
    assert.equal(h.respond(100, { backpressure: true }), 10);
    h.advance(10);
    assert.equal(h.respond(100, { backpressure: true }), 10);
    h.advance(80);
    assert.equal(h.respond(100, { atLimit: false }), 9); // one decrease for the window
    // The next window starts clean.
    h.advance(100);
    assert.equal(h.respond(100), 10);
  });

  test('a window averages its samples', () => {
    // Samples 40 and 140 average 90 <= 100: a rise. Judging by the last sample alone would fall.
    const h = harness({ maxConcurrency: 100, initialConcurrency: 4 });
    assert.equal(h.window(100, { atLimit: false }), 4);
    h.advance(50);
    assert.equal(h.respond(40), 4);
    h.advance(50);
    assert.equal(h.respond(140), 5);
    // Samples 100 and 300 (mean 200) in a window: a fall, though the first alone would not be.
    h.advance(50);
    assert.equal(h.respond(100), 5);
    h.advance(100);
    assert.equal(h.respond(300), 4);
  });

  test('never exceeds maxConcurrency', () => {
    const h = harness({ maxConcurrency: 3 });
    const limits: number[] = [];
    for (let i = 0; i < 6; i++) limits.push(h.window(100));
    assert.deepEqual(limits, [2, 3, 3, 3, 3, 3]);
  });

  test('a long random run stays within [1, max]', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const h = harness({ maxConcurrency: 12 });
    let sawMax = false;
    for (let i = 0; i < 5_000; i++) {
      h.advance(Math.floor(random() * 200));
      const limit = h.respond(50 + random() * 100, {
        backpressure: random() < 0.05,
        inFlight: Math.floor(random() * 14),
      });
      assert.ok(Number.isInteger(limit) && limit >= 1 && limit <= 12, `step ${i}: limit ${limit}`);
      if (limit === 12) sawMax = true;
    }
    assert.ok(sawMax, 'the run reached the ceiling at least once');
  });
});

describe('FixedConcurrency', () => {
  for (const n of [1, 4, 64]) {
    test(`stays at ${n} whatever the responses`, () => {
      const fixed = new FixedConcurrency(n);
      assert.equal(fixed.limit, n);
      fixed.onResponse();
      for (const sample of [
        { rttMs: 10, backpressure: true, inFlightAtStart: n },
        { rttMs: 100_000, backpressure: false, inFlightAtStart: n },
        { rttMs: 1, backpressure: false, inFlightAtStart: n + 5 },
      ]) {
        (fixed.onResponse as (s: typeof sample) => void)(sample);
        assert.equal(fixed.limit, n);
      }
    });
  }
});

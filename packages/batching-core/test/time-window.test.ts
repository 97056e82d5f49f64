import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HrTime } from '@opentelemetry/api';
import { OutsideTimeWindowError, checkTimeWindow } from '../src';

const NOW_MS = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const MINUTE_MS = 60_000;

/** The SDK time `offsetMs` from NOW_MS, with a sub-millisecond part as the SDK gives it. */
function at(offsetMs: number): HrTime {
  const ms = NOW_MS + offsetMs;
  return [Math.floor(ms / 1000), (ms % 1000) * 1_000_000];
}

describe('checkTimeWindow', () => {
  const WINDOW = { maxAgeMs: 24 * 60 * MINUTE_MS, maxAheadMs: 10 * MINUTE_MS };
  const ROWS: [string, number, RegExp | undefined][] = [
    ['now', 0, undefined],
    ['exactly the oldest accepted', -WINDOW.maxAgeMs, undefined],
    [
      '1 ms older than the window',
      -WINDOW.maxAgeMs - 1,
      /^the item is from 24 h ago; Backend drops anything older than 24 h$/,
    ],
    ['90 min old, said in minutes', -90 * MINUTE_MS, undefined],
    ['exactly the furthest ahead accepted', WINDOW.maxAheadMs, undefined],
    [
      '1 ms further ahead',
      WINDOW.maxAheadMs + 1,
      /^the item is from 10 min ahead of this host's clock; Backend drops anything more than 10 min ahead$/,
    ],
  ];
  for (const [name, offsetMs, refusal] of ROWS) {
    it(`${name}: ${refusal ? 'refused with the reason' : 'accepted'}`, () => {
      const check = () =>
        checkTimeWindow('the item is from', at(offsetMs), WINDOW, 'Backend', NOW_MS);
      if (!refusal) return assert.doesNotThrow(check);
      assert.throws(
        check,
        (error: unknown) =>
          error instanceof OutsideTimeWindowError &&
          error.code === 'OTELPACK_OUTSIDE_TIME_WINDOW' &&
          refusal.test(error.message),
      );
    });
  }

  it('an unbounded side (Infinity) accepts any time on that side', () => {
    const window = { maxAgeMs: MINUTE_MS, maxAheadMs: Number.POSITIVE_INFINITY };
    assert.doesNotThrow(() =>
      checkTimeWindow('x', at(10 * 365 * 24 * 60 * MINUTE_MS), window, 'B', NOW_MS),
    );
    assert.throws(
      () => checkTimeWindow('x', at(-2 * MINUTE_MS), window, 'B', NOW_MS),
      OutsideTimeWindowError,
    );
  });
});

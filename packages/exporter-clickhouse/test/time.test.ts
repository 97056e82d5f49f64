import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HrTime } from '@opentelemetry/api';
import {
  MAX_TIMESTAMP_SECONDS,
  MappingError,
  durationNanos,
  timestampText,
  toTimestamp9,
} from '../src/mapping/time';

test('toTimestamp9 keeps an SDK HrTime exact and normalises odd ones', () => {
  const cases: [string, HrTime, [number, number]][] = [
    ['ordinary', [1_700_000_000, 123_456_789], [1_700_000_000, 123_456_789]],
    ['zero (unset)', [0, 0], [0, 0]],
    ['last nanosecond of a second', [1_700_000_000, 999_999_999], [1_700_000_000, 999_999_999]],
    ['nanoseconds overflowing into seconds', [10, 2_500_000_000], [12, 500_000_000]],
    ['negative nanoseconds borrowing a second', [10, -1], [9, 999_999_999]],
    ['fractional nanoseconds rounded', [10, 1.6], [10, 2]],
    ['fractional seconds folded into nanoseconds', [10.25, 0], [10, 250_000_000]],
    ['before 1970 clamped to the epoch', [-5, 0], [0, 0]],
    ['past 2262 clamped to the last second', [1e12, 5], [MAX_TIMESTAMP_SECONDS, 0]],
  ];
  for (const [name, input, expected] of cases) {
    assert.deepEqual(toTimestamp9(input, 'time'), expected, name);
  }
});

test('toTimestamp9 refuses a time it cannot give a meaning to, naming the field', () => {
  for (const bad of [[NaN, 0], [0, Infinity], [-Infinity, 0], undefined] as unknown as HrTime[]) {
    assert.throws(
      () => toTimestamp9(bad, 'span startTime'),
      (error: unknown) => {
        assert.ok(error instanceof MappingError);
        assert.match(error.message, /^span startTime is not a finite HrTime/);
        return true;
      },
    );
  }
});

test('timestampText is the Unix time with nine decimals, exact to the nanosecond', () => {
  assert.equal(timestampText([1_700_000_000, 123_456_789]), '1700000000.123456789');
  assert.equal(timestampText([1_700_000_000, 1]), '1700000000.000000001');
  assert.equal(timestampText([0, 0]), '0.000000000');
  assert.equal(timestampText([9_223_372_035, 999_999_999]), '9223372035.999999999');
});

test('durationNanos is exact, BigInt beyond double precision, and never negative', () => {
  assert.equal(durationNanos([100, 0], [100, 1]), 1);
  assert.equal(durationNanos([100, 999_999_999], [101, 0]), 1);
  assert.equal(durationNanos([1_700_000_000, 5], [1_700_000_003, 7]), 3_000_000_002);
  assert.equal(durationNanos([0, 1], [9_000_000, 0]), 8_999_999_999_999_999n);
  assert.equal(durationNanos([100, 5], [100, 5]), 0);
  assert.equal(durationNanos([100, 5], [99, 999_999_999]), 0, 'end before start');
});

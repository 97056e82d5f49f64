import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HrTime } from '@opentelemetry/api';
import {
  dateSuffix,
  durationNanos,
  epochMillis,
  epochMillisWithNanos,
  isZeroTime,
  isoNanos,
} from '../src/mapping/time';

test('hrTime conversions, including invalid pairs read as zero', () => {
  const cases: [string, HrTime, string, string, number][] = [
    [
      'exact second',
      [1705314600, 0],
      '1705314600000.000000',
      '2024-01-15T10:30:00.000000000Z',
      1705314600000,
    ],
    [
      '5 ns',
      [1705314600, 5],
      '1705314600000.000005',
      '2024-01-15T10:30:00.000000005Z',
      1705314600000,
    ],
    [
      '123456789 ns',
      [1705314600, 123456789],
      '1705314600123.456789',
      '2024-01-15T10:30:00.123456789Z',
      1705314600123,
    ],
    [
      'nanos over a second carry',
      [1705314600, 1_500_000_000],
      '1705314601500.000000',
      '2024-01-15T10:30:01.500000000Z',
      1705314601500,
    ],
    ['NaN is zero', [NaN, 1], '0.000000', '1970-01-01T00:00:00.000000000Z', 0],
    ['negative is zero', [-5, 0], '0.000000', '1970-01-01T00:00:00.000000000Z', 0],
    ['Infinity is zero', [Infinity, 0], '0.000000', '1970-01-01T00:00:00.000000000Z', 0],
    ['beyond a Date is zero', [9e15, 0], '0.000000', '1970-01-01T00:00:00.000000000Z', 0],
    [
      'fractional nanos are dropped',
      [1, 1.9],
      '1000.000001',
      '1970-01-01T00:00:01.000000001Z',
      1000,
    ],
  ];
  for (const [name, time, millisNanos, iso, millis] of cases) {
    assert.equal(epochMillisWithNanos(time), millisNanos, name);
    assert.equal(isoNanos(time), iso, name);
    assert.equal(epochMillis(time), millis, name);
  }
  assert.equal(isZeroTime([0, 0]), true);
  assert.equal(isZeroTime(undefined), true);
  assert.equal(isZeroTime([0, 1]), false);
});

test('durations in nanoseconds; date suffixes in UTC', () => {
  assert.equal(durationNanos([0, 150_000_000]), 150_000_000);
  assert.equal(durationNanos([2, 5]), 2_000_000_005);
  assert.equal(dateSuffix([1705363199, 0], 'daily'), '2024.01.15'); // 23:59:59 UTC
  assert.equal(dateSuffix([1705363200, 0], 'daily'), '2024.01.16');
  assert.equal(dateSuffix([1705363200, 0], 'monthly'), '2024.01');
});

test('epochMillisWithNanos gives each pair its own text when pairs repeat and alternate', () => {
  // The last pair's text is reused: a pair that differs in either part must not get it.
  const sequence: [HrTime, string][] = [
    [[1705314600, 5_000_000], '1705314600005.000000'],
    [[1705314600, 5_000_000], '1705314600005.000000'],
    [[1705314600, 5_000_001], '1705314600005.000001'],
    [[1705314601, 5_000_001], '1705314601005.000001'],
    [[1705314600, 5_000_000], '1705314600005.000000'],
    [[NaN, 5_000_000], '0.000000'],
    [[NaN, 5_000_000], '0.000000'],
    [[1705314600, 5_000_000], '1705314600005.000000'],
  ];
  for (const [time, text] of sequence) assert.equal(epochMillisWithNanos(time), text);
  assert.equal(epochMillisWithNanos(undefined), '0.000000');
  assert.equal(epochMillisWithNanos([1705314600, 5_000_000]), '1705314600005.000000');
});

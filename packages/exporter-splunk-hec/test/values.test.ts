import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { epochNanosText, epochSecondsMs, formatFloatG } from '../src';
import { hr } from './helpers/items';

const METRIC_TESTS = 'exporter/splunkhecexporter/metricdata_to_splunk_test.go';
const LOG_TESTS = 'exporter/splunkhecexporter/logdata_to_splunk_test.go';

describe('time: seconds with millisecond precision, as the Collector rounds', () => {
  const ROWS: [string, bigint, number, string][] = [
    ['TestTimestampFormat', 32_001_000_345n, 32.001, METRIC_TESTS],
    ['TestTimestampFormatRounding', 32_001_999_345n, 32.002, METRIC_TESTS],
    [
      'TestTimestampFormatRoundingWithNanos',
      9_999_999_999_991_500_001n,
      9999999999.992,
      METRIC_TESTS,
    ],
    ['TestNilTimeWhenTimestampIsZero', 0n, 0, METRIC_TESTS],
    ['Test_nanoTimestampToEpochMilliseconds 1.001', 1_001_000_000n, 1.001, LOG_TESTS],
    ['Test_nanoTimestampToEpochMilliseconds 1.002', 1_001_990_000n, 1.002, LOG_TESTS],
    ['a carry into the next second', 1_999_600_000n, 2, 'Go time.Duration.Round'],
  ];
  for (const [name, nanos, seconds, source] of ROWS) {
    it(`${name} (${source})`, () => assert.equal(epochSecondsMs(hr(nanos)), seconds));
  }

  it('nanoseconds past 2^53 keep every digit', () => {
    assert.equal(epochNanosText(hr(1_700_000_000_123_456_789n)), '1700000000123456789');
    assert.equal(epochNanosText(hr(123n)), '123');
  });
});

describe("formatFloatG: Go's strconv.FormatFloat(f, 'g', -1, 64)", () => {
  const ROWS: [number, string][] = [
    [1, '1'],
    [2.5, '2.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [100000, '100000'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [1.5e-7, '1.5e-07'],
    [1e21, '1e+21'],
    [-250, '-250'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ];
  for (const [value, text] of ROWS)
    it(`${value} → ${text}`, () => assert.equal(formatFloatG(value), text));
});

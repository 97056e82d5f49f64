import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uncompress } from 'snappyjs';
import {
  REMOTE_WRITE_HEADERS,
  encodeWriteRequest,
  remoteWriteBody,
} from '../../src/protocols/remote-write';
import type { RemoteWriteSeries } from '../../src/protocols/remote-write';

/*
 * The expected bytes were worked out by hand from the protobuf encoding rules (tag =
 * field << 3 | wire type; varints little-endian base 128; doubles as 8 bytes little-endian;
 * proto3 fields holding their default left out), not produced by the encoder under test.
 */

function hex(...parts: string[]): string {
  return parts.join('').replace(/\s+/g, '');
}

const NAME = '0a 08 5f 5f 6e 61 6d 65 5f 5f'; // Label.name "__name__"

const cases: { name: string; series: RemoteWriteSeries[]; expected: string }[] = [
  { name: 'no series: an empty message', series: [], expected: '' },
  {
    name: 'up{job="a"} 1 @1000',
    series: [
      {
        labels: [
          { name: '__name__', value: 'up' },
          { name: 'job', value: 'a' },
        ],
        samples: [{ value: 1, timestampMs: 1000 }],
      },
    ],
    expected: hex(
      '0a 28', // WriteRequest.timeseries (field 1, length-delimited), 40 bytes
      '0a 0e', // TimeSeries.labels, 14 bytes
      NAME,
      '12 02 75 70', // Label.value "up"
      '0a 08', // TimeSeries.labels, 8 bytes
      '0a 03 6a 6f 62', // Label.name "job"
      '12 01 61', // Label.value "a"
      '12 0c', // TimeSeries.samples (field 2), 12 bytes
      '09 00 00 00 00 00 00 f0 3f', // Sample.value (field 1, fixed64) 1.0
      '10 e8 07', // Sample.timestamp (field 2, varint) 1000 = 0x68|0x80, 7
    ),
  },
  {
    name: 'two series, two samples, a realistic timestamp, UTF-8 and ±Inf',
    series: [
      {
        labels: [
          { name: '__name__', value: 'm' },
          { name: 'k', value: 'é' },
        ],
        samples: [
          { value: 42.5, timestampMs: 1_700_000_000_000 },
          { value: Infinity, timestampMs: 1_700_000_000_001 },
        ],
      },
      { labels: [{ name: '__name__', value: 'n' }], samples: [{ value: -0, timestampMs: 1 }] },
    ],
    expected: hex(
      '0a 3c', // timeseries, 60 bytes = 15 + 9 + 18 + 18
      '0a 0d', // labels, 13 bytes
      NAME,
      '12 01 6d', // Label value "m"
      '0a 07', // labels, 7 bytes
      '0a 01 6b', // Label.name "k"
      '12 02 c3 a9', // Label value "é" is two bytes in UTF-8
      '12 10', // samples, 16 bytes
      '09 00 00 00 00 00 40 45 40', // 42.5
      '10 80 d0 95 ff bc 31', // 1_700_000_000_000 in six varint bytes
      '12 10', // samples, 16 bytes
      '09 00 00 00 00 00 00 f0 7f', // +Inf
      '10 81 d0 95 ff bc 31', // 1_700_000_000_001
      '0a 1c', // timeseries, 28 bytes = 15 + 13
      '0a 0d', // labels, 13 bytes
      NAME,
      '12 01 6e', // Label value "n"
      '12 0b', // samples, 11 bytes
      '09 00 00 00 00 00 00 00 80', // -0 differs from the default 0 in its sign bit: kept
      '10 01', // timestamp 1
    ),
  },
  {
    name: 'defaults left out: value 0, timestamp 0, empty label value',
    series: [
      {
        labels: [{ name: 'e', value: '' }],
        samples: [{ value: 0, timestampMs: 0 }],
      },
    ],
    expected: hex(
      '0a 07', // timeseries, 7 bytes
      '0a 03 0a 01 65', // labels, 3 bytes: only Label.name "e"
      '12 00', // samples, an empty Sample
    ),
  },
  {
    name: 'negative timestamp: int64 two’s complement, ten varint bytes, no zig-zag',
    series: [{ labels: [], samples: [{ value: 0, timestampMs: -1 }] }],
    expected: hex('0a 0d', '12 0b', '10 ff ff ff ff ff ff ff ff ff 01'),
  },
];

test('WriteRequest bytes match the hand-computed encoding', () => {
  for (const { name, series, expected } of cases) {
    assert.equal(encodeWriteRequest(series).toString('hex'), expected, name);
  }
});

test('lengths of 128 and more take two varint bytes at every nesting level', () => {
  const value = 'x'.repeat(200);
  const bytes = encodeWriteRequest([{ labels: [{ name: 'a', value }], samples: [] }]);
  // Label = 0a 01 61 + 12 c8 01 + 200 bytes = 206 (ce 01); TimeSeries = 0a ce 01 + 206 = 209 (d1 01).
  assert.equal(bytes.length, 3 + 209);
  assert.equal(
    bytes.subarray(0, 12).toString('hex'),
    hex('0a d1 01', '0a ce 01', '0a 01 61', '12 c8 01'),
  );
  assert.equal(bytes.subarray(12).toString('latin1'), value);
});

test('a timestamp that is not a whole number of milliseconds is refused, not truncated', () => {
  assert.throws(
    () => encodeWriteRequest([{ labels: [], samples: [{ value: 1, timestampMs: 1.5 }] }]),
    /1\.5/,
  );
});

test('the body is snappy block format of the WriteRequest, not the framed format', () => {
  const series = cases[1].series;
  const body = remoteWriteBody(series);
  // A block starts with the uncompressed length as a varint (40 + 2 = 42 = 0x2a); the framed
  // format would start with its stream identifier chunk ff 06 00 00 73 4e 61 50 70 59.
  assert.equal(body[0], 0x2a);
  assert.notEqual(body[0], 0xff);
  assert.deepEqual(uncompress(body), encodeWriteRequest(series));
});

test('the three remote-write 1.0 headers', () => {
  assert.deepEqual(
    { ...REMOTE_WRITE_HEADERS },
    {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
    },
  );
});

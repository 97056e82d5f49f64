import { compress } from 'snappyjs';

/*
 * A Prometheus remote-write 1.0 request, built by hand, for the integration tests.
 *
 * It is deliberately independent of the exporter's encoder: the smoke tests use it to prove that
 * the backends accept what the protocol describes, so a bug in the exporter cannot hide behind
 * the same bug in the test. It writes exactly what it is given — labels in the given order, with
 * duplicates or empty values if asked — so that tests can also build requests a backend must
 * refuse. Sorting and validating labels is the exporter's job, not this file's.
 *
 * Wire format (prometheus/prompb/types.proto, remote.proto):
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in ms
 */

export interface RemoteWriteLabel {
  name: string;
  value: string;
}

export interface RemoteWriteSample {
  value: number;
  timestampMs: number;
}

export interface RemoteWriteSeries {
  labels: RemoteWriteLabel[];
  samples: RemoteWriteSample[];
}

/** The three headers remote write 1.0 requires on every request. */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Encoding': 'snappy',
  'Content-Type': 'application/x-protobuf',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
});

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;

function tag(field: number, wireType: number): number[] {
  return varint(BigInt((field << 3) | wireType));
}

/**
 * Base-128 varint of an unsigned 64-bit value. int64 fields are not zig-zag encoded: a negative
 * value is its two's complement, which always takes ten bytes.
 */
function varint(value: bigint): number[] {
  let rest = BigInt.asUintN(64, value);
  const bytes: number[] = [];
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return bytes;
}

function lengthDelimited(field: number, payload: Uint8Array | number[]): number[] {
  return [...tag(field, WIRE_LENGTH_DELIMITED), ...varint(BigInt(payload.length)), ...payload];
}

/*
 * proto3 fields have implicit presence: an encoder leaves out a field that holds its default
 * (0, "", empty). Doing the same keeps these bytes identical to what protobuf libraries emit,
 * which the exporter's tests can then compare against.
 */

function stringField(field: number, value: string): number[] {
  if (value === '') return [];
  return lengthDelimited(field, Buffer.from(value, 'utf8'));
}

function doubleField(field: number, value: number): number[] {
  // -0 differs from the default in its bits, so protobuf encoders keep it; so does this one.
  if (Object.is(value, 0)) return [];
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleLE(value);
  return [...tag(field, WIRE_FIXED64), ...bytes];
}

function int64Field(field: number, value: number): number[] {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`timestamp ${value} is not an integer number of milliseconds`);
  }
  if (value === 0) return [];
  return [...tag(field, WIRE_VARINT), ...varint(BigInt(value))];
}

function encodeLabel(label: RemoteWriteLabel): number[] {
  return [...stringField(1, label.name), ...stringField(2, label.value)];
}

function encodeSample(sample: RemoteWriteSample): number[] {
  return [...doubleField(1, sample.value), ...int64Field(2, sample.timestampMs)];
}

function encodeSeries(series: RemoteWriteSeries): number[] {
  const bytes: number[] = [];
  for (const label of series.labels) bytes.push(...lengthDelimited(1, encodeLabel(label)));
  for (const sample of series.samples) bytes.push(...lengthDelimited(2, encodeSample(sample)));
  return bytes;
}

/** The protobuf WriteRequest, uncompressed. */
export function encodeWriteRequest(series: RemoteWriteSeries[]): Buffer {
  const bytes: number[] = [];
  for (const one of series) bytes.push(...lengthDelimited(1, encodeSeries(one)));
  return Buffer.from(bytes);
}

/** The request body: the WriteRequest in snappy's block format (remote write never uses framing). */
export function remoteWriteBody(series: RemoteWriteSeries[]): Buffer {
  return compress(encodeWriteRequest(series));
}

/** Sends series to a remote-write endpoint and returns the status and the answer's text. */
export async function postRemoteWrite(
  url: string,
  body: Buffer,
  headers: Record<string, string> = { ...REMOTE_WRITE_HEADERS },
): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text() };
}

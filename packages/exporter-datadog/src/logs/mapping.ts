import {
  boundedValue,
  checkTimeWindow,
  setOwnField,
  textSpoolCodec,
} from '@otelpack/batching-core';
import type {
  AnyValue,
  ReadableLogRecordLike,
  SpoolCodec,
  TimeWindow,
} from '@otelpack/batching-core';
import { attributeText, hostnameFromResource, isUnknownService, tagsFromResource } from '../tags';
import type { ServiceTags } from '../tags';

/*
 * One OpenTelemetry log record → one entry of the Datadog logs intake (`/api/v2/logs`), as
 * Datadog's translator maps OTLP logs (opentelemetry-mapping-go pkg/otlp/logs/transform.go):
 * `message` from a `msg`/`message`/`log` attribute or the body; `status` from a
 * `status`/`severity`/`level`/`syslog.severity` attribute, else the severity text, else the
 * severity number's range; `dd.trace_id`/`dd.span_id` in Datadog's decimal form (the trace id's
 * low 64 bits) beside the OpenTelemetry hex; attributes flattened with `.` (10 levels);
 * resource attributes as text (`hostname`/`service` renamed `otel.hostname`/`otel.service`);
 * `ddtags` from the resource's mapped tags, the configured tags and an attribute `ddtags`.
 */

export type LogEntry = Record<string, string | number | boolean | null>;

/**
 * One intake entry as the JSON text a request carries: serialised once, at mapping, where its
 * size is needed anyway, and joined into requests as it is. `entry` parses it back, for tests and
 * tools that read a record; the export path never does.
 */
export class LogRecord {
  /** JSON bytes of the entry (what the intake's 5 MB counts), plus its comma. */
  readonly bytes: number;
  #timeMs: number | undefined;

  /** `timeMs`: the record's time in ms since the epoch; read from the text when not given. */
  constructor(
    readonly text: string,
    timeMs?: number,
  ) {
    this.bytes = Buffer.byteLength(text) + 1;
    this.#timeMs = timeMs;
  }

  /**
   * The record's time, in ms since the epoch: the sender checks the intake's age limit again
   * when it sends (a record may have waited out retries, or a restart in the spool). A record
   * made again from its text (the spool) reads it from `otel.timestamp`; NaN when it has none.
   */
  get timeMs(): number {
    if (this.#timeMs === undefined) {
      const nanos = this.entry['otel.timestamp'];
      this.#timeMs =
        typeof nanos === 'string' && /^\d+$/.test(nanos) ? Number(BigInt(nanos) / 1_000_000n) : NaN;
    }
    return this.#timeMs;
  }

  get entry(): LogEntry {
    return JSON.parse(this.text) as LogEntry;
  }
}

/**
 * The spool keeps a log record as its text and makes the `LogRecord` again on replay (through
 * V8 it would come back a plain object, without `entry`).
 */
export const logRecordSpoolCodec: SpoolCodec<LogRecord> = textSpoolCodec(
  (record) => record.text,
  (text) => new LogRecord(text),
);

export interface LogMappingOptions {
  source: string;
  globalTags: readonly string[];
  fallback: ServiceTags;
  hostname?: string;
  /** The clock the age limit is measured against, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * The intake takes a log up to 18 hours in the past (https://docs.datadoghq.com/api/latest/logs/send-logs/)
 * and answers 202 for an older one without keeping it: refused here, so it is counted, not lost.
 */
export const LOGS_MAX_AGE_MS = 18 * 60 * 60 * 1_000;
const LOGS_TIME_WINDOW: TimeWindow = {
  maxAgeMs: LOGS_MAX_AGE_MS,
  maxAheadMs: Number.POSITIVE_INFINITY,
};

const MAX_DEPTH = 10;

/** Severity number → Datadog status (transform.go's ranges). */
export function statusFromSeverity(severityNumber: number | undefined): string | undefined {
  if (severityNumber === undefined || severityNumber <= 0) return undefined;
  if (severityNumber <= 4) return 'trace';
  if (severityNumber <= 8) return 'debug';
  if (severityNumber <= 12) return 'info';
  if (severityNumber <= 16) return 'warn';
  if (severityNumber <= 20) return 'error';
  return 'fatal';
}

function valueText(value: AnyValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') {
    // Bounded first (the core's rule for every exporter): a value that refers to itself made
    // JSON.stringify throw, and one that doubles at every level expanded exponentially.
    return JSON.stringify(boundedValue(value), (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
    );
  }
  return String(value);
}

function flatten(prefix: string, value: AnyValue, out: LogEntry, depth: number): void {
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    depth < MAX_DEPTH
  ) {
    for (const [key, inner] of Object.entries(value))
      flatten(`${prefix}.${key}`, inner, out, depth + 1);
    return;
  }
  // Keys come from attributes: assigned, `__proto__` would be lost (setOwnField says why).
  if (typeof value === 'number' || typeof value === 'boolean') setOwnField(out, prefix, value);
  else if (value === null || value === undefined) setOwnField(out, prefix, null);
  else setOwnField(out, prefix, valueText(value));
}

/** Decimal of the low 64 bits of a hex id (Datadog's trace and span id form). */
export function decimalId(hex: string): string {
  return BigInt(`0x${hex.slice(-16) || '0'}`).toString(10);
}

type AttributeMap = Readonly<Record<string, AnyValue>>;

const TRACE_ID_KEYS = ['traceid', 'trace_id', 'contextmap.traceid', 'oteltraceid'];
const SPAN_ID_KEYS = ['spanid', 'span_id', 'contextmap.spanid', 'otelspanid'];

/** The keys transform.go reads whatever their case (strings.ToLower(k)). */
const CASELESS_KEYS = new Set([
  'msg',
  'message',
  'log',
  'status',
  'severity',
  'level',
  'syslog.severity',
  'ddtags',
  ...TRACE_ID_KEYS,
  ...SPAN_ID_KEYS,
]);

/**
 * The attributes transform.go reads by lower-cased key, under that key: those written in
 * another case (`Level`, `MSG`) copied over the ones written in lower case. The same object when
 * none is (the common case: one look at each key, nothing copied).
 */
function withLowerCaseKeys(attributes: AttributeMap): AttributeMap {
  let lowered: Record<string, AnyValue> | undefined;
  for (const key of Object.keys(attributes)) {
    const lower = key.toLowerCase();
    if (lower === key || !CASELESS_KEYS.has(lower)) continue;
    lowered ??= {};
    lowered[lower] = attributes[key];
  }
  if (lowered === undefined) return attributes;
  const merged: Record<string, AnyValue> = {};
  for (const key of CASELESS_KEYS) {
    const value = lowered[key] ?? attributes[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** The first of `keys` whose value is `digits` hex digits (as transform.go decodes it). */
function hexAttribute(
  attributes: AttributeMap,
  keys: readonly string[],
  digits: number,
): string | undefined {
  for (const key of keys) {
    const value = attributes[key];
    if (typeof value === 'string' && value.length === digits && /^[0-9a-fA-F]+$/.test(value)) {
      return value;
    }
  }
  return undefined;
}

export function mapLog(record: ReadableLogRecordLike, options: LogMappingOptions): LogRecord {
  const entry: LogEntry = {};
  const resource = record.resource?.attributes ?? {};
  for (const [key, value] of Object.entries(resource)) {
    const name = key === 'hostname' || key === 'service' ? `otel.${key}` : key;
    setOwnField(entry, name, attributeText(value));
  }
  for (const [key, value] of Object.entries(record.instrumentationScope?.attributes ?? {})) {
    flatten(key, boundedValue(value), entry, 1);
  }
  const attributes = record.attributes ?? {};
  for (const [key, value] of Object.entries(attributes))
    flatten(key, boundedValue(value), entry, 1);

  // transform.go reads these keys whatever their case (strings.ToLower(k)): `Level`, `MSG`.
  const byLowerKey = withLowerCaseKeys(attributes);
  const text = (key: string) => (byLowerKey[key] === undefined ? '' : valueText(byLowerKey[key]));
  entry.message = text('msg') || text('message') || text('log') || valueText(record.body);
  const status =
    text('status') ||
    text('severity') ||
    text('level') ||
    text('syslog.severity') ||
    record.severityText ||
    statusFromSeverity(record.severityNumber);
  if (status) entry.status = status;
  if (record.severityText) entry['otel.severity_text'] = record.severityText;
  if (record.severityNumber !== undefined)
    entry['otel.severity_number'] = String(record.severityNumber);

  const [seconds, nanos] = record.hrTime;
  // The intake answers 202 and then drops a record outside its window: refuse it here, counted.
  checkTimeWindow(
    'the log record is from',
    record.hrTime,
    LOGS_TIME_WINDOW,
    "Datadog's logs intake",
    (options.now ?? Date.now)(),
  );
  // Exact from the two integers: a double rounds 999.999999 ms up to the next millisecond.
  const ns = BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
  entry['@timestamp'] = new Date(Number(ns / 1_000_000n)).toISOString();
  entry['otel.timestamp'] = ns.toString();
  const timeMs = Number(ns / 1_000_000n);

  // Ids a logger wrote as attributes (transform.go: traceid, trace_id, contextmap.traceid,
  // oteltraceid, and the span's alike), 32 and 16 hex digits; the record's own context wins.
  const attributeTraceId = hexAttribute(byLowerKey, TRACE_ID_KEYS, 32);
  if (attributeTraceId !== undefined) {
    entry['otel.trace_id'] = attributeTraceId;
    entry['dd.trace_id'] = decimalId(attributeTraceId);
  }
  const attributeSpanId = hexAttribute(byLowerKey, SPAN_ID_KEYS, 16);
  if (attributeSpanId !== undefined) {
    entry['otel.span_id'] = attributeSpanId;
    entry['dd.span_id'] = decimalId(attributeSpanId);
  }
  const context = record.spanContext;
  if (context?.traceId && /[^0]/.test(context.traceId)) {
    entry['otel.trace_id'] = context.traceId;
    entry['dd.trace_id'] = decimalId(context.traceId);
  }
  if (context?.spanId && /[^0]/.test(context.spanId)) {
    entry['otel.span_id'] = context.spanId;
    entry['dd.span_id'] = decimalId(context.spanId);
  }

  const serviceName =
    attributeText(resource['service.name']) ||
    (attributes['service.name'] === undefined ? '' : valueText(attributes['service.name']));
  const service =
    serviceName && !(isUnknownService(serviceName) && options.fallback.service)
      ? serviceName
      : options.fallback.service;
  if (service) entry.service = service;
  const host = hostnameFromResource(resource, options.hostname);
  if (host) entry.hostname = host;
  entry.ddsource = options.source;
  const tags = [
    ...tagsFromResource(resource, { fallback: options.fallback }),
    ...options.globalTags,
  ];
  const extra = text('ddtags');
  if (extra) tags.push(extra);
  if (tags.length > 0) entry.ddtags = tags.join(',');
  return new LogRecord(JSON.stringify(entry), timeMs);
}

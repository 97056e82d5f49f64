import type { Attributes, HrTime } from '@opentelemetry/api';
import { boundedValue, setOwnField } from '@otelpack/batching-core';
import type { ReadableSpanLike } from '@otelpack/batching-core';
import { attributeText, hostnameFromResource, isUnknownService, renamed } from '../tags';
import { normalizeTagValue, truncate } from './normalize';
import {
  AttributeLookup,
  KIND,
  KIND_NAME,
  operationName,
  otelService,
  resourceName,
  spanType,
} from './semantics';

/*
 * One OpenTelemetry span → one Datadog span of the trace Agent's v0.4 intake, as the Agent
 * converts OTLP spans (DataDog/datadog-agent pkg/trace/transform/transform.go OtelSpanToDDSpan
 * and traceutil/otel_util.go): 64-bit ids (the trace id's low half; the high half in `_dd.p.tid`),
 * service / name / resource / type by the V2 rules, attributes in `meta` (text) and `metrics`
 * (numbers), error fields from the status and exception events, span links and events as JSON.
 */

export interface DdSpan {
  trace_id: bigint;
  span_id: bigint;
  parent_id: bigint;
  name: string;
  resource: string;
  service: string;
  type: string;
  error: 0 | 1;
  start: bigint;
  duration: bigint;
  meta: Record<string, string>;
  metrics: Record<string, number>;
}

/** A mapped span, with the wire bytes the core counts (an estimate of its msgpack size). */
export interface TraceRecord {
  span: DdSpan;
  bytes: number;
}

export interface TraceMappingOptions {
  env?: string;
  version?: string;
  service?: string;
  hostname?: string;
}

/** Keys renamed to the names Datadog's APM views read (transform.go's HTTP mappings). */
export const HTTP_META_KEYS: Readonly<Record<string, string>> = {
  'http.request.method': 'http.method',
  'http.response.status_code': 'http.status_code',
  'url.full': 'http.url',
  'client.address': 'http.client_ip',
  'user_agent.original': 'http.useragent',
  'server.address': 'http.server_name',
  'network.protocol.version': 'http.version',
};

/** The meta and metrics limits the tracers apply before sending (dd-trace-js tags-processors). */
const MAX_META_KEY = 200;
const MAX_META_VALUE = 25_000;

const STATUS_NAME = ['Unset', 'Ok', 'Error'];

/** Sampling priorities: USER_REJECT -1, AUTO_REJECT 0, AUTO_KEEP 1, USER_KEEP 2. */
export const AUTO_KEEP = 1;
/** The Agent's sampler.KeySamplingRateEventExtraction. */
const EVENT_EXTRACTION_RATE = '_dd1.sr.eausr';

export function hex(id: string): string {
  return id.toLowerCase();
}

/** The low 64 bits of a 32-hex trace id, as the v0.4 `trace_id`. */
export function traceIdLow(traceId: string): bigint {
  return BigInt(`0x${traceId.slice(-16) || '0'}`);
}

export function spanId(id: string | undefined): bigint {
  return id && /^[0-9a-fA-F]{1,16}$/.test(id) ? BigInt(`0x${id}`) : 0n;
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Nanoseconds of an HrTime, clamped to int64 (the Agent's start and duration): a time past it
 * (a bad clock, 1e300 seconds) would otherwise wrap silently in the msgpack the Agent reads.
 */
function ns(time: HrTime): bigint {
  const nanos = BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
  return nanos > INT64_MAX ? INT64_MAX : nanos < INT64_MIN ? INT64_MIN : nanos;
}

function mapKey(key: string): string {
  const http = renamed(HTTP_META_KEYS, key);
  if (http !== undefined) return http;
  if (key.startsWith('http.request.header.')) return `http.request.headers.${key.slice(20)}`;
  return key;
}

function setMeta(meta: Record<string, string>, key: string, value: string): void {
  // Keys come from attributes: assigned, `__proto__` would be lost (setOwnField says why).
  setOwnField(meta, truncate(key, MAX_META_KEY), truncate(value, MAX_META_VALUE));
}

function copyAttributes(
  attributes: Attributes,
  meta: Record<string, string>,
  metrics: Record<string, number>,
  numbersAsMetrics: boolean,
): void {
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    const ddKey = mapKey(key);
    if (numbersAsMetrics && typeof value === 'number' && Number.isFinite(value)) {
      setOwnField(metrics, truncate(ddKey, MAX_META_KEY), value);
      delete meta[ddKey];
    } else {
      setMeta(meta, ddKey, attributeText(value));
      delete metrics[ddKey];
    }
  }
}

export function mapSpan(span: ReadableSpanLike, options: TraceMappingOptions = {}): TraceRecord {
  const context = span.spanContext();
  const resourceAttributes = span.resource?.attributes ?? {};
  const attrs = new AttributeLookup(span.attributes ?? {}, resourceAttributes);
  const kind = span.kind ?? KIND.INTERNAL;
  const meta: Record<string, string> = {};
  const metrics: Record<string, number> = {};

  // Resource attributes first, then the span's over them (the span wins on a conflict).
  copyAttributes(resourceAttributes, meta, metrics, false);
  copyAttributes(span.attributes ?? {}, meta, metrics, true);

  const traceId = hex(context.traceId);
  // The high 64 bits travel as `_dd.p.tid` on each chunk's first span (the sender's chunksOf).
  meta['otel.trace_id'] = traceId;
  meta['span.kind'] = KIND_NAME[kind] ?? 'internal';
  const scope = span.instrumentationScope;
  if (scope?.name) meta['otel.scope.name'] = meta['otel.library.name'] = scope.name;
  if (scope?.version) meta['otel.scope.version'] = meta['otel.library.version'] = scope.version;
  const statusCode = span.status?.code ?? 0;
  meta['otel.status_code'] = STATUS_NAME[statusCode] ?? 'Unset';
  if (span.status?.message) meta['otel.status_description'] = span.status.message;
  const env =
    attributeText(attrs.find(['deployment.environment.name', 'deployment.environment'])) ||
    options.env;
  if (env) meta.env = normalizeTagValue(env);
  const version = attributeText(attrs.find(['service.version'])) || options.version;
  if (version) meta.version = normalizeTagValue(version);
  // db.namespace (semconv 1.26) also names the database as db.name, unless db.name is set.
  const dbNamespace = attrs.find(['db.namespace']);
  if (dbNamespace !== undefined && attrs.find(['db.name']) === undefined) {
    meta['db.name'] = attributeText(dbNamespace);
  }
  const tracestate = context.traceState?.serialize();
  if (tracestate) meta['w3c.tracestate'] = tracestate;
  const host = hostnameFromResource(resourceAttributes, options.hostname);
  if (host) meta['_dd.hostname'] = host;

  // The older key first, as the Agent's lookup ranks them; a number is a metric, text stays meta.
  const statusValue = attrs.find(['http.status_code', 'http.response.status_code']);
  const httpStatus = attributeText(statusValue);
  if (typeof statusValue === 'number' && Number.isFinite(statusValue)) {
    metrics['http.status_code'] = statusValue;
    delete meta['http.status_code'];
  }
  if (span.events?.length) {
    meta.events = JSON.stringify(
      span.events.map((event) => ({
        time_unix_nano: Number(ns(event.time)),
        name: event.name,
        ...(event.attributes && Object.keys(event.attributes).length
          ? { attributes: boundedValue(event.attributes) }
          : {}),
        ...(event.droppedAttributesCount
          ? { dropped_attributes_count: event.droppedAttributesCount }
          : {}),
      })),
    );
  }
  if (span.links?.length) {
    meta['_dd.span_links'] = JSON.stringify(
      span.links.map((link) => ({
        trace_id: hex(link.context.traceId),
        span_id: hex(link.context.spanId),
        ...(link.context.traceState ? { tracestate: link.context.traceState.serialize() } : {}),
        ...(link.attributes && Object.keys(link.attributes).length
          ? { attributes: boundedValue(link.attributes) }
          : {}),
        ...(link.droppedAttributesCount
          ? { dropped_attributes_count: link.droppedAttributesCount }
          : {}),
      })),
    );
  }

  let error: 0 | 1 = 0;
  // The Agent matches the event name case-insensitively (otlp_test.go status2Error: EXCEPTION).
  const exception = [...(span.events ?? [])]
    .reverse()
    .find((e) => e.name.toLowerCase() === 'exception');
  if (exception) meta['_dd.span_events.has_exception'] = 'true';
  if (statusCode === 2) {
    error = 1;
    const ex = exception?.attributes ?? {};
    if (ex['exception.message'] !== undefined)
      meta['error.msg'] = attributeText(ex['exception.message']);
    if (ex['exception.type'] !== undefined)
      meta['error.type'] = attributeText(ex['exception.type']);
    if (ex['exception.stacktrace'] !== undefined)
      meta['error.stack'] = attributeText(ex['exception.stacktrace']);
    if (!meta['error.msg']) {
      if (span.status.message) meta['error.msg'] = span.status.message;
      else if (httpStatus)
        meta['error.msg'] = `${httpStatus} ${httpStatusText(Number(httpStatus))}`.trim();
    }
  }

  // `sampling.priority`, or the Datadog key itself, as the Agent's setMetricOTLP reads both.
  const priority = Number(
    attrs.span['sampling.priority'] ?? attrs.span._sampling_priority_v1 ?? Number.NaN,
  );
  metrics._sampling_priority_v1 = Number.isInteger(priority) ? priority : AUTO_KEEP;
  // analytics.event (true/false, or its text) is the Agent's event extraction rate, not a tag.
  const analytics = attrs.span['analytics.event'];
  if (analytics !== undefined) {
    const text = attributeText(analytics).toLowerCase();
    if (text === 'true' || text === '1') metrics[EVENT_EXTRACTION_RATE] = 1;
    else if (text === 'false' || text === '0') metrics[EVENT_EXTRACTION_RATE] = 0;
    delete meta['analytics.event'];
  }
  // Trace metrics by span kind (the Agent's compute_stats_by_span_kind): roots, servers and
  // consumers are top level; clients and producers are measured.
  const parent = span.parentSpanContext?.spanId;
  if (!parent || kind === KIND.SERVER || kind === KIND.CONSUMER) metrics._top_level = 1;
  if (kind === KIND.CLIENT || kind === KIND.PRODUCER) metrics['_dd.measured'] = 1;

  const named = attrs.get(['service.name']);
  const service =
    options.service && (!named || isUnknownService(named)) ? options.service : undefined;
  const dd: DdSpan = {
    trace_id: traceIdLow(traceId),
    span_id: spanId(context.spanId),
    parent_id: spanId(parent),
    name: operationName(kind, attrs),
    resource: resourceName(kind, span.name, attrs),
    service: service ?? otelService(attrs),
    type: spanType(kind, attrs),
    error,
    start: ns(span.startTime),
    duration: ns(span.duration),
    meta,
    metrics,
  };
  return { span: dd, bytes: estimateBytes(dd) };
}

/** An upper estimate of the span's msgpack size: strings' UTF-8 bytes plus per-field overhead. */
function estimateBytes(span: DdSpan): number {
  let bytes = 160 + Buffer.byteLength(span.name) + Buffer.byteLength(span.resource);
  bytes += Buffer.byteLength(span.service) + span.type.length;
  for (const [k, v] of Object.entries(span.meta))
    bytes += Buffer.byteLength(k) + Buffer.byteLength(v) + 10;
  for (const k of Object.keys(span.metrics)) bytes += Buffer.byteLength(k) + 14;
  return bytes;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function httpStatusText(code: number): string {
  return STATUS_TEXT[code] ?? '';
}

import { join } from 'node:path';
import protobuf from 'protobufjs';

/*
 * OTLP read and answered with the official definitions (integration/proto, opentelemetry-proto
 * v1.11.0) through protobufjs: the OTLP receiver fake decodes requests with this, and the
 * exporter-otlp conformance tests compare decoded requests with it. It never shares code with
 * the exporter's encoder, so that a bug there cannot hide behind the same bug here.
 *
 * Decoded messages are compared as protobufjs plain objects: int64 as decimal strings, bytes as
 * base64, enums as numbers, fields at their default left out (proto3 cannot tell those from
 * absent ones), message fields present only when sent.
 */

export type OtlpSignal = 'traces' | 'logs' | 'metrics';

const PROTO_DIR = join(__dirname, '..', '..', 'proto');

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(PROTO_DIR, target);
root.loadSync(
  [
    'opentelemetry/proto/collector/trace/v1/trace_service.proto',
    'opentelemetry/proto/collector/logs/v1/logs_service.proto',
    'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
    'google/rpc/status.proto',
  ],
  { keepCase: false },
);

const SERVICE: Record<OtlpSignal, string> = {
  traces: 'opentelemetry.proto.collector.trace.v1.ExportTrace',
  logs: 'opentelemetry.proto.collector.logs.v1.ExportLogs',
  metrics: 'opentelemetry.proto.collector.metrics.v1.ExportMetrics',
};

export const REQUEST_TYPES: Record<OtlpSignal, protobuf.Type> = {
  traces: root.lookupType(`${SERVICE.traces}ServiceRequest`),
  logs: root.lookupType(`${SERVICE.logs}ServiceRequest`),
  metrics: root.lookupType(`${SERVICE.metrics}ServiceRequest`),
};

const RESPONSE_TYPES: Record<OtlpSignal, protobuf.Type> = {
  traces: root.lookupType(`${SERVICE.traces}ServiceResponse`),
  logs: root.lookupType(`${SERVICE.logs}ServiceResponse`),
  metrics: root.lookupType(`${SERVICE.metrics}ServiceResponse`),
};

const STATUS_TYPE = root.lookupType('google.rpc.Status');

/** The partial-success count field per signal (camelCase, as protobufjs names it). */
export const REJECTED_FIELD: Record<OtlpSignal, string> = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
};

const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  bytes: String,
  enums: Number,
  defaults: false,
  arrays: false,
};

export type OtlpRequest = Record<string, unknown>;

/** A protobuf request body (decompressed), as a plain object. Throws when it does not decode. */
export function decodeProtobufRequest(signal: OtlpSignal, body: Uint8Array): OtlpRequest {
  const type = REQUEST_TYPES[signal];
  return type.toObject(type.decode(body), TO_OBJECT);
}

/** Fields OTLP's JSON encoding writes as hex, where protobuf's JSON mapping would use base64. */
const HEX_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

function hexIdsToBase64(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIdsToBase64);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    if (HEX_FIELDS.has(key) && typeof field === 'string') {
      if (!/^([0-9a-fA-F]{2})*$/.test(field)) throw new Error(`${key} is not hex: ${field}`);
      out[key] = Buffer.from(field, 'hex').toString('base64');
    } else {
      out[key] = hexIdsToBase64(field);
    }
  }
  return out;
}

/**
 * An OTLP/JSON request body as the same plain object its protobuf form decodes to. Unknown
 * fields are an error (protobufjs's fromObject would drop them silently).
 */
export function decodeJsonRequest(signal: OtlpSignal, body: Uint8Array): OtlpRequest {
  const type = REQUEST_TYPES[signal];
  const parsed = JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  assertKnownFields(type, parsed, type.name);
  const message = type.fromObject(hexIdsToBase64(parsed) as Record<string, unknown>);
  // Through the wire once, so that both forms come out of the same decoder.
  return decodeProtobufRequest(signal, type.encode(message).finish());
}

function assertKnownFields(type: protobuf.Type, value: unknown, path: string): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
    const declared = type.fields[key];
    if (!declared) throw new Error(`${path}: unknown field ${key}`);
    declared.resolve();
    if (declared.resolvedType instanceof protobuf.Type) {
      const list = Array.isArray(field) ? field : [field];
      for (const item of list) {
        assertKnownFields(declared.resolvedType, item, `${path}.${key}`);
      }
    }
  }
}

/** An Export…ServiceResponse, with a partial success when `rejected` or `message` is given. */
export function encodeExportResponse(
  signal: OtlpSignal,
  json: boolean,
  partial?: { rejected: number; message: string },
): Buffer {
  const object = partial
    ? {
        partialSuccess: {
          [REJECTED_FIELD[signal]]: partial.rejected,
          errorMessage: partial.message,
        },
      }
    : {};
  if (json) {
    const text = partial
      ? JSON.stringify({
          partialSuccess: {
            [REJECTED_FIELD[signal]]: String(partial.rejected),
            errorMessage: partial.message,
          },
        })
      : '{}';
    return Buffer.from(text, 'utf8');
  }
  const type = RESPONSE_TYPES[signal];
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

/** A google.rpc.Status body. */
export function encodeStatus(code: number, message: string, json: boolean): Buffer {
  if (json) return Buffer.from(JSON.stringify({ code, message }), 'utf8');
  return Buffer.from(STATUS_TYPE.encode(STATUS_TYPE.fromObject({ code, message })).finish());
}

/** Counts the spans, log records or data points of a decoded request. */
export function countItems(signal: OtlpSignal, request: OtlpRequest): number {
  let count = 0;
  for (const resource of listOf(request[`resource${capital(signal)}`])) {
    for (const scope of listOf(resource[`scope${capital(signal)}`])) {
      if (signal === 'traces') count += listOf(scope.spans).length;
      else if (signal === 'logs') count += listOf(scope.logRecords).length;
      else {
        for (const metric of listOf(scope.metrics)) {
          for (const kind of ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']) {
            const data = metric[kind] as { dataPoints?: unknown[] } | undefined;
            if (data) count += (data.dataPoints ?? []).length;
          }
        }
      }
    }
  }
  return count;
}

function capital(signal: OtlpSignal): string {
  return signal === 'traces' ? 'Spans' : signal === 'logs' ? 'Logs' : 'Metrics';
}

function listOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { decodeJsonRequest, decodeProtobufRequest } from '../../../integration/src/protocols/otlp';
import { encodeWithOurs } from './helpers/encode';
import { sdkLogs, sdkMetrics, sdkSpans } from './helpers/sdk-data';

/*
 * The same SDK items through the official serializer (@opentelemetry/otlp-transformer, the one
 * the official OTLP exporters use) and through ours, both decoded with the official .proto
 * definitions (integration/proto): the messages must be equal, field for field. For JSON, both
 * JSON bodies are read with OTLP's JSON rules (hex ids) into the same messages.
 */

const official = {
  protobuf: {
    traces: (items: unknown) => ProtobufTraceSerializer.serializeRequest(items as never),
    logs: (items: unknown) => ProtobufLogsSerializer.serializeRequest(items as never),
    metrics: (items: unknown) => ProtobufMetricsSerializer.serializeRequest((items as never[])[0]),
  },
  json: {
    traces: (items: unknown) => JsonTraceSerializer.serializeRequest(items as never),
    logs: (items: unknown) => JsonLogsSerializer.serializeRequest(items as never),
    metrics: (items: unknown) => JsonMetricsSerializer.serializeRequest((items as never[])[0]),
  },
};

/**
 * The official JSON serializer writes a log record without a body as `"body": {}` (an empty
 * AnyValue), where its protobuf serializer, and ours in both encodings, leave the field out: that
 * one difference is taken out of the official JSON before comparing.
 */
function withoutEmptyBodies(request: Record<string, unknown>): Record<string, unknown> {
  for (const resource of (request.resourceLogs as {
    scopeLogs: { logRecords: Record<string, unknown>[] }[];
  }[]) ?? []) {
    for (const scope of resource.scopeLogs) {
      for (const record of scope.logRecords) {
        if (record.body && Object.keys(record.body).length === 0) delete record.body;
      }
    }
  }
  return request;
}

const cases = async (withNaN = true) => ({
  traces: sdkSpans(6, withNaN),
  logs: sdkLogs(withNaN),
  metrics: [await sdkMetrics(AggregationTemporality.CUMULATIVE, withNaN)],
});

describe('OTLP encoding: the same messages as the official serializer', () => {
  for (const encoding of ['protobuf', 'json'] as const) {
    const decode = encoding === 'protobuf' ? decodeProtobufRequest : decodeJsonRequest;
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      it(`${signal}, ${encoding}`, async () => {
        const items = (await cases(encoding === 'protobuf'))[signal] as unknown[];
        let theirs = decode(signal, official[encoding][signal](items) as Uint8Array);
        if (encoding === 'json') theirs = withoutEmptyBodies(theirs);
        const ours = decode(signal, encodeWithOurs(signal, items, encoding));
        assert.deepEqual(ours, theirs);
      });
    }
  }

  it('delta metrics, protobuf and json', async () => {
    for (const encoding of ['protobuf', 'json'] as const) {
      const items = [await sdkMetrics(AggregationTemporality.DELTA, encoding === 'protobuf')];
      const decode = encoding === 'protobuf' ? decodeProtobufRequest : decodeJsonRequest;
      const theirs = decode('metrics', official[encoding].metrics(items) as Uint8Array);
      assert.deepEqual(decode('metrics', encodeWithOurs('metrics', items, encoding)), theirs);
    }
  });

  it('JSON keeps NaN as "NaN", which decodes to the NaN protobuf sends (the official JSON serializer sends null)', async () => {
    const spans = sdkSpans(1, true);
    const fromJson = decodeJsonRequest('traces', encodeWithOurs('traces', spans, 'json'));
    const fromProtobuf = decodeProtobufRequest(
      'traces',
      encodeWithOurs('traces', spans, 'protobuf'),
    );
    assert.deepEqual(fromJson, fromProtobuf);
    assert.match(encodeWithOurs('traces', spans, 'json').toString(), /"doubleValue":"NaN"/);
  });

  it('the test data has what it claims: every field the comparison is meant to cover', async () => {
    const { traces, logs, metrics } = await cases();
    const spans = decodeProtobufRequest('traces', encodeWithOurs('traces', traces, 'protobuf'));
    const text = JSON.stringify(spans);
    for (const needle of [
      'arrayValue',
      'intValue',
      'doubleValue',
      'boolValue',
      'traceState',
      'parentSpanId',
      'droppedAttributesCount',
      'droppedEventsCount',
      'droppedLinksCount',
      '"links"',
      '"events"',
      '"status"',
      '"flags"',
      'schemaUrl',
    ]) {
      assert.ok(text.includes(needle), `spans lack ${needle}`);
    }
    const logText = JSON.stringify(
      decodeProtobufRequest('logs', encodeWithOurs('logs', logs, 'protobuf')),
    );
    for (const needle of ['kvlistValue', 'bytesValue', 'eventName', 'traceId', 'severityNumber']) {
      assert.ok(logText.includes(needle), `logs lack ${needle}`);
    }
    const metricText = JSON.stringify(
      decodeProtobufRequest('metrics', encodeWithOurs('metrics', metrics, 'protobuf')),
    );
    for (const needle of [
      'gauge',
      'sum',
      'histogram',
      'exponentialHistogram',
      'asInt',
      'asDouble',
      'isMonotonic',
    ]) {
      assert.ok(metricText.includes(needle), `metrics lack ${needle}`);
    }
  });
});

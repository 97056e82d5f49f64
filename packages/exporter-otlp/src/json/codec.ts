import type {
  DataPointLike,
  ExponentialHistogramValue,
  HistogramValue,
  InstrumentationScopeLike,
  MetricDataLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  Signal,
} from '@otelpack/batching-core';
import { DataPointType } from '@otelpack/batching-core';
import type { OtlpCodec } from '../codec';
import { VALUE_TYPE_INT } from '../protobuf/codec';
import { spanFlags } from '../protobuf/signals';
import type { ExemplarLike } from '../protobuf/signals';
import type { MetricGroup, OtlpRecord, ResourceGroup, ScopeGroup } from '../records';
import { int64Text, jsonDouble, keyValues, anyValue, nanosText, put } from './values';
import type { JsonObject } from './values';

/** The request's list field and its scope list field, per signal. */
const FIELDS: Record<Signal, { resources: string; scopes: string; items: string }> = {
  traces: { resources: 'resourceSpans', scopes: 'scopeSpans', items: 'spans' },
  logs: { resources: 'resourceLogs', scopes: 'scopeLogs', items: 'logRecords' },
  metrics: { resources: 'resourceMetrics', scopes: 'scopeMetrics', items: 'metrics' },
};

const DATA_NAME: Record<number, string> = {
  [DataPointType.GAUGE]: 'gauge',
  [DataPointType.SUM]: 'sum',
  [DataPointType.HISTOGRAM]: 'histogram',
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 'exponentialHistogram',
};
const DATA_FIELD: Record<number, number> = {
  [DataPointType.GAUGE]: 5,
  [DataPointType.SUM]: 7,
  [DataPointType.HISTOGRAM]: 9,
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 10,
};

const text = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

function exemplars(point: DataPointLike<unknown>, integer: boolean): JsonObject[] | undefined {
  const list = (point as { exemplars?: readonly ExemplarLike[] }).exemplars;
  if (!list || list.length === 0) return undefined;
  return list.map((exemplar) => {
    const out: JsonObject = {};
    put(out, 'filteredAttributes', keyValues(exemplar.filteredAttributes));
    out.timeUnixNano = nanosText(exemplar.timestamp);
    if (integer && Number.isInteger(exemplar.value)) out.asInt = int64Text(exemplar.value);
    else out.asDouble = jsonDouble(exemplar.value);
    put(out, 'spanId', exemplar.spanId);
    put(out, 'traceId', exemplar.traceId);
    return out;
  });
}

/** OTLP/HTTP with JSON bodies (`application/json`). */
export class JsonCodec implements OtlpCodec {
  readonly contentType = 'application/json';

  resource(resource: ResourceLike): Buffer {
    const out: JsonObject = {};
    put(out, 'attributes', keyValues(resource.attributes));
    return text(out);
  }

  scope(scope: InstrumentationScopeLike): Buffer {
    const out: JsonObject = {};
    put(out, 'name', scope.name);
    put(out, 'version', scope.version);
    put(out, 'attributes', keyValues(scope.attributes));
    put(
      out,
      'droppedAttributesCount',
      (scope as { droppedAttributesCount?: number }).droppedAttributesCount,
    );
    return text(out);
  }

  span(span: ReadableSpanLike): Buffer {
    const context = span.spanContext();
    const out: JsonObject = { traceId: context.traceId, spanId: context.spanId };
    put(out, 'traceState', context.traceState?.serialize());
    put(out, 'parentSpanId', span.parentSpanContext?.spanId);
    put(out, 'flags', spanFlags(context.traceFlags, span.parentSpanContext?.isRemote));
    put(out, 'name', span.name);
    put(out, 'kind', span.kind == null ? 0 : span.kind + 1);
    out.startTimeUnixNano = nanosText(span.startTime);
    out.endTimeUnixNano = nanosText(span.endTime);
    put(out, 'attributes', keyValues(span.attributes));
    put(out, 'droppedAttributesCount', span.droppedAttributesCount);
    put(
      out,
      'events',
      span.events.map((event) => {
        const e: JsonObject = { timeUnixNano: nanosText(event.time) };
        put(e, 'name', event.name);
        put(e, 'attributes', keyValues(event.attributes));
        put(e, 'droppedAttributesCount', event.droppedAttributesCount);
        return e;
      }),
    );
    put(out, 'droppedEventsCount', span.droppedEventsCount);
    put(
      out,
      'links',
      span.links.map((link) => {
        const l: JsonObject = { traceId: link.context.traceId, spanId: link.context.spanId };
        put(l, 'traceState', link.context.traceState?.serialize());
        put(l, 'attributes', keyValues(link.attributes));
        put(l, 'droppedAttributesCount', link.droppedAttributesCount);
        put(l, 'flags', spanFlags(link.context.traceFlags, link.context.isRemote));
        return l;
      }),
    );
    put(out, 'droppedLinksCount', span.droppedLinksCount);
    const status: JsonObject = {};
    put(status, 'message', span.status?.message);
    put(status, 'code', span.status?.code);
    out.status = status;
    return text(out);
  }

  log(log: ReadableLogRecordLike): Buffer {
    const out: JsonObject = { timeUnixNano: nanosText(log.hrTime) };
    out.observedTimeUnixNano = nanosText(log.hrTimeObserved);
    put(out, 'severityNumber', log.severityNumber);
    put(out, 'severityText', log.severityText);
    if (log.body !== undefined) out.body = anyValue(log.body);
    put(out, 'attributes', keyValues(log.attributes));
    put(out, 'droppedAttributesCount', log.droppedAttributesCount);
    put(out, 'flags', log.spanContext?.traceFlags);
    put(out, 'traceId', log.spanContext?.traceId);
    put(out, 'spanId', log.spanContext?.spanId);
    put(out, 'eventName', log.eventName);
    return text(out);
  }

  metric(metric: MetricDataLike): { head: Buffer; dataField: number; tail: Buffer } {
    const descriptor: JsonObject = {};
    put(descriptor, 'name', metric.descriptor.name);
    put(descriptor, 'description', metric.descriptor.description);
    put(descriptor, 'unit', metric.descriptor.unit);
    const data = DATA_NAME[metric.dataPointType] ?? 'gauge';
    const opening = JSON.stringify(descriptor).slice(0, -1);
    const head = `${opening}${opening.length > 1 ? ',' : ''}"${data}":{"dataPoints":[`;
    const after: JsonObject = {};
    if (metric.dataPointType !== DataPointType.GAUGE) {
      const temporality = metric.aggregationTemporality;
      put(after, 'aggregationTemporality', temporality === 0 ? 1 : temporality === 1 ? 2 : 0);
    }
    if (metric.dataPointType === DataPointType.SUM) put(after, 'isMonotonic', metric.isMonotonic);
    const rest = JSON.stringify(after).slice(1, -1);
    return {
      head: Buffer.from(head, 'utf8'),
      dataField: DATA_FIELD[metric.dataPointType] ?? 5,
      tail: Buffer.from(`]${rest ? `,${rest}` : ''}}}`, 'utf8'),
    };
  }

  point(metric: MetricDataLike, point: DataPointLike<unknown>): Buffer {
    const out: JsonObject = {};
    put(out, 'attributes', keyValues(point.attributes));
    out.startTimeUnixNano = nanosText(point.startTime);
    out.timeUnixNano = nanosText(point.endTime);
    const integer = metric.descriptor.valueType === VALUE_TYPE_INT;
    switch (metric.dataPointType) {
      case DataPointType.HISTOGRAM: {
        const value = point.value as HistogramValue;
        out.count = int64Text(value.count);
        if (value.sum !== undefined) out.sum = jsonDouble(value.sum);
        put(out, 'bucketCounts', value.buckets.counts.map(int64Text));
        put(out, 'explicitBounds', value.buckets.boundaries.map(jsonDouble));
        put(out, 'exemplars', exemplars(point, false));
        if (value.min !== undefined) out.min = jsonDouble(value.min);
        if (value.max !== undefined) out.max = jsonDouble(value.max);
        break;
      }
      case DataPointType.EXPONENTIAL_HISTOGRAM: {
        const value = point.value as ExponentialHistogramValue;
        out.count = int64Text(value.count);
        if (value.sum !== undefined) out.sum = jsonDouble(value.sum);
        put(out, 'scale', value.scale);
        put(out, 'zeroCount', value.zeroCount ? int64Text(value.zeroCount) : undefined);
        for (const side of ['positive', 'negative'] as const) {
          const buckets: JsonObject = {};
          put(buckets, 'offset', value[side].offset);
          put(buckets, 'bucketCounts', value[side].bucketCounts.map(int64Text));
          out[side] = buckets;
        }
        put(out, 'exemplars', exemplars(point, false));
        if (value.min !== undefined) out.min = jsonDouble(value.min);
        if (value.max !== undefined) out.max = jsonDouble(value.max);
        break;
      }
      default: {
        const value = point.value as number;
        if (integer) out.asInt = int64Text(Math.trunc(value));
        else out.asDouble = jsonDouble(value);
        put(out, 'exemplars', exemplars(point, integer));
      }
    }
    return text(out);
  }

  request(records: readonly OtlpRecord[], signal: Signal): Buffer {
    const names = FIELDS[signal];
    const resources = new Map<
      ResourceGroup,
      Map<ScopeGroup, (Uint8Array | { metric: MetricGroup; points: Uint8Array[] })[]>
    >();
    let lastMetric: MetricGroup | undefined;
    let lastPoints: Uint8Array[] | undefined;
    for (const record of records) {
      let scopes = resources.get(record.scope.resource);
      if (!scopes) resources.set(record.scope.resource, (scopes = new Map()));
      let items = scopes.get(record.scope);
      if (!items) scopes.set(record.scope, (items = []));
      if (!record.metric) {
        items.push(record.body);
        continue;
      }
      if (record.metric !== lastMetric || !lastPoints || items[items.length - 1] === undefined) {
        lastPoints = [];
        lastMetric = record.metric;
        items.push({ metric: record.metric, points: lastPoints });
      }
      lastPoints.push(record.body);
    }
    const parts: (string | Uint8Array)[] = [`{"${names.resources}":[`];
    let firstResource = true;
    for (const [resource, scopes] of resources) {
      parts.push(
        `${firstResource ? '' : ','}{"resource":`,
        resource.encoded,
        `,"${names.scopes}":[`,
      );
      firstResource = false;
      let firstScope = true;
      for (const [scope, items] of scopes) {
        parts.push(`${firstScope ? '' : ','}{"scope":`, scope.encoded, `,"${names.items}":[`);
        firstScope = false;
        items.forEach((item, i) => {
          if (i > 0) parts.push(',');
          if (item instanceof Uint8Array) {
            parts.push(item);
            return;
          }
          parts.push(item.metric.head);
          item.points.forEach((point, j) => {
            if (j > 0) parts.push(',');
            parts.push(point);
          });
          parts.push(item.metric.tail);
        });
        parts.push(']');
        if (scope.schemaUrl) parts.push(`,"schemaUrl":${JSON.stringify(scope.schemaUrl)}`);
        parts.push('}');
      }
      parts.push(']');
      if (resource.schemaUrl) parts.push(`,"schemaUrl":${JSON.stringify(resource.schemaUrl)}`);
      parts.push('}');
    }
    parts.push(']}');
    return Buffer.concat(
      parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)),
    );
  }

  recordSize(record: OtlpRecord): number {
    return record.body.length + 1;
  }
}

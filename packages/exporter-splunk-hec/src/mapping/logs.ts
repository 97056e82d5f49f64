import { boundedValue } from '@otelpack/batching-core';
import type { ReadableLogRecordLike } from '@otelpack/batching-core';
import type { HecEvent } from './event';
import { defaultRoute, envelope, mergeField, takeRouting } from './routing';
import type { RoutingOptions } from './routing';
import { epochSecondsMs } from './values';

/** The Collector's `otel_to_hec_fields` defaults, and its trace-context keys. */
export const LOG_FIELDS = {
  severityText: 'otel.log.severity.text',
  severityNumber: 'otel.log.severity.number',
  name: 'otel.log.name',
  traceId: 'trace_id',
  spanId: 'span_id',
} as const;

const INVALID_TRACE_ID = '00000000000000000000000000000000';
const INVALID_SPAN_ID = '0000000000000000';

/**
 * One log record as the Collector's `LogToSplunkEvent` (pkg/translator/splunk) makes it: the body is the event
 * (any value: text, number, boolean, map, array), trace context and severity in `fields`, then the
 * resource's attributes and the record's, flattened, the record's winning; routing attributes set
 * host, source, sourcetype and index instead. A record without a body throws: HEC refuses an
 * event without one (code 12/13), so it is counted as rejected here instead of failing a batch.
 * One addition: the record's event name as `otel.log.name` (the Collector's name field, which its
 * current code no longer fills).
 */
export function logRecordToEvent(record: ReadableLogRecordLike, routing: RoutingOptions): HecEvent {
  // The body and the attributes are the application's values: a cycle, or an object shared so
  // often that writing it out doubles at each level, would throw or never end in JSON.stringify
  // and in the flattening of maps into fields. Bounded first, as every exporter does (the core's
  // boundedValue: a cycle as "[circular]", deeper than 32 as "[too deep]", 100,000 values in all).
  const body = boundedValue(record.body);
  if (body === undefined || body === null || body === '') {
    throw new Error('a log record without a body: HEC refuses an event without one');
  }
  const route = defaultRoute(routing);
  const fields: Record<string, unknown> = {};
  const context = record.spanContext;
  if (context && context.spanId && context.spanId !== INVALID_SPAN_ID) {
    fields[LOG_FIELDS.spanId] = context.spanId;
  }
  if (context && context.traceId && context.traceId !== INVALID_TRACE_ID) {
    fields[LOG_FIELDS.traceId] = context.traceId;
  }
  const severity = routing.severityFields ?? LOG_FIELDS;
  if (record.severityText) fields[severity.severityText] = record.severityText;
  if (record.severityNumber) fields[severity.severityNumber] = record.severityNumber;
  if (record.eventName) fields[LOG_FIELDS.name] = record.eventName;
  const resource = record.resource.attributes;
  for (const key of Object.keys(resource)) {
    if (!takeRouting(route, key, resource[key])) {
      mergeField(fields, key, boundedValue(resource[key]));
    }
  }
  const attributes = record.attributes;
  for (const key of Object.keys(attributes)) {
    if (!takeRouting(route, key, attributes[key])) {
      mergeField(fields, key, boundedValue(attributes[key]));
    }
  }
  // The Collector's current code: the observed time when the record has no time of its own.
  const time =
    record.hrTime[0] === 0 && record.hrTime[1] === 0 ? record.hrTimeObserved : record.hrTime;
  return {
    time: epochSecondsMs(time),
    ...envelope(route),
    event: body,
    fields,
  };
}

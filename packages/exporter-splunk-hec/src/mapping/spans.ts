import { setOwnField } from '@otelpack/batching-core';
import type { ReadableSpanLike } from '@otelpack/batching-core';
import { RawJson, jsonValue } from './event';
import type { HecEvent } from './event';
import { defaultRoute, envelope, takeRouting } from './routing';
import type { RoutingOptions } from './routing';
import { asString, epochNanosText, epochSecondsMs } from './values';

/** The OTLP enum names the Collector writes (`ptrace` kinds and status codes as in the proto). */
const SPAN_KINDS = [
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/**
 * One span as the Collector's `mapSpanToSplunkEvent` makes it: an event whose `time` is the start,
 * `fields` the resource's attributes as text (routing attributes set the envelope instead), and
 * `event` the span: ids in hex (`""` for a root's parent), name, attributes, start and end in
 * nanoseconds, kind and status by their OTLP names, events and links.
 */
export function spanToEvent(span: ReadableSpanLike, routing: RoutingOptions): HecEvent {
  const route = defaultRoute(routing);
  const fields: Record<string, unknown> = {};
  const resource = span.resource.attributes;
  for (const key of Object.keys(resource)) {
    // Assigned, a key named `__proto__` would be lost (setOwnField says why).
    if (!takeRouting(route, key, resource[key])) setOwnField(fields, key, asString(resource[key]));
  }
  const context = span.spanContext();
  let text = `{"trace_id":${JSON.stringify(context.traceId)},"span_id":${JSON.stringify(context.spanId)}`;
  text += `,"parent_span_id":${JSON.stringify(span.parentSpanContext?.spanId ?? '')}`;
  text += `,"name":${JSON.stringify(span.name)}`;
  text += attributesMember(span.attributes);
  text += `,"end_time":${epochNanosText(span.endTime)}`;
  text += `,"kind":"${SPAN_KINDS[span.kind] ?? 'SPAN_KIND_UNSPECIFIED'}"`;
  text += `,"status":{"message":${JSON.stringify(span.status.message ?? '')},"code":"${STATUS_CODES[span.status.code] ?? STATUS_CODES[0]}"}`;
  text += `,"start_time":${epochNanosText(span.startTime)}`;
  if (span.events.length > 0) {
    text += ',"events":[';
    span.events.forEach((event, i) => {
      text += `${i > 0 ? ',' : ''}{${attributesMember(event.attributes).slice(1)}`;
      text += `${event.attributes && hasKeys(event.attributes) ? ',' : ''}"name":${JSON.stringify(event.name)}`;
      text += `,"timestamp":${epochNanosText(event.time)}}`;
    });
    text += ']';
  }
  if (span.links.length > 0) {
    text += ',"links":[';
    span.links.forEach((link, i) => {
      text += `${i > 0 ? ',' : ''}{${attributesMember(link.attributes).slice(1)}`;
      text += `${link.attributes && hasKeys(link.attributes) ? ',' : ''}"trace_id":${JSON.stringify(link.context.traceId)}`;
      text += `,"span_id":${JSON.stringify(link.context.spanId)}`;
      text += `,"trace_state":${JSON.stringify(link.context.traceState?.serialize() ?? '')}}`;
    });
    text += ']';
  }
  return {
    time: epochSecondsMs(span.startTime),
    ...envelope(route),
    event: new RawJson(`${text}}`),
    fields,
  };
}

/** `,"attributes":{…}`, or nothing for none (Go's `omitempty`). */
function attributesMember(attributes: Record<string, unknown> | undefined): string {
  if (!attributes || !hasKeys(attributes)) return '';
  return `,"attributes":${jsonValue(attributes)}`;
}

function hasKeys(object: object): boolean {
  for (const _ in object) return true;
  return false;
}

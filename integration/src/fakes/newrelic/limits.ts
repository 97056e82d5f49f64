import type { OtlpRequest, OtlpSignal } from '../../protocols/otlp';

/*
 * THIS IS PART OF A FAKE: the checks New Relic runs after it has answered an OTLP request 2xx,
 * as its documentation states them, applied to a request decoded with the official .proto files.
 * An item that fails one is not stored by New Relic, and an NrIntegrationError event says why:
 *
 * - attribute names over 255 characters, string values over 4,095, arrays over 64 entries:
 *   docs.newrelic.com "OpenTelemetry best practices: attributes" (docs-website PR #7531: the
 *   item is dropped);
 * - more than 255 attributes on an event (span, span event, log record), 150 on a metric data
 *   point, the resource's counted with the item's: "Event API: limits", "Metric API limits";
 * - data points older than 48 h or more than 24 h ahead, log records older than 48 h:
 *   "Metric API limits", "Log API: limits";
 * - non-monotonic delta sums: "OpenTelemetry metrics in New Relic" (not supported).
 */

export interface NrIntegrationError {
  /** As New Relic's event: `newRelicFeature`, `category`, `message`, `dataSource`. */
  newRelicFeature: 'Distributed Tracing' | 'Logs' | 'Metrics';
  category: 'InvalidAttribute' | 'TooManyAttributes' | 'InvalidTimestamp' | 'UnsupportedData';
  message: string;
  dataSource: 'OTLP';
}

export const FAKE_LIMITS = {
  maxKeyLength: 255,
  maxValueLength: 4095,
  maxArrayLength: 64,
  maxEventAttributes: 255,
  maxMetricAttributes: 150,
  maxPointAgeMs: 48 * 3_600_000,
  maxPointAheadMs: 24 * 3_600_000,
  maxLogAgeMs: 48 * 3_600_000,
};

type Node = Record<string, unknown>;
interface KeyValue {
  key: string;
  value?: Node;
}

const FEATURE: Record<OtlpSignal, NrIntegrationError['newRelicFeature']> = {
  traces: 'Distributed Tracing',
  logs: 'Logs',
  metrics: 'Metrics',
};

function list(value: unknown): Node[] {
  return Array.isArray(value) ? (value as Node[]) : [];
}

/**
 * Attributes as New Relic stores them: a nested map (a log attribute's kvlistValue) flattened
 * into dotted names, each leaf an attribute of its own (as New Relic stores nested JSON of logs,
 * and as the exporter's src/limits/attributes.ts assumes), so each leaf counts toward the limit
 * and its whole dotted name is checked against 255. An empty map stays one attribute.
 */
export function flattenAttributes(attributes: KeyValue[], prefix = ''): KeyValue[] {
  const out: KeyValue[] = [];
  for (const { key, value } of attributes) {
    const name = prefix + key;
    const map = value?.kvlistValue as { values?: KeyValue[] } | undefined;
    const entries = map ? (list(map.values) as unknown as KeyValue[]) : [];
    if (entries.length > 0) out.push(...flattenAttributes(entries, `${name}.`));
    else out.push({ key: name, value });
  }
  return out;
}

/** The first attribute fault of a (flattened) value, or undefined. */
function valueFault(key: string, value: Node | undefined): string | undefined {
  if (!value) return undefined;
  if (
    typeof value.stringValue === 'string' &&
    value.stringValue.length > FAKE_LIMITS.maxValueLength
  ) {
    return `attribute ${key.slice(0, 40)} value is ${value.stringValue.length} characters, over ${FAKE_LIMITS.maxValueLength}`;
  }
  const array = value.arrayValue as { values?: Node[] } | undefined;
  if (array) {
    const values = list(array.values);
    if (values.length > FAKE_LIMITS.maxArrayLength) {
      return `attribute ${key.slice(0, 40)} array has ${values.length} entries, over ${FAKE_LIMITS.maxArrayLength}`;
    }
    for (const entry of values) {
      const fault = valueFault(key, entry);
      if (fault) return fault;
    }
  }
  // A map inside an array is not flattened: its entries are checked as attributes.
  const map = value.kvlistValue as { values?: KeyValue[] } | undefined;
  if (map) return attributesFault(list(map.values) as unknown as KeyValue[], Infinity);
  return undefined;
}

/** The first fault of attributes already flattened. */
function flatFault(attributes: KeyValue[], max: number): string | undefined {
  if (attributes.length > max) return `${attributes.length} attributes, over ${max}`;
  for (const { key, value } of attributes) {
    if (key.length > FAKE_LIMITS.maxKeyLength) {
      return `attribute name of ${key.length} characters, over ${FAKE_LIMITS.maxKeyLength}`;
    }
    const fault = valueFault(key, value);
    if (fault) return fault;
  }
  return undefined;
}

function attributesFault(attributes: KeyValue[], max: number): string | undefined {
  return flatFault(flattenAttributes(attributes), max);
}

function attrs(node: Node | undefined): KeyValue[] {
  return list(node?.attributes) as unknown as KeyValue[];
}

function category(message: string): NrIntegrationError['category'] {
  return /over \d+$/.test(message) && /attributes,/.test(message)
    ? 'TooManyAttributes'
    : 'InvalidAttribute';
}

function ageFault(
  nanos: unknown,
  nowMs: number,
  maxAgeMs: number,
  maxAheadMs: number,
): string | undefined {
  const ms = Number(BigInt(String(nanos ?? '0')) / 1_000_000n);
  if (ms === 0) return undefined;
  if (nowMs - ms > maxAgeMs) return `timestamp ${new Date(ms).toISOString()} is too old`;
  if (ms - nowMs > maxAheadMs) return `timestamp ${new Date(ms).toISOString()} is too far ahead`;
  return undefined;
}

/**
 * The items of a request New Relic would drop, each as an NrIntegrationError; the count of
 * items checked besides.
 */
export function checkRequest(
  signal: OtlpSignal,
  request: OtlpRequest,
  nowMs: number = Date.now(),
): { items: number; errors: NrIntegrationError[] } {
  const errors: NrIntegrationError[] = [];
  let items = 0;
  const fail = (message: string, kind?: NrIntegrationError['category']) =>
    errors.push({
      newRelicFeature: FEATURE[signal],
      category: kind ?? category(message),
      message,
      dataSource: 'OTLP',
    });
  const field = signal === 'traces' ? 'Spans' : signal === 'logs' ? 'Logs' : 'Metrics';
  for (const resource of list(request[`resource${field}`])) {
    const resourceAttributes = attrs(resource.resource as Node);
    const resourceFault = attributesFault(resourceAttributes, Infinity);
    for (const scope of list(resource[`scope${field}`])) {
      const scopeFault = attributesFault(attrs(scope.scope as Node), Infinity);
      const common = resourceFault ?? scopeFault;
      const max = (limit: number) => limit - flattenAttributes(resourceAttributes).length;
      if (signal === 'traces') {
        for (const span of list(scope.spans)) {
          items++;
          const fault =
            common ??
            attributesFault(attrs(span), max(FAKE_LIMITS.maxEventAttributes)) ??
            list(span.events)
              .map((event) => attributesFault(attrs(event), max(FAKE_LIMITS.maxEventAttributes)))
              .find(Boolean) ??
            list(span.links)
              .map((link) => attributesFault(attrs(link), max(FAKE_LIMITS.maxEventAttributes)))
              .find(Boolean);
          if (fault) fail(`span ${String(span.name).slice(0, 40)}: ${fault}`);
        }
      } else if (signal === 'logs') {
        for (const log of list(scope.logRecords)) {
          items++;
          const fault = common ?? attributesFault(attrs(log), max(FAKE_LIMITS.maxEventAttributes));
          const time = ageFault(log.timeUnixNano, nowMs, FAKE_LIMITS.maxLogAgeMs, Infinity);
          if (fault) fail(`log record: ${fault}`);
          else if (time) fail(`log record: ${time}`, 'InvalidTimestamp');
        }
      } else {
        for (const metric of list(scope.metrics)) {
          const sum = metric.sum as Node | undefined;
          const data = (sum ??
            metric.gauge ??
            metric.histogram ??
            metric.exponentialHistogram ??
            metric.summary) as Node | undefined;
          for (const point of list(data?.dataPoints)) {
            items++;
            const name = String(metric.name);
            // AGGREGATION_TEMPORALITY_DELTA = 1.
            if (sum && sum.aggregationTemporality === 1 && !sum.isMonotonic) {
              fail(`metric ${name}: non-monotonic delta sums are not supported`, 'UnsupportedData');
              continue;
            }
            const fault =
              common ?? attributesFault(attrs(point), max(FAKE_LIMITS.maxMetricAttributes));
            const time = ageFault(
              point.timeUnixNano,
              nowMs,
              FAKE_LIMITS.maxPointAgeMs,
              FAKE_LIMITS.maxPointAheadMs,
            );
            if (fault) fail(`metric ${name}: ${fault}`);
            else if (time) fail(`metric ${name}: ${time}`, 'InvalidTimestamp');
          }
        }
      }
    }
  }
  return { items, errors };
}

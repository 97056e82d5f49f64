import type { Attributes, Link } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type {
  AnyValueMap,
  ReadableLogRecordLike,
  ReadableSpanLike,
  TimedEventLike,
} from '@otelpack/batching-core';
import { decorateCodec } from '@otelpack/exporter-otlp';
import type { OtlpCodec } from '@otelpack/exporter-otlp';
import { NEW_RELIC_ATTRIBUTE_LIMITS, limitAttributes, truncateText } from './attributes';
import type { AttributeLimits } from './attributes';
import { AttributeBudget } from './budget';

/** What a limit changed in one encoded item, for the exporter's report. */
export interface LimitEvent {
  item: 'resource' | 'scope' | 'span' | 'span event' | 'span link' | 'log record' | 'data point';
  shortened: number;
  dropped: number;
}

export interface NewRelicLimitsOptions {
  /** Spans and logs are events (255 attributes); data points metrics (150). */
  records: 'events' | 'metrics';
  limits?: AttributeLimits;
  /** Told of every item a limit changed; never throws into the encoding. */
  onLimited?: (event: LimitEvent) => void;
}

/** The message of a non-monotonic delta sum, which New Relic does not support and drops. */
export const NON_MONOTONIC_DELTA =
  "a non-monotonic delta sum (an UpDownCounter exported as delta), which New Relic does not support and drops: use cumulative temporality for up-down counters (the preset's default temporality does)";

/** An object that reads as `base` except for the fields given (SDK spans keep state in getters). */
function overlay<T extends object>(base: T, fields: Partial<T>): T {
  const descriptors: PropertyDescriptorMap = {};
  for (const [key, value] of Object.entries(fields)) {
    descriptors[key] = { value, enumerable: true };
  }
  return Object.create(base, descriptors) as T;
}

/**
 * The codec, with New Relic's attribute limits applied to the resources, scopes, spans (their
 * events and links) and log records it encodes (data points: ./points.ts) (pure: the SDK's
 * objects are never changed, a changed copy is encoded) and with non-monotonic delta sums
 * refused, so that the kit counts them rejected instead of New Relic dropping them unseen.
 */
export function withNewRelicLimits(codec: OtlpCodec, options: NewRelicLimitsOptions): OtlpCodec {
  const limits = options.limits ?? NEW_RELIC_ATTRIBUTE_LIMITS;
  const budget = new AttributeBudget(options.records, limits);
  const tell = (item: LimitEvent['item'], shortened: number, dropped: number) => {
    if (shortened + dropped === 0 || !options.onLimited) return;
    try {
      options.onLimited({ item, shortened, dropped });
    } catch {
      // A report must not turn into a failed encoding.
    }
  };

  const limit = <T extends AnyValueMap>(
    item: LimitEvent['item'],
    attributes: T | undefined,
    max: number,
    nameCut = false,
  ) => {
    // A cut name is marked and counted with the attributes shortened (one more).
    const limited = limitAttributes(attributes ?? ({} as T), limits, max, nameCut ? 1 : 0);
    tell(item, limited.shortened, limited.dropped);
    return limited;
  };

  const limitEvent = (event: TimedEventLike, max: number): TimedEventLike => {
    if (!event.attributes && event.name.length <= limits.maxValueLength) return event;
    const name = truncateText(event.name, limits.maxValueLength);
    const { attributes, dropped } = limit('span event', event.attributes, max, name !== event.name);
    if (attributes === event.attributes && name === event.name) return event;
    return {
      ...event,
      name,
      attributes: attributes as Attributes,
      droppedAttributesCount: (event.droppedAttributesCount ?? 0) + dropped,
    };
  };

  const limitLink = (link: Link, max: number): Link => {
    if (!link.attributes) return link;
    const { attributes, dropped } = limit('span link', link.attributes, max);
    if (attributes === link.attributes) return link;
    return {
      ...link,
      attributes: attributes as Attributes,
      droppedAttributesCount: (link.droppedAttributesCount ?? 0) + dropped,
    };
  };

  return decorateCodec(codec, {
    resource(resource) {
      const limited = limit('resource', resource.attributes as AnyValueMap, budget.perRecord);
      if (limited.attributes === resource.attributes) return codec.resource(resource);
      return codec.resource({ ...resource, attributes: limited.attributes as Attributes });
    },

    scope(scope) {
      if (!scope.attributes) return codec.scope(scope);
      const limited = limit('scope', scope.attributes, Infinity);
      if (limited.attributes === scope.attributes) return codec.scope(scope);
      return codec.scope({ ...scope, attributes: limited.attributes });
    },

    span(span: ReadableSpanLike) {
      const max = budget.forRecord(span.resource);
      const name = truncateText(span.name, limits.maxValueLength);
      const own = limit('span', span.attributes as AnyValueMap, max, name !== span.name);
      const events = span.events.map((event) => limitEvent(event, max));
      const links = span.links.map((link) => limitLink(link, max));
      const changed =
        own.attributes !== span.attributes ||
        name !== span.name ||
        events.some((event, i) => event !== span.events[i]) ||
        links.some((link, i) => link !== span.links[i]);
      if (!changed) return codec.span(span);
      return codec.span(
        overlay(span, {
          name,
          attributes: own.attributes as Attributes,
          events,
          links,
          droppedAttributesCount: span.droppedAttributesCount + own.dropped,
        }),
      );
    },

    log(log: ReadableLogRecordLike) {
      const limited = limit('log record', log.attributes, budget.forRecord(log.resource));
      if (limited.attributes === log.attributes) return codec.log(log);
      return codec.log(
        overlay(log, {
          attributes: limited.attributes,
          droppedAttributesCount: log.droppedAttributesCount + limited.dropped,
        }),
      );
    },

    metric(metric) {
      if (
        metric.dataPointType === DataPointType.SUM &&
        !metric.isMonotonic &&
        metric.aggregationTemporality === AggregationTemporality.DELTA
      ) {
        throw new Error(`${metric.descriptor.name} is ${NON_MONOTONIC_DELTA}`);
      }
      return codec.metric(metric);
    },
  });
}

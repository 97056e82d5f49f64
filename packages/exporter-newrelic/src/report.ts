import { diag } from '@opentelemetry/api';
import type { Attributes, Counter, MeterProvider } from '@opentelemetry/api';
import type { LimitEvent } from './limits/codec';

/** The self-metric: attributes New Relic's limits changed, by `reason`. */
export const LIMITED_METRIC = 'otelpack.exporter.newrelic.limited';

/** Why an attribute was counted: its name or value shortened, or the attribute left out. */
export type LimitReason = 'shortened' | 'dropped';

/** What a report has counted so far. */
export interface LimitsTally {
  /** Items (spans, events, links, log records, points, resources) with a change. */
  items: number;
  /** Attributes shortened (name or value). */
  shortened: number;
  /** Attributes left out. */
  dropped: number;
}

/**
 * What New Relic's limits changed, per exporter: counted (readable as `tally()`, and as the
 * `otelpack.exporter.newrelic.limited` counter through the exporter's `selfObsMeterProvider`),
 * and said once at WARN with where to look, since every further change is visible on the record
 * itself (`otelpack.truncated`).
 */
export class LimitsReport {
  private items = 0;
  private shortened = 0;
  private dropped = 0;
  private warned = false;
  private readonly counter?: Counter;
  private readonly attributes: Record<LimitReason, Attributes>;

  constructor(
    private readonly name: string,
    meterProvider?: MeterProvider,
  ) {
    this.counter = meterProvider
      ?.getMeter('@otelpack/exporter-newrelic', '0.1.0')
      .createCounter(LIMITED_METRIC, {
        description:
          "Attributes changed to keep a record within New Relic's limits, by reason: shortened (name or value) or dropped (left out)",
        unit: '{attribute}',
      });
    this.attributes = {
      shortened: { reason: 'shortened', 'otel.component.name': name },
      dropped: { reason: 'dropped', 'otel.component.name': name },
    };
  }

  /** The counts so far (a copy). */
  tally(): LimitsTally {
    return { items: this.items, shortened: this.shortened, dropped: this.dropped };
  }

  readonly record = (event: LimitEvent): void => {
    this.items++;
    this.shortened += event.shortened;
    this.dropped += event.dropped;
    if (event.shortened > 0) this.counter?.add(event.shortened, this.attributes.shortened);
    if (event.dropped > 0) this.counter?.add(event.dropped, this.attributes.dropped);
    if (this.warned) return;
    this.warned = true;
    diag.warn(
      `otelpack ${this.name}: a ${event.item} went past New Relic's attribute limits (names 255 characters, values 4,095, arrays 64 entries, attributes per record), which would make New Relic drop it after answering 2xx: ${event.shortened} attribute(s) shortened and ${event.dropped} left out, and the count set in its otelpack.truncated attribute. Further changes are not logged; query otelpack.truncated in New Relic, or read the ${LIMITED_METRIC} self-metric, to find them.`,
    );
  };
}

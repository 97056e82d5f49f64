import { diag } from '@opentelemetry/api';
import type { LimitEvent } from './limits/codec';

/**
 * What New Relic's limits changed, per exporter: counted, and said once at WARN with where to
 * look, since every further change is visible on the record itself (`otelpack.truncated`).
 */
export class LimitsReport {
  /** Items (spans, events, links, log records, points, resources) with a change. */
  items = 0;
  /** Attributes shortened (name or value). */
  shortened = 0;
  /** Attributes left out. */
  dropped = 0;
  private warned = false;

  constructor(private readonly name: string) {}

  readonly record = (event: LimitEvent): void => {
    this.items++;
    this.shortened += event.shortened;
    this.dropped += event.dropped;
    if (this.warned) return;
    this.warned = true;
    diag.warn(
      `otelpack ${this.name}: a ${event.item} went past New Relic's attribute limits (names 255 characters, values 4,095, arrays 64 entries, attributes per record), which would make New Relic drop it after answering 2xx: ${event.shortened} attribute(s) shortened and ${event.dropped} left out, and the count set in its otelpack.truncated attribute. Further changes are not logged; query otelpack.truncated in New Relic to find them.`,
    );
  };
}

import type { TimeWindows } from '@otelpack/exporter-otlp';

const HOUR_MS = 3_600_000;

/**
 * The timestamps New Relic drops after answering 2xx, refused here instead so the kit counts
 * them `rejected` with the reason:
 * - data points older than 48 h or more than 24 h ahead (docs.newrelic.com, "Metric API limits
 *   and restricted attributes": "dropped");
 * - log records older than 48 h (docs.newrelic.com, "Log event data": payloads with older
 *   timestamps may be dropped); New Relic documents no limit ahead for logs, so none is applied.
 * Spans are not checked: New Relic documents no window for OTLP spans.
 */
export const NEW_RELIC_TIME_WINDOWS: TimeWindows = {
  backend: 'New Relic',
  points: { maxAgeMs: 48 * HOUR_MS, maxAheadMs: 24 * HOUR_MS },
  logs: { maxAgeMs: 48 * HOUR_MS, maxAheadMs: Number.POSITIVE_INFINITY },
};

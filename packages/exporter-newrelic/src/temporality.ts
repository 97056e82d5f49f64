import { AggregationTemporality } from '@otelpack/batching-core';
import type { InstrumentType } from '@otelpack/batching-core';

/**
 * New Relic's preference (docs.newrelic.com, "OpenTelemetry metrics in New Relic"): delta for
 * monotonic sums and histograms, which become `count` and `distribution` without the
 * cumulative-to-delta conversion New Relic otherwise keeps state for; cumulative for up-down
 * counters, since a non-monotonic *delta* sum is not supported and dropped; cumulative for
 * gauges, so that a synchronous gauge keeps reporting its last value instead of only the
 * series written since the previous export.
 */
export function newRelicTemporality(instrumentType: InstrumentType): AggregationTemporality {
  switch (instrumentType) {
    case 'COUNTER':
    case 'OBSERVABLE_COUNTER':
    case 'HISTOGRAM':
      return AggregationTemporality.DELTA;
    default:
      return AggregationTemporality.CUMULATIVE;
  }
}

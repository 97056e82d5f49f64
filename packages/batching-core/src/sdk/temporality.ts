import { InvalidConfigError } from '../errors';
import { AggregationTemporality } from './types';
import type { InstrumentType } from './types';

/**
 * - `cumulative`: every instrument cumulative (Prometheus remote write, ClickHouse, Elasticsearch).
 * - `delta`: counters, observable counters and histograms delta; up-down counters cumulative, as
 *   the OTLP exporters' delta preference does (Datadog, New Relic, Dynatrace).
 * - `lowmemory`: synchronous counters and histograms delta, the rest cumulative.
 */
export type TemporalityPreference = 'cumulative' | 'delta' | 'lowmemory';

/** The `temporality` option: a preference, or the SDK's own selector function. */
export type TemporalityOption =
  TemporalityPreference | ((instrumentType: InstrumentType) => AggregationTemporality);

export function temporalitySelector(
  preference: TemporalityOption,
): (instrumentType: InstrumentType) => AggregationTemporality {
  if (typeof preference === 'function') return preference;
  const { CUMULATIVE, DELTA } = AggregationTemporality;
  switch (preference) {
    case 'cumulative':
      return () => CUMULATIVE;
    case 'delta':
      return (type) =>
        type === 'UP_DOWN_COUNTER' || type === 'OBSERVABLE_UP_DOWN_COUNTER' ? CUMULATIVE : DELTA;
    case 'lowmemory':
      return (type) => (type === 'COUNTER' || type === 'HISTOGRAM' ? DELTA : CUMULATIVE);
    default:
      throw new InvalidConfigError(
        'temporality',
        `expected 'cumulative', 'delta', 'lowmemory' or a selector function, got ${JSON.stringify(preference)}`,
      );
  }
}

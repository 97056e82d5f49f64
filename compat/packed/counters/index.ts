import type { BackendCounter } from './counter';
import { clickhouse } from './clickhouse';
import { dynatrace } from './dynatrace';
import { datadog } from './datadog';
import { elasticsearch } from './elasticsearch';
import { lightstep, newrelic, otlp } from './otlp';
import { victoriametrics } from './victoriametrics';

/**
 * A counter for every integration backend an exporter package names (its options definition's
 * `backend`, the id in integration/src/backends). A new exporter's backend needs one: a file
 * here and its line below; without it the smoke test fails and says so.
 */
export const COUNTERS: Record<string, BackendCounter> = {
  clickhouse,
  dynatrace,
  datadog,
  elasticsearch,
  lightstep,
  newrelic,
  otlp,
  victoriametrics,
};

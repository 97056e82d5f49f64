import type { BackendDefinition } from '../backend';
import { victoriametrics } from './victoriametrics';
import { prometheus } from './prometheus';
import { clickhouse } from './clickhouse';
import { elasticsearch } from './elasticsearch';
import { lightstep } from './lightstep';
import { newrelic } from './newrelic';
import { dynatrace } from './dynatrace';
import { otlp } from './otlp';
import { datadog } from './datadog';

/**
 * Every backend the harness knows. Adding one: a file in this folder exporting its
 * BackendDefinition, and its line here.
 */
export const BACKENDS: BackendDefinition[] = [
  victoriametrics,
  prometheus,
  clickhouse,
  elasticsearch,
  otlp,
  lightstep,
  newrelic,
  dynatrace,
  datadog,
];

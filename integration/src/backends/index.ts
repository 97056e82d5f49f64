import type { BackendDefinition } from '../backend';
import { victoriametrics } from './victoriametrics';
import { prometheus } from './prometheus';
import { clickhouse } from './clickhouse';
import { elasticsearch } from './elasticsearch';
import { lightstep } from './lightstep';
import { newrelic } from './newrelic';
import { otlp } from './otlp';
import { splunkHec } from './splunk-hec';

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
  splunkHec,
];

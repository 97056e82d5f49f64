import { TLS_FIELDS, defineExporterOptions, enumOption, fromText } from '@otelpack/batching-core';
import type { OptionKind, TemporalityOption } from '@otelpack/batching-core';
import { TEMPORALITY_VARIABLE } from '@otelpack/exporter-otlp';
import type { OtlpPresetOptions } from '@otelpack/exporter-otlp';
import { newRelicTemporality } from './temporality';

export type NewRelicRegion = 'us' | 'eu' | 'fedramp';

/**
 * New Relic's OTLP/HTTP endpoints per data center (docs.newrelic.com, "OpenTelemetry: OTLP
 * endpoint configuration"): the signal paths are OTLP's own, `/v1/<signal>`.
 */
export const OTLP_HOSTS: Record<NewRelicRegion, string> = {
  us: 'https://otlp.nr-data.net',
  eu: 'https://otlp.eu01.nr-data.net',
  fedramp: 'https://gov-otlp.nr-data.net',
};

/** New Relic's limit per POST: 1 MB, 10^6 bytes, compressed (Metric/Log/Trace API limits). */
export const MAX_PAYLOAD_BYTES = 1_000_000;

/**
 * The delivery core's defaults for New Relic, and why:
 * - maxBatchBytes 900,000 of uncompressed protobuf: a request's body never passes New Relic's
 *   10^6 bytes, with or without gzip (which never grows protobuf by more than a few bytes per
 *   16 KiB), leaving 100 kB for the resource and scope headers a batch repeats; a 413 still
 *   halves the batch, which the official OTLP exporters count as a permanent loss.
 * - maxBatchItems 512: the SDK processors' batch.
 */
export const NEW_RELIC_PIPELINE_DEFAULTS = {
  maxBatchItems: 512,
  maxBatchBytes: 900_000,
};

export interface NewRelicExporterOptions extends OtlpPresetOptions {
  /**
   * `{ apiKey }`: the account's license key (INGEST - LICENSE, 40 characters). Or
   * `NEW_RELIC_LICENSE_KEY`. Checked at construction; user, browser and insert keys are refused.
   */
  auth?: { apiKey: string };
  /**
   * The account's data center: `us`, `eu` or `fedramp`. Default: `eu` for a license key that
   * starts with `eu01x`, else `us`. With `url`, not used; no license key is required then.
   */
  region?: NewRelicRegion;
}

export interface NewRelicMetricExporterOptions extends NewRelicExporterOptions {
  /**
   * Default: delta for counters and histograms, cumulative for up-down counters and gauges
   * (`newRelicTemporality`): New Relic drops non-monotonic delta sums. Or `cumulative`,
   * `delta`, `lowmemory` or a selector.
   */
  temporality?: TemporalityOption;
}

const REGIONS: readonly NewRelicRegion[] = ['us', 'eu', 'fedramp'];

/** `region`, or NEW_RELIC_REGION; unset, the license key's prefix decides (config.ts). */
const regionKind: OptionKind<NewRelicRegion | undefined> = {
  parse: (value, source) =>
    value === undefined
      ? undefined
      : enumOption<NewRelicRegion>(
          source,
          typeof value === 'string' ? value.toLowerCase() : value,
          REGIONS,
          'us',
        ),
  fromText: fromText.string,
  env: ['NEW_RELIC_REGION'],
};

export const NEW_RELIC_OPTIONS = defineExporterOptions({
  backend: 'newrelic',
  url: {},
  headers: {},
  auth: {
    forms: ['apiKey'],
    env: { apiKey: ['NEW_RELIC_LICENSE_KEY'] },
    // New Relic's documents set the key as an `api-key` header: one given in code is the key.
    credentialHeaders: ['api-key'],
  },
  tls: { fields: TLS_FIELDS },
  compression: { default: 'gzip' },
  timeoutMs: { default: 10_000 },
  connectTimeoutMs: { default: 10_000 },
  temporality: { default: newRelicTemporality, env: [TEMPORALITY_VARIABLE] },
  own: {
    region: regionKind,
  },
  pipelineDefaults: NEW_RELIC_PIPELINE_DEFAULTS,
});

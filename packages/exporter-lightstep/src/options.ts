import { TLS_FIELDS, defineExporterOptions, optionKinds } from '@otelpack/batching-core';
import type {
  HeaderProvider,
  KitOptions,
  PipelineTuning,
  TemporalityOption,
  TlsOptions,
} from '@otelpack/batching-core';
import { EXPORTER_PIPELINE_DEFAULTS, TEMPORALITY_VARIABLE } from '@otelpack/exporter-otlp';
import type { OtlpRecord } from '@otelpack/exporter-otlp';

export type LightstepRegion = 'us' | 'eu';

/** ServiceNow Cloud Observability's OTLP/HTTP ingest, per region (BACKENDS.md, the launcher). */
export const INGEST_HOSTS: Record<LightstepRegion, string> = {
  us: 'https://ingest.lightstep.com',
  eu: 'https://ingest.eu.lightstep.com',
};

/** The OTLP/HTTP paths of the ingest (protobuf). */
export const INGEST_PATHS = { traces: '/traces/otlp/v0.9', metrics: '/metrics/otlp/v0.9' } as const;

export interface LightstepExporterOptions
  extends Omit<PipelineTuning<OtlpRecord>, 'requestTimeoutMs'>, KitOptions {
  /** `{ token }`: the project's access token (32, 84 or 104 characters). Or `LS_ACCESS_TOKEN`. */
  auth?: { token: string };
  /** `us` (default, ingest.lightstep.com) or `eu` (ingest.eu.lightstep.com). */
  region?: LightstepRegion;
  /**
   * Another receiver (a Collector or satellite in front of Cloud Observability): a URL with a
   * path is used as it is, one without gets the ingest's path. No token is required then.
   */
  url?: string | URL | (string | URL)[];
  /** `service.name` for resources that lack one (or `LS_SERVICE_NAME`). */
  serviceName?: string;
  /** `service.version` for resources that lack one (or `LS_SERVICE_VERSION`). */
  serviceVersion?: string;
  headers?: Record<string, string> | HeaderProvider;
  tls?: TlsOptions;
  /** `gzip` (default) or `none`. */
  compression?: 'gzip' | 'none';
  /** Default 10,000. */
  timeoutMs?: number;
  /** Default 10,000. */
  connectTimeoutMs?: number;
  /** Default `lightstep`. */
  name?: string;
}

export interface LightstepMetricExporterOptions extends LightstepExporterOptions {
  /** Cloud Observability takes both; `cumulative` (default), `delta`, `lowmemory` or a selector. */
  temporality?: TemporalityOption;
}

export const LIGHTSTEP_OPTIONS = defineExporterOptions({
  backend: 'lightstep',
  url: {},
  headers: {},
  auth: {
    forms: ['token'],
    env: { token: ['LS_ACCESS_TOKEN'] },
    // A token given in code as the ingest's header is the token: LS_ACCESS_TOKEN must not replace it.
    credentialHeaders: ['lightstep-access-token'],
  },
  tls: { fields: TLS_FIELDS },
  compression: { default: 'gzip' },
  timeoutMs: { default: 10_000 },
  connectTimeoutMs: { default: 10_000 },
  temporality: { default: 'cumulative', env: [TEMPORALITY_VARIABLE] },
  own: {
    region: optionKinds.oneOf(['us', 'eu'], { default: 'us' }),
    serviceName: optionKinds.string({ env: ['LS_SERVICE_NAME'] }),
    serviceVersion: optionKinds.string({ env: ['LS_SERVICE_VERSION'] }),
  },
  pipelineDefaults: EXPORTER_PIPELINE_DEFAULTS,
});

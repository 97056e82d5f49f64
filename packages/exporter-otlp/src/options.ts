import {
  InvalidConfigError,
  TLS_FIELDS,
  defineExporterOptions,
  describeValue,
  enumOption,
  optionKinds,
} from '@otelpack/batching-core';
import type {
  ExporterAuth,
  HeaderProvider,
  KitOptions,
  OptionKind,
  PipelineTuning,
  TemporalityOption,
  TlsOptions,
} from '@otelpack/batching-core';
import { TEMPORALITY_VARIABLE, otlpVariables } from './environment';
import type { OtlpRecord } from './records';

export type OtlpEncoding = 'protobuf' | 'json';

/**
 * The exporter's options: the pack's shared vocabulary, OTLP's own (encoding, TLS files), and
 * the core's pipeline options at the same level. Every option's environment variable is in the
 * README's table; the `OTEL_EXPORTER_OTLP_*` ones follow the specification.
 */
export interface OtlpExporterOptions
  extends Omit<PipelineTuning<OtlpRecord>, 'requestTimeoutMs'>, KitOptions {
  /**
   * The receiver: a signal URL (`https://collector:4318/v1/traces`), used as it is, or a base
   * URL without a path (`https://collector:4318`), to which `/v1/<signal>` is appended; a list
   * for failover. Default `http://localhost:4318`.
   */
  url?: string | URL | (string | URL)[];
  /** Headers on every request (e.g. an API key), or a function called before each. */
  headers?: Record<string, string> | HeaderProvider;
  /** `{ username, password }` (basic) or `{ bearerToken }`. */
  auth?: Extract<ExporterAuth, { username: string } | { bearerToken: string }>;
  tls?: TlsOptions;
  /** `protobuf` (default) or `json`. */
  encoding?: OtlpEncoding;
  /** `gzip` (default) or `none`. */
  compression?: 'gzip' | 'none';
  /** One request's deadline (ms). Default 10,000, as the specification's. */
  timeoutMs?: number;
  /** Default 10,000. */
  connectTimeoutMs?: number;
  /** PEM file of the CA(s) to trust for the receiver's certificate (`tls.ca` wins). */
  certificateFile?: string;
  /** PEM file of the client certificate for mutual TLS (`tls.cert` wins). */
  clientCertificateFile?: string;
  /** PEM file of the client certificate's private key (`tls.key` wins). */
  clientKeyFile?: string;
  /** In logs, stats and self-telemetry. Default `otlp`. */
  name?: string;
}

export interface OtlpMetricExporterOptions extends OtlpExporterOptions {
  /** `cumulative` (default), `delta`, `lowmemory`, or a selector function. */
  temporality?: TemporalityOption;
}

export const DEFAULT_BASE_URL = 'http://localhost:4318';

const PROTOCOLS: Record<string, OtlpEncoding | undefined> = {
  'http/protobuf': 'protobuf',
  'http/json': 'json',
};

/** `encoding` in code; from OTEL_EXPORTER_OTLP_PROTOCOL, `http/protobuf` or `http/json`. */
const encodingKind: OptionKind<OtlpEncoding> = {
  parse: (value, source) =>
    enumOption<OtlpEncoding>(source, value, ['protobuf', 'json'], 'protobuf'),
  fromText: (text, variable) => {
    const protocol = text.trim().toLowerCase();
    // Own keys only: `constructor` read Object.prototype's and was refused as "a function".
    const encoding = Object.hasOwn(PROTOCOLS, protocol) ? PROTOCOLS[protocol] : undefined;
    if (encoding) return encoding;
    if (protocol === 'grpc') {
      throw new InvalidConfigError(
        variable,
        "grpc is not supported by @otelpack/exporter-otlp, which speaks OTLP/HTTP only: set http/protobuf (and the receiver's HTTP port, usually 4318), or use @opentelemetry/exporter-trace-otlp-grpc",
      );
    }
    throw new InvalidConfigError(
      variable,
      `expected http/protobuf or http/json, got ${describeValue(text)}`,
    );
  },
  env: otlpVariables('PROTOCOL'),
  defaultValue: 'protobuf',
};

/**
 * The delivery core's defaults for OTLP, and why:
 * - maxBatchItems 512: the BatchSpanProcessor's and the official exporters' batch.
 * - maxBatchBytes 4 MiB of uncompressed protobuf: the Collector's OTLP/HTTP receiver takes 20 MiB
 *   by default (confighttp max_request_body_size), vendors less (New Relic 1 MB compressed,
 *   Dynatrace 2–8 MB): a request stays well under all of them, and a 413 halves it anyway.
 */
export const EXPORTER_PIPELINE_DEFAULTS = {
  maxBatchItems: 512,
  maxBatchBytes: 4 * 1024 * 1024,
};

export const OTLP_OPTIONS = defineExporterOptions({
  backend: 'otlp',
  url: { default: DEFAULT_BASE_URL, env: otlpVariables('ENDPOINT') },
  headers: { env: otlpVariables('HEADERS'), mergeVariables: true },
  auth: { forms: ['basic', 'bearerToken'] },
  tls: { fields: TLS_FIELDS },
  compression: { default: 'gzip', env: otlpVariables('COMPRESSION') },
  timeoutMs: { default: 10_000, env: otlpVariables('TIMEOUT') },
  connectTimeoutMs: { default: 10_000 },
  temporality: { default: 'cumulative', env: [TEMPORALITY_VARIABLE] },
  own: {
    encoding: encodingKind,
    certificateFile: optionKinds.string({ env: otlpVariables('CERTIFICATE') }),
    clientCertificateFile: optionKinds.string({ env: otlpVariables('CLIENT_CERTIFICATE') }),
    clientKeyFile: optionKinds.string({ env: otlpVariables('CLIENT_KEY') }),
  },
  pipelineDefaults: EXPORTER_PIPELINE_DEFAULTS,
});

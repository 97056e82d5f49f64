import type {
  HeaderProvider,
  KitOptions,
  PipelineTuning,
  TlsOptions,
} from '@otelpack/batching-core';
import type { OtlpRecord } from './records';

/**
 * The options every vendor preset of this exporter takes besides its own (auth, region, …):
 * the transport's and the core's pipeline options, under the pack's shared names.
 */
export interface OtlpPresetOptions
  extends Omit<PipelineTuning<OtlpRecord>, 'requestTimeoutMs'>, KitOptions {
  /**
   * Another receiver (a Collector or gateway in front of the vendor): a URL with a path is used
   * as it is, one without gets the vendor's path.
   */
  url?: string | URL | (string | URL)[];
  /** Headers on every request, or a function called before each. */
  headers?: Record<string, string> | HeaderProvider;
  tls?: TlsOptions;
  /** `gzip` (default) or `none`. */
  compression?: 'gzip' | 'none';
  /** One request's deadline (ms). Default 10,000. */
  timeoutMs?: number;
  /** Default 10,000. */
  connectTimeoutMs?: number;
  /** In logs, stats and self-telemetry. Default: the vendor's name. */
  name?: string;
}

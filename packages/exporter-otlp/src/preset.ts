import { redactUrl } from '@otelpack/batching-core';
import type { HeaderMap, ResolvedOptions } from '@otelpack/batching-core';
import type { OtlpConfig } from './config';

/**
 * The sender's configuration for a vendor preset (New Relic, Lightstep, Dynatrace): protobuf,
 * gzip unless told otherwise, and the endpoints: the vendor's URL for the signal, or the user's
 * `url` when one was given (a receiver in front of the vendor), a URL with a path used as it is
 * and one without given the vendor's `path`. `headers` carry the preset's auth header.
 */
export function presetConfig(
  config: ResolvedOptions<unknown>,
  vendor: { url: URL; path: string; headers: HeaderMap },
): OtlpConfig {
  const custom = config.sourceOf('url') !== undefined;
  const urls = custom
    ? config.urls.map((base) => {
        const url = new URL(base.href);
        if (url.pathname === '/' || url.pathname === '') url.pathname = vendor.path;
        return url;
      })
    : [vendor.url];
  return {
    name: config.name,
    signal: config.signal,
    endpoints: urls.map((url) => ({ url, display: redactUrl(url) })),
    encoding: 'protobuf',
    compression: config.compression ?? 'gzip',
    headers: vendor.headers,
    headerProvider: config.headerProvider,
    tls: config.tls,
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
  };
}

import { diag } from '@opentelemetry/api';
import { InvalidConfigError } from '@otelpack/batching-core';
import type { ResolvedOptions } from '@otelpack/batching-core';
import { SIGNAL_PATHS, presetConfig } from '@otelpack/exporter-otlp';
import type { OtlpConfig } from '@otelpack/exporter-otlp';
import type { NEW_RELIC_OPTIONS, NewRelicRegion } from './options';
import { OTLP_HOSTS } from './options';

export type NewRelicResolved = ReturnType<typeof NEW_RELIC_OPTIONS.resolve>;

/** The header New Relic's OTLP endpoint reads the license key from. */
export const KEY_HEADER = 'api-key';

/** A license key's length (docs.newrelic.com, "New Relic API keys": INGEST - LICENSE). */
export const LICENSE_KEY_LENGTH = 40;

/**
 * The keys people paste instead of a license key, by their documented prefixes, and why the
 * OTLP endpoint refuses them (docs.newrelic.com, "New Relic API keys"). The prefix is not
 * quoted in the error: no part of a key, however public, is echoed.
 */
export const OTHER_KEYS: readonly { prefix: string; what: string }[] = [
  {
    prefix: 'NRII-',
    what: 'an Insights insert key, which the Event API takes but the OTLP endpoint does not',
  },
  {
    prefix: 'NRAK-',
    what: 'a user key, which is for NerdGraph and REST queries, not for sending data',
  },
  {
    prefix: 'NRJS-',
    what: 'a browser key, which only the browser agent sends with',
  },
];

/**
 * The data center a license key names: keys of accounts outside the US start with the region
 * and `x` (`eu01xx…`), which New Relic's agents read to pick their collector.
 */
export function regionOfKey(key: string): NewRelicRegion | undefined {
  return /^eu\d\dx/i.test(key) ? 'eu' : undefined;
}

const HOW_TO_GET =
  "use the account's license key: API keys → INGEST - LICENSE (40 letters and digits)";

/**
 * A key of the wrong kind or shape is refused here, at construction, rather than answered 403
 * by New Relic at every export. Its text is never echoed: only its length and kind.
 */
export function checkLicenseKey(key: string, source: string): void {
  const option = source === 'auth' ? 'auth.apiKey' : source;
  const other = OTHER_KEYS.find((k) => key.toUpperCase().startsWith(k.prefix));
  if (other) throw new InvalidConfigError(option, `this is ${other.what}; ${HOW_TO_GET}`);
  if (/\s/.test(key)) {
    throw new InvalidConfigError(
      option,
      `the key contains whitespace (a line break copied with it?); ${HOW_TO_GET}`,
    );
  }
  if (key.length !== LICENSE_KEY_LENGTH || !/^[A-Za-z0-9]+$/.test(key)) {
    throw new InvalidConfigError(
      option,
      `a license key is ${LICENSE_KEY_LENGTH} letters and digits; this one has ${key.length} characters${/^[A-Za-z0-9]*$/.test(key) ? '' : ' and others'}; ${HOW_TO_GET}`,
    );
  }
}

/**
 * No key for New Relic: every export will be refused. Said at ERROR when the exporter is made,
 * not thrown: an exporter made before its configuration is complete must still construct, and
 * the 403s are counted as rejected and reported as well.
 */
export const MISSING_KEY =
  'no license key for New Relic: set NEW_RELIC_LICENSE_KEY or auth: { apiKey } (API keys → INGEST - LICENSE); until then every export is refused (401/403) and counted as rejected';

/** The region: the option (or NEW_RELIC_REGION), else the key's, else `us`; a conflict throws. */
export function resolveRegion(config: NewRelicResolved, key: string | undefined): NewRelicRegion {
  const chosen = config.own.region;
  const fromKey = key === undefined ? undefined : regionOfKey(key);
  if (chosen !== undefined && fromKey !== undefined && chosen !== fromKey) {
    throw new InvalidConfigError(
      config.sourceOf('region') ?? 'region',
      `'${chosen}', but the license key's shape is that of an ${fromKey.toUpperCase()} account's key (the region New Relic's agents read from it): New Relic refuses it at the ${chosen.toUpperCase()} endpoint; set region '${fromKey}' or leave it unset`,
    );
  }
  return chosen ?? fromKey ?? 'us';
}

/** What exporter-otlp's sender needs, from the preset's options. */
export function newRelicConfig(config: NewRelicResolved): OtlpConfig {
  const auth = config.auth as { apiKey: string } | undefined;
  const headers = config.headers;
  // New Relic's documents give the key as an `api-key` header: one the user set (in code, which
  // keeps NEW_RELIC_LICENSE_KEY out, or in the headers' variable) is the key as much as `auth`.
  const headerName = Object.keys(headers).find((name) => name.toLowerCase() === KEY_HEADER);
  const key = auth?.apiKey ?? (headerName === undefined ? undefined : headers[headerName]);
  const keySource = auth
    ? (config.sourceOf('auth') ?? 'auth')
    : `${config.sourceOf('headers') ?? 'headers'} (${headerName})`;
  if (key !== undefined) checkLicenseKey(key, keySource);
  const region = resolveRegion(config, key);
  if (key === undefined && config.sourceOf('url') === undefined) {
    diag.error(`otelpack ${config.name}: ${MISSING_KEY}`);
  }
  if (auth) {
    // One header, however the user wrote its name: `auth` is the key.
    if (headerName !== undefined) delete headers[headerName];
    headers[KEY_HEADER] = auth.apiKey;
  }
  const path = SIGNAL_PATHS[config.signal];
  // New Relic's advice: protobuf over HTTP, which presetConfig sets.
  return presetConfig(config as ResolvedOptions<unknown>, {
    url: new URL(path, OTLP_HOSTS[region]),
    path,
    headers,
  });
}

import { randomUUID } from 'node:crypto';
import { HecFake } from '../../../../integration/src/fakes/hec-fake';
import type { HecTokenConfig } from '../../../../integration/src/fakes/hec-fake';
import { SPLUNK_HEC_OPTIONS, hecConfig } from '../../src';
import type { HecConfig, SplunkHecExporterOptions } from '../../src';

export { HecFake };

/** A fresh token for a test, with the fake's per-token behaviour. */
export function newToken(config: Omit<HecTokenConfig, 'token'> = {}): HecTokenConfig {
  return { token: randomUUID(), ...config };
}

/** The sender's configuration for options, as the exporter resolves it. */
export function configFor(
  options: SplunkHecExporterOptions,
  signal: 'logs' | 'traces' | 'metrics' = 'logs',
): HecConfig {
  return hecConfig(SPLUNK_HEC_OPTIONS.resolve(options, signal));
}

import type { Signal } from '@otelpack/batching-core';
import { codecFor, logMapping, metricMapping, spanMapping } from '../../src';
import type { OtlpEncoding, OtlpRecord } from '../../src';

/** SDK items through this package's mapping, as the exporter queues them (all must map). */
export function mapWithOurs(
  signal: Signal,
  items: readonly unknown[],
  encoding: OtlpEncoding,
): OtlpRecord[] {
  const codec = codecFor(encoding);
  const mapping =
    signal === 'traces'
      ? spanMapping(codec)
      : signal === 'logs'
        ? logMapping(codec)
        : metricMapping(codec);
  const { records, unmapped } = (
    mapping.map as (items: readonly unknown[]) => {
      records: OtlpRecord[];
      unmapped: unknown[];
    }
  )(items);
  if (unmapped.length > 0) throw new Error(`unmapped: ${JSON.stringify(unmapped)}`);
  return records;
}

/** SDK items through this package's mapping and request encoder, as the exporter does. */
export function encodeWithOurs(
  signal: Signal,
  items: readonly unknown[],
  encoding: OtlpEncoding,
): Buffer {
  return codecFor(encoding).request(mapWithOurs(signal, items, encoding), signal);
}

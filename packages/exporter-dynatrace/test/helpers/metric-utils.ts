import { createRequire } from 'node:module';

/** The parts of @dynatrace/metric-utils the oracle test and the benchmark use. */
export interface MetricUtils {
  normalizeMetricKey(key: string): string | null;
  normalizeDimensionKey(key: string): string | null;
  normalizeDimensionValue(value: string): string;
  MetricFactory: new (options?: {
    prefix?: string;
    defaultDimensions?: { key: string; value: string }[];
    staticDimensions?: { key: string; value: string }[];
  }) => {
    createGauge(
      name: string,
      dims: { key: string; value: string }[],
      value: number,
      time?: Date,
    ): Serializable | null;
    createCounterDelta(
      name: string,
      dims: { key: string; value: string }[],
      value: number,
      time?: Date,
    ): Serializable | null;
    createSummary(
      name: string,
      dims: { key: string; value: string }[],
      value: { min: number; max: number; sum: number; count: number },
      time?: Date,
    ): Serializable | null;
  };
}

interface Serializable {
  serialize(): string | null;
}

/**
 * The package, from node_modules where it installs, else from a build named by DT_METRIC_UTILS;
 * undefined when neither is there.
 */
export function loadMetricUtils(): MetricUtils | undefined {
  for (const name of ['@dynatrace/metric-utils', process.env.DT_METRIC_UTILS]) {
    if (!name) continue;
    try {
      return createRequire(__filename)(name) as MetricUtils;
    } catch {
      // try the next
    }
  }
  return undefined;
}

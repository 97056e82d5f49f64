export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The value below which `fraction` of the values lie (linear between neighbours). */
export function quantile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * fraction;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

/**
 * Half the interquartile range: how far a median of many runs' differences may be off, where a
 * relative spread (max − min) of a difference near 0 means nothing and one outlier sets it.
 */
export function halfIqr(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return (quantile(values, 0.75) - quantile(values, 0.25)) / 2;
}

/** Relative spread (max - min) / median: how far to trust a median of few runs. */
export function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Items per second of `run` (which handles `items` items each call), called for `roundMs`. */
export function throughput(items: number, run: () => void, roundMs: number): number {
  let done = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < roundMs) {
    run();
    done += items;
    elapsed = performance.now() - started;
  }
  return (done / elapsed) * 1000;
}

/**
 * A variant's figures over rounds, against an anchor run in the same rounds: the medians of its
 * records per second and CPU per record, and of its per-round ratios to the anchor (wall, and
 * CPU as the anchor's over its own), with the wall ratios' spread.
 */
export function figuresOverRounds(rounds: {
  recordsPerSec: readonly number[];
  ratios: readonly number[];
  cpuNsPerRecord: readonly number[];
  cpuRatios: readonly number[];
}): {
  recordsPerSec: number;
  ratioToAnchor: number;
  spread: number;
  cpuNsPerRecord: number;
  cpuRatioToAnchor: number;
} {
  return {
    recordsPerSec: round(median(rounds.recordsPerSec), 0),
    ratioToAnchor: round(median(rounds.ratios), 3),
    spread: round(spread(rounds.ratios), 3),
    cpuNsPerRecord: round(median(rounds.cpuNsPerRecord), 0),
    cpuRatioToAnchor: round(median(rounds.cpuRatios), 3),
  };
}

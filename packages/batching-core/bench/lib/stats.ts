export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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

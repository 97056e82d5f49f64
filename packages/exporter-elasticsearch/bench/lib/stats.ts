export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** (max - min) / median: how much the runs disagree. */
export function spread(values: number[]): number {
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

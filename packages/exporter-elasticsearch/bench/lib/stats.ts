export { median, round, spread } from '../../../batching-core/bench/lib/stats';

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

import type { BackendCounter } from './counter';
import { getText } from './counter';

/**
 * The OTLP receiver fake (the integration harness's `otlp` and `lightstep` backends) and the New
 * Relic fake (`newrelic`), which keeps its requests the same way: the spans,
 * log records or data points of every request of the signal it decoded.
 */
function fakeCounter(signals: BackendCounter['signals']): BackendCounter {
  return {
    signals,
    async count(url, signal) {
      const text = await getText(`${url}/_otelpack_fake/requests?signal=${signal}`);
      return (JSON.parse(text) as { items: number }[]).reduce((sum, r) => sum + r.items, 0);
    },
  };
}

export const otlp = fakeCounter(['traces', 'logs', 'metrics']);

/** The New Relic fake stores what it decoded the same way, every signal. */
export const newrelic = fakeCounter(['traces', 'logs', 'metrics']);

/** Cloud Observability takes traces and metrics from the preset. */
export const lightstep = fakeCounter(['traces', 'metrics']);

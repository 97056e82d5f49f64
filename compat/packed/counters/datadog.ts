import type { BackendCounter } from './counter';
import { getText } from './counter';

/**
 * The Datadog fake (the integration harness's `datadog` backend: trace Agent and logs intake on
 * one port): the spans and log entries it took, from its `/_otelpack_fake/counts`.
 */
export const datadog: BackendCounter = {
  signals: ['traces', 'logs'],
  async count(url, signal) {
    const counts = JSON.parse(await getText(`${url}/_otelpack_fake/counts`)) as Record<
      string,
      number
    >;
    return counts[signal] ?? 0;
  },
};

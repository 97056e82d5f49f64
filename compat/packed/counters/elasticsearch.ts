import type { BackendCounter } from './counter';
import { getText } from './counter';

/**
 * Elasticsearch (the integration harness's fake, or a real one): the documents of every data
 * stream and index whose name holds the signal's word, the way the exporters name them by
 * default (`traces-generic.otel-default`, `logs-…`, `metrics-…`) and as a user's `index` usually
 * would. A wildcard that matches nothing counts 0.
 */
export const elasticsearch: BackendCounter = {
  signals: ['traces', 'logs', 'metrics'],
  async count(url, signal) {
    const text = await getText(`${url}/*${signal}*/_count?allow_no_indices=true`);
    return (JSON.parse(text) as { count: number }).count;
  },
};

import type { BackendCounter } from './counter';
import { getText } from './counter';
import { HARNESS_TOKEN } from '../../../integration/src/fakes/hec-fake';
import type { HecStoredEvent } from '../../../integration/src/fakes/hec-fake';
import type { Signal } from '../snippets';

/** Which signal an event the HEC exporter wrote belongs to (its mapping's three shapes). */
function signalOf(event: HecStoredEvent): Signal {
  if (event.event === 'metric') return 'metrics';
  const span = event.event as Record<string, unknown> | null;
  if (span && typeof span === 'object' && 'span_id' in span && 'start_time' in span)
    return 'traces';
  return 'logs';
}

/**
 * The HEC fake (the integration harness's `splunk_hec` backend): the events stored for the
 * harness's token, by the signal their shape says (the backend's clientEnvironment gives the
 * snippet that token, as a user gives theirs, in SPLUNK_HEC_TOKEN).
 */
export const splunkHec: BackendCounter = {
  signals: ['traces', 'logs', 'metrics'],
  async count(url, signal) {
    const text = await getText(`${url}/_otelpack_fake/events?token=${HARNESS_TOKEN}`);
    return (JSON.parse(text) as HecStoredEvent[]).filter((e) => signalOf(e) === signal).length;
  },
};

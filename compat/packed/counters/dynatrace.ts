import type { BackendCounter } from './counter';
import { getText } from './counter';

/**
 * The Dynatrace ingest fake (the integration harness's `dynatrace` backend): the data lines it
 * took (metadata lines are not data), and the spans and log records of the OTLP requests it
 * decoded.
 */
export const dynatrace: BackendCounter = {
  signals: ['traces', 'logs', 'metrics'],
  async count(url, signal) {
    if (signal === 'metrics') {
      const text = await getText(`${url}/_otelpack_fake/lines`);
      return (JSON.parse(text) as { parsed: { kind: string } }[]).filter(
        (l) => l.parsed.kind === 'data',
      ).length;
    }
    const text = await getText(`${url}/_otelpack_fake/otlp?signal=${signal}`);
    return (JSON.parse(text) as { items: number }[]).reduce((sum, r) => sum + r.items, 0);
  },
};

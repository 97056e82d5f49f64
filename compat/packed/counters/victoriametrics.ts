import type { BackendCounter } from './counter';
import { getText } from './counter';

/**
 * VictoriaMetrics: every raw sample of every series, from /api/v1/export (one JSON object per
 * series and line, with its `values`). Samples, not series: a second run of the same snippet
 * writes new samples into the series the first one made. New samples wait in memory until
 * /internal/force_flush.
 */
export const victoriametrics: BackendCounter = {
  signals: ['metrics'],
  async count(url) {
    await getText(`${url}/internal/force_flush`);
    const text = await getText(
      `${url}/api/v1/export?${new URLSearchParams({ 'match[]': '{__name__=~".+"}' })}`,
    );
    let samples = 0;
    for (const line of text.split('\n')) {
      if (line.trim() !== '') samples += (JSON.parse(line) as { values: unknown[] }).values.length;
    }
    return samples;
  },
};

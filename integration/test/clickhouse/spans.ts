import { randomBytes } from 'node:crypto';
import type { ReadableSpanLike } from '@otelpack/batching-core';

/**
 * Finished spans without a provider, for tests that need many of them fast: distinct ids, times
 * near now, a few attributes, an event. Structurally what the SDK hands to exporters.
 */
export function makeSpans(count: number, service: string): ReadableSpanLike[] {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const spans: ReadableSpanLike[] = [];
  for (let i = 0; i < count; i++) {
    const traceId = randomBytes(16).toString('hex');
    const spanId = randomBytes(8).toString('hex');
    const start: [number, number] = [nowSeconds, (i * 104_729) % 1_000_000_000];
    spans.push({
      name: `GET /item/${i % 10}`,
      kind: 1,
      spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
      startTime: start,
      endTime: [nowSeconds + 1, start[1]],
      status: { code: i % 7 === 0 ? 2 : 0 },
      attributes: { 'http.route': `/item/${i % 10}`, 'http.response.status_code': 200, index: i },
      links: [],
      events: [{ name: 'handled', time: start, attributes: { ok: true } }],
      duration: [1, 0],
      ended: true,
      resource: { attributes: { 'service.name': service } },
      instrumentationScope: { name: 'it' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    });
  }
  return spans;
}

import { HttpTransport } from '../http/transport';
import type { HttpTransportOptions } from '../http/transport';
import type { BatchSender, ItemFailure, SendContext, SendResult } from '../types';

/**
 * A sender for the FaultSink's generic protocol: a batch is POSTed as NDJSON; a 200 answer with
 * `{"errors": true, "items": [{"status"}...]}` is a partial result (429 and 5xx items retryable,
 * other failed items permanent); any other answer is classified by the transport. It stands in
 * for an exporter's sender in the core's own tests and examples.
 */
export class NdjsonSinkSender<R> implements BatchSender<R> {
  readonly transport: HttpTransport;

  constructor(options: HttpTransportOptions & { path?: string }) {
    this.transport = new HttpTransport(options);
    this.path = options.path ?? '/ingest';
  }

  private readonly path: string;

  sizeOf(record: R): number {
    return Buffer.byteLength(JSON.stringify(record)) + 1;
  }

  async send(batch: readonly R[], context: SendContext): Promise<SendResult> {
    let body = '';
    for (const record of batch) body += JSON.stringify(record) + '\n';
    let response;
    try {
      response = await this.transport.request({
        path: this.path,
        headers: { 'content-type': 'application/x-ndjson' },
        body,
        signal: context.signal,
      });
    } catch (error) {
      return this.transport.classifyError(error);
    }
    if (response.status !== 200) return this.transport.classify(response);
    const answer = parseJson(response.body.toString('utf8')) as
      { errors?: boolean; items?: { status?: number; error?: string }[] } | undefined;
    if (!answer?.errors || !Array.isArray(answer.items)) return { kind: 'delivered' };
    const failures: ItemFailure[] = [];
    answer.items.forEach((item, index) => {
      const status = item?.status ?? 200;
      if (status >= 200 && status < 300) return;
      failures.push({
        index,
        retryable: status === 429 || status >= 500,
        reason: `${status}${item.error ? `: ${item.error}` : ''}`,
      });
    });
    return { kind: 'partial', failures };
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

import { diag } from '@opentelemetry/api';
import { HttpTransport } from '@otelpack/batching-core';
import type {
  BatchSender,
  HttpResponse,
  HttpTransportOptions,
  ItemFailure,
  SendContext,
  SendResult,
} from '@otelpack/batching-core';
import { AckTracker } from './ack';
import type { AckQuery } from './ack';
import { classifyHecAnswer } from './classify';
import type { HecConfig } from './config';
import { checkHealth } from './health';
import type { HealthReport } from './health';
import { describeAnswer, parseHecAnswer } from './hec-codes';
import { hecRecordSpoolCodec } from './mapping/event';
import type { HecRecord } from './mapping/event';
import { PACKAGE_VERSION } from './version';

export const CHANNEL_HEADER = 'x-splunk-request-channel';

/** HEC's "ACK is disabled": the ack endpoint's answer for a token without acknowledgement. */
const ACK_DISABLED = 14;
/** HEC's "Incorrect index": the event names an index the token may not write to. */
const INCORRECT_INDEX = 7;

/** The index an event names, '' for the token's default. */
function eventIndex(record: HecRecord): string {
  try {
    const index = (JSON.parse(record.json) as { index?: unknown }).index;
    return typeof index === 'string' ? index : '';
  } catch {
    return '';
  }
}

/**
 * HEC refused event `invalid` for its index (code 7): every later event of the batch that names
 * the same index would be refused the same way, one request each (a batch of n such events took
 * n requests, n²/2 events sent, and with acknowledgement the events before each were sent again
 * every time). They are rejected now, with the same words; the others are sent again.
 */
function refuseSameIndex(
  result: Extract<SendResult, { kind: 'partial' }>,
  batch: readonly HecRecord[],
  invalid: number,
): Extract<SendResult, { kind: 'partial' }> {
  const refused = eventIndex(batch[invalid]);
  const reason = `${result.failures.find((f) => f.index === invalid)?.reason ?? 'HEC code 7: Incorrect index'}: event ${invalid} names index "${refused}", and so does this one`;
  return {
    ...result,
    failures: result.failures.map((failure) =>
      failure.retryable && eventIndex(batch[failure.index]) === refused
        ? { index: failure.index, retryable: false, reason }
        : failure,
    ),
  };
}

/**
 * With acknowledgement on, a refused request (`invalid-event-number` k) carries no ackId, so
 * nothing says the events before k were indexed: they are sent again with those after k (at
 * least once, as for an ack timeout), never counted delivered unacknowledged.
 */
function withoutAck(result: Extract<SendResult, { kind: 'partial' }>, invalid: number): SendResult {
  const again = `sent again: HEC stopped at event ${invalid} of the request and gave no ackId, so the events before it are not known to be indexed (they may be indexed twice)`;
  // After HEC stopped for its own trouble (event k retryable: busy, 500, 502…) they wait with the
  // rest, for Retry-After or the backoff; after a refused event nothing was wrong with Splunk: at
  // once.
  const stop = result.failures[0];
  const wait = stop?.retryable ? stop.retryAfterMs : 0;
  const before: ItemFailure[] = [];
  for (let i = 0; i < invalid; i++) {
    before.push({
      index: i,
      retryable: true,
      reason: again,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    });
  }
  return { ...result, failures: [...before, ...result.failures] };
}

export interface HecSenderOptions {
  config: HecConfig;
  /** Test seam: how the transport is made. */
  createTransport?: (options: HttpTransportOptions) => HttpTransport;
}

/**
 * Sends one batch of events as one HEC request (events one per line, gzip by default) and reads
 * HEC's answer: the HEC code decides (see hec-codes.ts), and an `invalid-event-number` makes the
 * batch partial: the events before it delivered, it rejected, the rest sent again at once.
 *
 * With indexer acknowledgement, every request carries the exporter's channel, and a send ends
 * only when Splunk acknowledges its `ackId` (polled on `/services/collector/ack` for all pending
 * ids at once), or, after `ackTimeoutMs`, as retryable: the batch is sent again.
 */
export class HecSender implements BatchSender<HecRecord> {
  readonly spoolCodec = hecRecordSpoolCodec;
  readonly #transport: HttpTransport;
  /** Holds the token: private, out of reach of JSON and inspect. */
  readonly #config: HecConfig;
  private readonly ackTracker: AckTracker | undefined;
  private health: Promise<HealthReport> | undefined;
  private warnedNoAckId = false;
  /** Requests sent, and events sent in them (the resent ones again): stats and tests. */
  requests = 0;
  eventsSent = 0;

  constructor(options: HecSenderOptions) {
    const config = options.config;
    this.#config = config;
    if (config.authorization === undefined) {
      diag.error(
        `otelpack ${config.name}: no HEC token (auth: { token } or SPLUNK_HEC_TOKEN): HEC will refuse every request (code 2, Token is required)`,
      );
    }
    const headers: Record<string, string> = {
      ...config.headers,
      ...(config.authorization ? { authorization: config.authorization } : {}),
      'content-type': 'application/json',
      __splunk_app_name: 'otelpack',
      __splunk_app_version: PACKAGE_VERSION,
    };
    if (config.ack) headers[CHANNEL_HEADER] = config.ack.channel;
    const create = options.createTransport ?? ((o: HttpTransportOptions) => new HttpTransport(o));
    this.#transport = create({
      url: config.endpoints.base,
      headers,
      ...(config.headerProvider ? { headerProvider: config.headerProvider } : {}),
      ...(config.tls ? { tls: config.tls } : {}),
      compression: config.compression,
      timeoutMs: config.timeoutMs,
      ...(config.connectTimeoutMs ? { connectTimeoutMs: config.connectTimeoutMs } : {}),
      userAgent: `otelpack-exporter-splunk-hec/${PACKAGE_VERSION}`,
    });
    if (config.ack) {
      this.ackTracker = new AckTracker(
        this.ackQuery(),
        config.ack.pollIntervalMs,
        config.ack.timeoutMs,
        { name: config.name, redact: (text) => this.#transport.redact(text) },
      );
    }
  }

  /** The channel of this exporter's requests, with indexer acknowledgement. */
  get channel(): string | undefined {
    return this.#config.ack?.channel;
  }

  /** Acknowledgements waited for now. */
  get pendingAcks(): number {
    return this.ackTracker?.pending ?? 0;
  }

  sizeOf(record: HecRecord): number {
    return record.bytes;
  }

  /**
   * HEC's health, and whether it takes the token: run once (the first export starts it), logged
   * at once when something is wrong. Later calls return the same report.
   */
  checkHealth(): Promise<HealthReport> {
    this.health ??= checkHealth(this.#transport, this.#config.endpoints).then((report) => {
      if (!report.ok) diag.error(`otelpack ${this.#config.name}: ${report.summary}`);
      return report;
    });
    return this.health;
  }

  /** The check at the first export, unless `healthCheck` is off; never waited for. */
  startHealthCheck(): void {
    if (this.#config.healthCheck && !this.health) void this.checkHealth();
  }

  async send(batch: readonly HecRecord[], context: SendContext): Promise<SendResult> {
    let body = '';
    for (const record of batch) body += `${record.json}\n`;
    this.requests++;
    this.eventsSent += batch.length;
    let response: HttpResponse;
    try {
      response = await this.#transport.request({
        path: this.#config.endpoints.event,
        body,
        signal: context.signal,
      });
    } catch (error) {
      return this.#transport.classifyError(error);
    }
    const answer = parseHecAnswer(response.body);
    const retryAfter = response.headers['retry-after'];
    let result = classifyHecAnswer(response.status, retryAfter, answer, batch.length);
    const where = this.#config.endpoints.display;
    if (
      result.kind === 'partial' &&
      answer?.code === INCORRECT_INDEX &&
      answer.invalidEventNumber !== undefined
    ) {
      result = refuseSameIndex(result, batch, answer.invalidEventNumber);
    }
    if (result.kind === 'partial' && this.ackTracker) {
      return this.redacted(withoutAck(result, answer?.invalidEventNumber ?? 0), where);
    }
    if (result.kind !== 'delivered') return this.redacted(result, where);
    if (!this.ackTracker) return result;
    if (answer?.ackId === undefined) {
      if (!this.warnedNoAckId) {
        this.warnedNoAckId = true;
        diag.warn(
          `otelpack ${this.#config.name}: indexerAcknowledgement is on but HEC answers without an ackId (acknowledgement is off for this token): a 200 counts as delivered`,
        );
      }
      return result;
    }
    return this.awaitAck(answer.ackId, context.signal, response.status);
  }

  private async awaitAck(id: number, signal: AbortSignal, httpStatus: number): Promise<SendResult> {
    const outcome = await this.ackTracker!.wait(id, signal);
    switch (outcome.kind) {
      case 'acked':
        return { kind: 'delivered', httpStatus };
      case 'unsupported':
        diag.warn(`otelpack ${this.#config.name}: ${outcome.reason}; a 200 counts as delivered`);
        return { kind: 'delivered', httpStatus };
      case 'timeout':
        return {
          kind: 'retryable',
          reason: `ackId ${id} on channel ${this.#config.ack!.channel} not acknowledged within ackTimeoutMs (${this.#config.ack!.timeoutMs} ms): sent again, and may be indexed twice`,
          httpStatus,
        };
      case 'aborted':
        return {
          kind: 'retryable',
          reason: `waiting for ackId ${id}: ${outcome.reason}`,
          httpStatus,
        };
    }
  }

  /** Polls `/services/collector/ack` for the channel's pending ids. */
  private ackQuery(): AckQuery {
    return async (ids) => {
      const response = await this.#transport.request({
        path: `${this.#config.endpoints.ack}?channel=${encodeURIComponent(this.#config.ack!.channel)}`,
        body: JSON.stringify({ acks: ids }),
        compression: 'none',
      });
      const text = response.body.toString('utf8');
      if (response.status === 200) {
        try {
          const parsed = JSON.parse(text) as { acks?: Record<string, boolean> };
          if (parsed.acks && typeof parsed.acks === 'object') return { acks: parsed.acks };
        } catch {
          // fall through: not HEC's answer
        }
        return { failed: `unexpected ack answer: ${this.#transport.redact(text.slice(0, 200))}` };
      }
      const answer = parseHecAnswer(response.body);
      // Only HEC's own "ACK is disabled" (code 14) says the 200 is all there will be. Any other
      // refusal (a token disabled or revoked meanwhile, a proxy's 404) says nothing about the
      // pending batches: they stay pending, and time out into a resend.
      if (response.status === 400 && answer?.code === ACK_DISABLED) {
        return {
          unsupported: `the ack endpoint answered ${describeAnswer(response.status, answer)}`,
        };
      }
      return { failed: this.#transport.redact(describeAnswer(response.status, answer)) };
    };
  }

  private redacted(result: SendResult, where: string): SendResult {
    const redact = (text: string): string => this.#transport.redact(text);
    switch (result.kind) {
      case 'partial':
        return {
          ...result,
          failures: result.failures.map((f) => ({ ...f, reason: redact(f.reason) })),
        };
      case 'retryable':
      case 'permanent':
      case 'too_large':
        return { ...result, reason: `${where}: ${redact(result.reason)}` };
      default:
        return result;
    }
  }

  async close(): Promise<void> {
    this.ackTracker?.close('the exporter shut down');
    await this.#transport.close().catch(() => undefined);
  }
}

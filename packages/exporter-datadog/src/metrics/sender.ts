import { diag } from '@opentelemetry/api';
import type { BatchSender, ItemFailure, SendContext, SendResult } from '@otelpack/batching-core';
import StatsD from 'hot-shots';
import type { ClientOptions } from 'hot-shots';
import { describeTarget } from '../dogstatsd-target';
import type { DogStatsDTarget } from '../dogstatsd-target';
import { metricLineSpoolCodec, packDatagrams } from './datagram';
import type { MetricLine } from './datagram';

/**
 * Send errors that say the datagram itself cannot go (too large for the socket, or malformed):
 * sending it again would fail again.
 */
const PERMANENT_CODES = new Set(['EMSGSIZE', 'EINVAL', 'ERR_SOCKET_DGRAM_NOT_RUNNING']);

export interface DogStatsDSenderStats {
  datagrams: number;
  bytes: number;
  /** Send errors by code (`EMSGSIZE`, `ECONNREFUSED`, `EAGAIN`, …). */
  errors: Record<string, number>;
}

/** The part of hot-shots' client the sender uses: one datagram at a time, with its outcome. */
export interface DatagramClient {
  sendMessage(message: string, callback: (error?: Error | null) => void): void;
  close(callback?: (error?: Error) => void): void;
}

/**
 * hot-shots' options for a client that only carries the datagrams this exporter packs:
 * - `maxBufferSize: 0`: each `sendMessage` is one datagram whose callback reports its own send
 *   error, so a batch's outcome is known (hot-shots' buffered mode reports errors only to a global
 *   handler, after the caller has been told the metric was queued);
 * - `datadog`, `originDetection`, `includeDatadogTelemetry`, `includeDataDogTags` off: hot-shots
 *   turns these on when any `DD_*` variable is set (container-id fields, its own telemetry
 *   metrics, DD_ENV/DD_TAGS global tags). The exporter's lines already carry the tags it means;
 *   nothing is added behind its back;
 * - the transport given explicitly, so hot-shots does not read DD_DOGSTATSD_URL on its own.
 */
export function hotShotsOptions(
  target: DogStatsDTarget,
  errorHandler: (error: Error) => void,
): ClientOptions {
  const common: ClientOptions = {
    maxBufferSize: 0,
    datadog: false,
    originDetection: false,
    includeDatadogTelemetry: false,
    includeDataDogTags: false,
    errorHandler,
  } as ClientOptions;
  if (target.protocol === 'uds') return { ...common, protocol: 'uds', path: target.path };
  return {
    ...common,
    protocol: target.protocol,
    host: target.host,
    port: target.port,
    ...(target.protocol === 'udp' ? { cacheDns: true } : {}),
  };
}

/**
 * One batch of DogStatsD lines → datagrams of at most the transport's size → hot-shots, one
 * datagram at a time. A datagram that fails names the lines it held: the core retries those (a
 * full UDS buffer, an Agent that is restarting) or drops them with a reason (EMSGSIZE).
 */
export class DogStatsDSender implements BatchSender<MetricLine> {
  readonly spoolCodec = metricLineSpoolCodec;
  readonly memoryModel = { perRecordBytes: 120, perWireByte: 2 };
  readonly target: DogStatsDTarget;
  private readonly client: DatagramClient;
  private readonly counters: DogStatsDSenderStats = { datagrams: 0, bytes: 0, errors: {} };

  constructor(options: { target: DogStatsDTarget; name: string; client?: DatagramClient }) {
    this.target = options.target;
    const name = options.name;
    this.client =
      options.client ??
      (new StatsD(
        hotShotsOptions(options.target, (error) => {
          // Socket-level errors outside a send (a UDS socket going away): the next send reports
          // its own, so this only tells.
          this.count(error);
          diag.debug(`otelpack ${name}: DogStatsD socket error: ${error.message}`);
        }),
      ) as unknown as DatagramClient);
    diag.debug(`otelpack ${name}: DogStatsD to ${describeTarget(options.target)}`);
  }

  sizeOf(record: MetricLine): number {
    return record.bytes + 1;
  }

  stats(): DogStatsDSenderStats {
    return { ...this.counters, errors: { ...this.counters.errors } };
  }

  async send(batch: readonly MetricLine[], context: SendContext): Promise<SendResult> {
    const { datagrams, tooLarge } = packDatagrams(batch, this.target.maxDatagramBytes);
    const failures: ItemFailure[] = tooLarge.map((index) => ({
      index,
      retryable: false,
      reason: `one line of ${batch[index].bytes} bytes is over maxDatagramBytes (${this.target.maxDatagramBytes})`,
    }));
    for (const datagram of datagrams) {
      if (context.signal.aborted) {
        for (const index of datagram.indexes) {
          failures.push({ index, retryable: true, reason: 'aborted before sending' });
        }
        continue;
      }
      const error = await this.sendOne(datagram.payload);
      if (!error) continue;
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
      const retryable = !PERMANENT_CODES.has(code);
      for (const index of datagram.indexes) {
        failures.push({
          index,
          retryable,
          reason: `DogStatsD send failed: ${code} ${error.message}`,
        });
      }
    }
    if (failures.length === 0) return { kind: 'delivered' };
    return { kind: 'partial', failures };
  }

  private sendOne(payload: string): Promise<Error | undefined> {
    return new Promise((resolve) => {
      try {
        this.client.sendMessage(payload, (error) => {
          if (error) {
            this.count(error);
            resolve(error);
          } else {
            this.counters.datagrams++;
            this.counters.bytes += Buffer.byteLength(payload);
            resolve(undefined);
          }
        });
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.count(failure);
        resolve(failure);
      }
    });
  }

  private count(error: Error): void {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    this.counters.errors[code] = (this.counters.errors[code] ?? 0) + 1;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.client.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}

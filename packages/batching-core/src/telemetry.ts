import type { Attributes, Counter, Histogram, Meter, MeterProvider } from '@opentelemetry/api';
import type { DropReason, SendResult, Signal } from './types';

export const SELF_TELEMETRY_SCOPE = '@otelpack/batching-core';

/** What the pipeline shows through gauges; read at collection time, so it costs nothing between. */
export interface GaugeSource {
  queuedItems(): number;
  queuedBytes(): number;
  capacityItems(): number;
  capacityBytes(): number;
  inFlightRequests(): number;
  concurrencyLimit(): number;
}

/**
 * The pipeline's self-telemetry as OpenTelemetry metrics. Every instrument carries
 * `otelpack.exporter` and `otelpack.signal`, so one dashboard serves every exporter.
 * Without a meter provider this is a set of no-ops and costs a branch per call.
 */
export class SelfTelemetry {
  private readonly records?: Counter;
  private readonly retries?: Counter;
  private readonly requestDuration?: Histogram;
  private readonly base: Attributes;
  private readonly outcomeAttributes = new Map<string, Attributes>();

  constructor(
    meterProvider: MeterProvider | undefined,
    exporter: string,
    signal: Signal,
    gauges: GaugeSource,
  ) {
    this.base = { 'otelpack.exporter': exporter, 'otelpack.signal': signal };
    if (!meterProvider) return;
    const meter: Meter = meterProvider.getMeter(SELF_TELEMETRY_SCOPE);

    this.records = meter.createCounter('otelpack.exporter.records', {
      description:
        'Records by outcome: accepted when handed to the exporter, then delivered or dropped (with a reason).',
      unit: '{record}',
    });
    this.retries = meter.createCounter('otelpack.exporter.retries', {
      description: 'Records scheduled for another send after a retryable failure.',
      unit: '{record}',
    });
    this.requestDuration = meter.createHistogram('otelpack.exporter.request.duration', {
      description: 'Time from sending a batch to knowing its outcome.',
      unit: 's',
      advice: {
        explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      },
    });

    const observe = (name: string, description: string, unit: string, read: () => number): void => {
      meter
        .createObservableGauge(name, { description, unit })
        .addCallback((result) => result.observe(read(), this.base));
    };
    observe(
      'otelpack.exporter.queue.size',
      'Records held: queued, in flight or waiting to retry.',
      '{record}',
      gauges.queuedItems,
    );
    observe(
      'otelpack.exporter.queue.bytes',
      'Estimated bytes of the records held.',
      'By',
      gauges.queuedBytes,
    );
    observe(
      'otelpack.exporter.queue.capacity',
      'maxQueueItems: records that can be held.',
      '{record}',
      gauges.capacityItems,
    );
    observe(
      'otelpack.exporter.queue.capacity.bytes',
      'maxQueueBytes: bytes that can be held.',
      'By',
      gauges.capacityBytes,
    );
    observe(
      'otelpack.exporter.requests.in_flight',
      'Requests sent and not yet answered.',
      '{request}',
      gauges.inFlightRequests,
    );
    observe(
      'otelpack.exporter.concurrency.limit',
      'Current limit of requests in flight (moves when adaptive).',
      '{request}',
      gauges.concurrencyLimit,
    );
  }

  accepted(count: number): void {
    this.records?.add(count, this.attributes('accepted'));
  }

  delivered(count: number): void {
    this.records?.add(count, this.attributes('delivered'));
  }

  dropped(count: number, reason: DropReason): void {
    this.records?.add(count, this.attributes('dropped', reason));
  }

  retried(count: number): void {
    this.retries?.add(count, this.base);
  }

  request(durationMs: number, outcome: SendResult['kind']): void {
    this.requestDuration?.record(durationMs / 1000, this.attributes(outcome));
  }

  // Attribute objects are cached: the SDK hashes attributes on every add, but we need not also
  // allocate a fresh object per call on the export path.
  private attributes(outcome: string, reason?: DropReason): Attributes {
    const key = reason ? `${outcome}:${reason}` : outcome;
    let attributes = this.outcomeAttributes.get(key);
    if (!attributes) {
      attributes = reason ? { ...this.base, outcome, reason } : { ...this.base, outcome };
      this.outcomeAttributes.set(key, attributes);
    }
    return attributes;
  }
}

import type {
  Attributes,
  Counter,
  Histogram,
  MeterProvider,
  ObservableCallback,
  UpDownCounter,
} from '@opentelemetry/api';
import type { DropReason, SendResult, Signal } from './types';

/** The meter's name: the instrumentation scope of every self-metric. */
export const SELF_TELEMETRY_SCOPE = '@otelpack/batching-core';
/** The scope's version, kept by hand with package.json's (a test compares them). */
export const SELF_TELEMETRY_SCOPE_VERSION = '0.1.0';

/**
 * Which component reports: `otel.component.type` and `otel.component.name` of OpenTelemetry's
 * semantic conventions, and the backend's address where there is one (`server.address`,
 * `server.port`).
 */
export interface ComponentIdentity {
  type: string;
  name: string;
  serverAddress?: string;
  serverPort?: number;
}

/**
 * The conventions' item name and unit per signal: `otel.sdk.exporter.span.*` in `{span}`,
 * `.log.*` in `{log_record}`, `.metric_data_point.*` in `{data_point}`.
 */
export const SIGNAL_ITEMS: Record<Signal, { item: string; unit: string }> = {
  traces: { item: 'span', unit: '{span}' },
  logs: { item: 'log', unit: '{log_record}' },
  metrics: { item: 'metric_data_point', unit: '{data_point}' },
};

const instancesByType = new Map<string, number>();

/**
 * `otel.component.name` by the conventions' recommendation: the type and a counter per type from
 * 0 in this process (`@otelpack/exporter-clickhouse.ClickHouseSpanExporter/0`) — low cardinality
 * and stable across restarts for the same setup, where a random id would not be.
 */
export function nextComponentName(type: string): string {
  const instance = instancesByType.get(type) ?? 0;
  instancesByType.set(type, instance + 1);
  return `${type}/${instance}`;
}

/** `server.address` and `server.port` of a URL; the port is the scheme's default when not given. */
export function serverOf(url: string | undefined): { serverAddress?: string; serverPort?: number } {
  if (!url) return {};
  try {
    const parsed = new URL(url);
    const port = parsed.port
      ? Number(parsed.port)
      : parsed.protocol === 'https:'
        ? 443
        : parsed.protocol === 'http:'
          ? 80
          : undefined;
    const serverAddress = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!serverAddress) return {};
    return port === undefined ? { serverAddress } : { serverAddress, serverPort: port };
  } catch {
    return {};
  }
}

/** What the pipeline shows through gauges; read at collection time, so it costs nothing between. */
export interface GaugeSource {
  queuedItems(): number;
  queuedBytes(): number;
  capacityItems(): number;
  capacityBytes(): number;
  inFlightRequests(): number;
  concurrencyLimit(): number;
  /** With a spool: its bytes on disk and segment files. */
  spool?(): { diskBytes: number; segments: number } | undefined;
  /**
   * With a spool configured: 1 while it is not in use (it could not be opened, or another process
   * took its lock over), 0 while it is. Records are then held in memory only.
   */
  spoolUnavailable?(): number;
}

/** How one export operation (a batch, its retries and backoff) ended, for its duration. */
export interface OperationEnd {
  durationMs: number;
  /** The drop reason of the records that failed; undefined when all were delivered. */
  errorType?: string;
  /** The last HTTP response's status, where the sender knows it. */
  httpStatus?: number;
}

/**
 * The pipeline's self-telemetry as OpenTelemetry metrics, on the semantic conventions for
 * exporters (`otel.sdk.exporter.*`, with `otel.component.type` / `otel.component.name`):
 *
 * - `otel.sdk.exporter.<item>.inflight`: records accepted and not yet delivered or dropped
 *   (queued, in flight, or waiting to retry: the conventions count retries and backoff in);
 * - `otel.sdk.exporter.<item>.exported`: records at their final outcome, once each; a dropped
 *   record carries `error.type` = its drop reason (`rejected` for what the backend refused);
 * - `otel.sdk.exporter.operation.duration`: one observation per batch, from its first send to
 *   its final outcome, retries and backoff included.
 *
 * What the conventions have no name for keeps its `otelpack.exporter.*` name: queue size and
 * bytes, capacity, requests in flight, the concurrency limit, retries and the time of each
 * request. Without a meter provider every call is a no-op behind one branch.
 */
export class SelfTelemetry {
  private readonly inflight?: UpDownCounter;
  private readonly exported?: Counter;
  private readonly operationDuration?: Histogram;
  private readonly retries?: Counter;
  private readonly redacted?: Counter;
  private readonly transformErrors?: Counter;
  private readonly requestDuration?: Histogram;
  private readonly spoolReplayed?: Counter;
  private readonly spoolFsyncDuration?: Histogram;
  private readonly base: Attributes;
  /** Attribute sets, made once each: the SDK hashes attributes on every call, we need not also allocate. */
  private readonly attributeSets = new Map<string, Attributes>();
  private readonly observed: (() => void)[] = [];

  constructor(
    meterProvider: MeterProvider | undefined,
    identity: ComponentIdentity,
    signal: Signal,
    gauges: GaugeSource,
  ) {
    this.base = {
      'otel.component.type': identity.type,
      'otel.component.name': identity.name,
      ...(identity.serverAddress !== undefined ? { 'server.address': identity.serverAddress } : {}),
      ...(identity.serverPort !== undefined ? { 'server.port': identity.serverPort } : {}),
    };
    if (!meterProvider) return;
    const meter = meterProvider.getMeter(SELF_TELEMETRY_SCOPE, SELF_TELEMETRY_SCOPE_VERSION);
    const { item, unit } = SIGNAL_ITEMS[signal];

    this.inflight = meter.createUpDownCounter(`otel.sdk.exporter.${item}.inflight`, {
      description:
        'Items handed to the exporter and not yet delivered or dropped (queued, being sent, or waiting to retry).',
      unit,
    });
    this.exported = meter.createCounter(`otel.sdk.exporter.${item}.exported`, {
      description:
        'Items at their final outcome, once each: delivered, or dropped with error.type set to the reason.',
      unit,
    });
    this.operationDuration = meter.createHistogram('otel.sdk.exporter.operation.duration', {
      description:
        'Time from the first send of a batch to its final outcome, retries and backoff included.',
      unit: 's',
      advice: {
        explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      },
    });
    // Our own instruments are shared by every pipeline of every signal, so their unit cannot
    // follow the signal as the conventions' per-signal ones do: an instrument has one unit.
    this.retries = meter.createCounter('otelpack.exporter.retries', {
      description: 'Records scheduled for another send after a retryable failure.',
      unit: '{record}',
    });
    this.redacted = meter.createCounter('otelpack.exporter.transform.redacted', {
      description: 'Attribute and body values the transform redaction removed, masked or hashed.',
      unit: '{value}',
    });
    this.transformErrors = meter.createCounter('otelpack.exporter.transform.errors', {
      description:
        'Statements of the transform that failed on an item (ignored, or the item dropped as transform_error).',
      unit: '{error}',
    });
    this.requestDuration = meter.createHistogram('otelpack.exporter.request.duration', {
      description: 'Time of one send: from handing a batch to the sender to knowing its result.',
      unit: 's',
      advice: {
        explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      },
    });

    if (gauges.spool) {
      this.spoolReplayed = meter.createCounter('otelpack.exporter.spool.replayed', {
        description: 'Records a spool replayed from an earlier process (also counted as accepted).',
        unit: '{record}',
      });
      this.spoolFsyncDuration = meter.createHistogram('otelpack.exporter.spool.fsync.duration', {
        description:
          'Time of one fsync of the spool segment being written; a failed one has error.type (its code, e.g. EIO).',
        unit: 's',
        advice: {
          explicitBucketBoundaries: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
        },
      });
    }

    const observe = (name: string, description: string, gaugeUnit: string, read: () => number) => {
      const gauge = meter.createObservableGauge(name, { description, unit: gaugeUnit });
      const callback: ObservableCallback = (result) => result.observe(read(), this.base);
      gauge.addCallback(callback);
      this.observed.push(() => gauge.removeCallback(callback));
    };
    observe(
      'otelpack.exporter.queue.size',
      'Records held: queued, in flight or waiting to retry.',
      '{record}',
      gauges.queuedItems,
    );
    observe(
      'otelpack.exporter.queue.bytes',
      'Bytes the held records are counted at against maxQueueBytes.',
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
    if (gauges.spoolUnavailable) {
      observe(
        'otelpack.exporter.spool.unavailable',
        'Whether the configured spool is out of use (1: it could not be opened or its lock was taken over; records are held in memory only) or in use (0).',
        '1',
        gauges.spoolUnavailable,
      );
    }
    const spool = gauges.spool;
    if (spool) {
      observe(
        'otelpack.exporter.spool.bytes',
        'Bytes of the spool on disk: segments and their acknowledgement files.',
        'By',
        () => spool()?.diskBytes ?? 0,
      );
      observe(
        'otelpack.exporter.spool.segments',
        'Segment files of the spool on disk.',
        '{segment}',
        () => spool()?.segments ?? 0,
      );
    }
  }

  /**
   * The pipeline is shut down: its gauges stop reporting (a shared meter provider would report a
   * stopped exporter's queue forever, and keep the pipeline in memory through the callbacks).
   */
  close(): void {
    for (const remove of this.observed.splice(0)) remove();
  }

  /** Records handed over (also those dropped at once: they are counted out by `dropped`). */
  accepted(count: number): void {
    this.inflight?.add(count, this.base);
  }

  delivered(count: number): void {
    if (!this.exported) return;
    this.inflight?.add(-count, this.base);
    this.exported.add(count, this.base);
  }

  dropped(count: number, reason: DropReason): void {
    if (!this.exported) return;
    this.inflight?.add(-count, this.base);
    this.exported.add(count, this.errorAttributes(reason));
  }

  /** Records a spool replayed from an earlier process: accepted in this one. */
  replayed(count: number): void {
    this.inflight?.add(count, this.base);
    this.spoolReplayed?.add(count, this.base);
  }

  /** Records kept in the spool at shutdown: no longer in flight in this process. */
  leftInSpool(count: number): void {
    this.inflight?.add(-count, this.base);
  }

  /** One fsync of the spool's segment; a failed one carries `error.type` (its code, e.g. `EIO`). */
  spoolFsync(durationMs: number, errorCode?: string): void {
    this.spoolFsyncDuration?.record(
      durationMs / 1000,
      errorCode !== undefined ? this.errorAttributes(errorCode) : this.base,
    );
  }

  transformed(redacted: number, errors: number): void {
    if (redacted > 0) this.redacted?.add(redacted, this.base);
    if (errors > 0) this.transformErrors?.add(errors, this.base);
  }

  retried(count: number): void {
    this.retries?.add(count, this.base);
  }

  request(durationMs: number, result: SendResult['kind']): void {
    this.requestDuration?.record(durationMs / 1000, this.sendAttributes(result));
  }

  operation(end: OperationEnd): void {
    if (!this.operationDuration) return;
    const { errorType, httpStatus } = end;
    const attributes =
      httpStatus === undefined
        ? errorType
          ? this.errorAttributes(errorType)
          : this.base
        : this.cached(`operation:${errorType ?? ''}:${httpStatus}`, () => ({
            ...(errorType ? this.errorAttributes(errorType) : this.base),
            'http.response.status_code': httpStatus,
          }));
    this.operationDuration.record(end.durationMs / 1000, attributes);
  }

  private errorAttributes(errorType: string): Attributes {
    return this.cached(`error:${errorType}`, () => ({ ...this.base, 'error.type': errorType }));
  }

  private sendAttributes(result: string): Attributes {
    return this.cached(`send:${result}`, () => ({ ...this.base, 'otelpack.send.result': result }));
  }

  private cached(key: string, make: () => Attributes): Attributes {
    let attributes = this.attributeSets.get(key);
    if (!attributes) {
      attributes = make();
      this.attributeSets.set(key, attributes);
    }
    return attributes;
  }
}

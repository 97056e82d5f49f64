import { diag } from '@opentelemetry/api';
import { Failover, HttpTransport } from '@otelpack/batching-core';
import type {
  BatchSender,
  HttpResponse,
  HttpTransportOptions,
  SendContext,
  SendResult,
} from '@otelpack/batching-core';
import { SeriesSizer, WriteRequestEncoder, timeSeriesEntryLength } from './encoder';
import { REMOTE_WRITE_V2_HEADERS, encodeWriteRequestV2 } from './encoder-v2';
import type { Endpoint } from './config';
import { SnappyBlockCompressor } from './snappy';
import { timeSeriesSpoolCodec } from './spool-codec';
import type { TimeSeries } from './types';

/** The three headers remote write 1.0 requires on every request. */
export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-encoding': 'snappy',
  'content-type': 'application/x-protobuf',
  'x-prometheus-remote-write-version': '0.1.0',
});

export interface RemoteWriteSenderOptions {
  endpoints: Endpoint[];
  /** `2.0` sends io.prometheus.write.v2.Request with its headers. Default `1.0`. */
  remoteWriteVersion?: '1.0' | '2.0';
  /** The exporter's name, in the failover's log line. Default `victoriametrics`. */
  name?: string;
  /** Transport options shared by every endpoint (url is set per endpoint). */
  transport?: Omit<HttpTransportOptions, 'url' | 'compression'>;
  /** Test seam: how a transport is made. */
  createTransport?: (options: HttpTransportOptions) => HttpTransport;
}

/** What a remote write 2.0 receiver answers with every write (lower case, as undici reads them). */
const SAMPLES_WRITTEN = 'x-prometheus-remote-write-samples-written';
const HISTOGRAMS_WRITTEN = 'x-prometheus-remote-write-histograms-written';
const EXEMPLARS_WRITTEN = 'x-prometheus-remote-write-exemplars-written';

/** The way out when a receiver does not take the version sent. */
function versionAdvice(sentV2: boolean): string {
  return sentV2
    ? "the receiver does not take remote write 2.0; send it 1.0 (remoteWriteVersion '1.0', or OTELPACK_VICTORIAMETRICS_REMOTE_WRITE_VERSION=1.0)"
    : "the receiver does not take remote write 1.0; if it takes 2.0, set remoteWriteVersion '2.0' (or OTELPACK_VICTORIAMETRICS_REMOTE_WRITE_VERSION=2.0)";
}

/** A count header's value, or undefined when it is absent or not a count. */
function countHeader(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text);
}

/** What a 2.0 receiver counts as written of a batch: samples and native histograms, exemplars. */
function writableIn(batch: readonly TimeSeries[]): { points: number; exemplars: number } {
  let points = 0;
  let exemplars = 0;
  for (const series of batch) {
    points += series.samples.length + (series.histograms?.length ?? 0);
    exemplars += series.exemplars?.length ?? 0;
  }
  return { points, exemplars };
}

/** An answer, and whether it refused the protocol version rather than the data. */
interface Answer {
  result: SendResult;
  /** The receiver does not take this version: another endpoint may, the data is not at fault. */
  versionRefused: boolean;
}

interface Target {
  endpoint: Endpoint;
  transport: HttpTransport;
}

/**
 * Sends one batch of series as one remote-write request: protobuf (hand-written encoder),
 * snappy block compression, the three protocol headers, through the core's HttpTransport (which
 * classifies the answer: 2xx delivered; 408, 429, 5xx but 501 retryable; other 4xx permanent with
 * the backend's message, redacted). A 415, and for 2.0 a 2xx that says nothing was written, are
 * refusals of the version (`request`).
 *
 * Failover (the core's `Failover`): with several endpoints, a retryable failure (5xx, 429, 408, a
 * network error or a timeout) moves the next sends, the core's retry of that batch among them, to
 * the next endpoint, and so does a refused version, with the batch itself while an endpoint has not
 * refused it since the last delivery (the next may take the version); another permanent answer
 * does not (the next would refuse the same data).
 */
export class RemoteWriteSender implements BatchSender<TimeSeries> {
  /** Endpoints hold URLs with credentials: private, out of reach of JSON and inspect. */
  readonly #failover: Failover<Target>;
  private readonly encoder = new WriteRequestEncoder();
  private readonly sizer = new SeriesSizer();
  private readonly snappy = new SnappyBlockCompressor();
  private readonly v2: boolean;
  private readonly name: string;
  /** A 2xx that counted fewer written than sent has been warned about. */
  private warnedShortWrite = false;
  /** Endpoints that refused the version since the last delivered batch. */
  readonly #refusedVersion = new Set<Target>();
  /** How the disk spool keeps series (spool-codec.ts). */
  readonly spoolCodec = timeSeriesSpoolCodec;
  /** Bytes sent after compression, and before: for the stats and the benchmark. */
  compressedBytes = 0;
  uncompressedBytes = 0;

  constructor(options: RemoteWriteSenderOptions) {
    this.v2 = options.remoteWriteVersion === '2.0';
    this.name = options.name ?? 'victoriametrics';
    const protocolHeaders = this.v2 ? REMOTE_WRITE_V2_HEADERS : REMOTE_WRITE_HEADERS;
    const create = options.createTransport ?? ((o: HttpTransportOptions) => new HttpTransport(o));
    const targets = options.endpoints.map((endpoint) => ({
      endpoint,
      transport: create({
        ...options.transport,
        url: endpoint.url,
        compression: 'none',
        headers: { ...options.transport?.headers, ...protocolHeaders },
      }),
    }));
    this.#failover = new Failover(targets, (target) => target.endpoint.display, this.name);
  }

  /** The endpoint the next send goes to. */
  get currentEndpoint(): string {
    return this.#failover.currentLabel;
  }

  /** Times a failure moved the sends to the next endpoint. */
  get failovers(): number {
    return this.#failover.failovers;
  }

  /**
   * Bytes the series adds to a request. For 2.0 the 1.0 size is kept as the measure (symbols make
   * the 2.0 request smaller, so batches stay within maxBatchBytes), plus what 1.0 has no field
   * for: a native histogram's buckets, the metadata, and the start timestamp (once for the
   * series, once for each sample and histogram: encoder-v2.ts).
   */
  sizeOf(series: TimeSeries): number {
    const v1 = this.sizer.entryLength(series);
    if (!this.v2) return v1;
    let extra = series.metadata ? 16 : 0;
    const histograms = series.histograms ?? [];
    for (const h of histograms) {
      extra += 64 + 4 * (h.positiveSpans.length + h.negativeSpans.length);
      extra += 10 * (h.positiveDeltas.length + h.negativeDeltas.length);
    }
    if (series.createdTimestampMs) {
      // A tag byte and the time's varint: 7 bytes for today's milliseconds, 10 at most.
      extra += 11 * (1 + series.samples.length + histograms.length);
    }
    return v1 + extra;
  }

  /**
   * What a held TimeSeries costs in memory, for the core's maxQueueBytes: its objects (series,
   * label and sample arrays, the point's own Label objects, the sample) and the core's entry,
   * about 1.6-1.8 x its encoded size, where its labels shared by every series of an export (job,
   * instance, scope, __name__) count on the wire and hardly in memory. Measured by
   * bench/memory-fit.ts (heap + external growth after GC per held series, backend down, 64 MiB
   * cap): 617 B at 364 wire B for the default collection (mostly counters), 956 at 530 for series
   * with eight more attributes, 440 at 383 for histogram buckets (which share their point's
   * labels); 590 at 364 at a 256 MiB cap. No line through these fits them all (wire size is
   * mostly the shared labels), so this is the smallest proportional model under which no
   * measured collection is under-counted: bucket-heavy collections are over-counted by ~40%.
   */
  readonly memoryModel = { perRecordBytes: 0, perWireByte: 1.8 };

  /** The snappy-compressed WriteRequest of a batch (what `send` posts). */
  encode(batch: readonly TimeSeries[]): Buffer {
    const raw = this.v2 ? encodeWriteRequestV2(batch) : this.encoder.encodeTransient(batch);
    this.uncompressedBytes += raw.length;
    const body = this.snappy.compress(raw);
    this.compressedBytes += body.length;
    return body;
  }

  async send(batch: readonly TimeSeries[], context: SendContext): Promise<SendResult> {
    const target = this.#failover.current;
    let body: Buffer;
    try {
      body = this.encode(batch);
    } catch (error) {
      // Only an encoder bug gets here; the records cannot be sent as they are.
      return { kind: 'permanent', reason: `could not encode the request: ${String(error)}` };
    }
    const { result, versionRefused } = await this.request(target, batch, body, context.signal);
    if (result.kind === 'delivered') {
      this.#refusedVersion.clear();
      return result;
    }
    if (result.kind !== 'retryable' && result.kind !== 'permanent') return result;
    const reason = `${target.endpoint.display}: ${result.reason}`;
    if (result.kind === 'retryable' || versionRefused) {
      // A refused version is the endpoint's, not the data's: the next endpoint may take it.
      this.#failover.moveOn(target, result.reason);
    }
    if (result.kind === 'permanent' && versionRefused) {
      this.#refusedVersion.add(target);
      // The batch itself goes to the next endpoint, as the core's retry, while an endpoint has
      // not refused the version since the last delivery; once every one has, it is refused.
      if (this.#refusedVersion.size < this.#failover.size) {
        return { kind: 'retryable', reason, httpStatus: result.httpStatus };
      }
    }
    return { ...result, reason };
  }

  /**
   * One request, and what its answer says beyond the status. A 415 is a version the receiver
   * does not take (Prometheus answers it to the message its accepted-protobuf-messages leaves
   * out). For 2.0, the specification's "Required Written Response Headers": a 2.0 receiver
   * answers every write with X-Prometheus-Remote-Write-{Samples,Histograms,Exemplars}-Written,
   * and a 2xx without any of them comes from a 1.0 receiver that read the 2.0 message as an empty
   * 1.0 request (the two share no field numbers) and wrote nothing, which senders are told to
   * take as a 415; a 2xx that counts nothing written (no sample, histogram or exemplar) when
   * something was sent is taken as a refusal too, as Prometheus' own sender does. Counted
   * delivered, those series would be lost silently: they are refused, with the way out in the
   * reason.
   */
  private async request(
    target: Target,
    batch: readonly TimeSeries[],
    body: Buffer,
    signal: AbortSignal,
  ): Promise<Answer> {
    let answer: HttpResponse;
    try {
      answer = await target.transport.request({ body, signal });
    } catch (error) {
      return { result: target.transport.classifyError(error), versionRefused: false };
    }
    const result = target.transport.classify(answer);
    const refuse = (reason: string): Answer => ({
      result: { kind: 'permanent', reason, httpStatus: answer.status },
      versionRefused: true,
    });
    if (result.kind === 'permanent' && answer.status === 415) {
      return refuse(`${result.reason} (${versionAdvice(this.v2)})`);
    }
    if (!this.v2 || result.kind !== 'delivered') return { result, versionRefused: false };
    const samples = countHeader(answer.headers[SAMPLES_WRITTEN]);
    const histograms = countHeader(answer.headers[HISTOGRAMS_WRITTEN]);
    const exemplars = countHeader(answer.headers[EXEMPLARS_WRITTEN]);
    if (samples === undefined && histograms === undefined && exemplars === undefined) {
      return refuse(
        `HTTP ${answer.status} without X-Prometheus-Remote-Write-Samples-Written (or the histogram and exemplar counts), so nothing written: ${versionAdvice(true)}`,
      );
    }
    const { points: sent, exemplars: exemplarsSent } = writableIn(batch);
    if ((samples ?? 0) + (histograms ?? 0) + (exemplars ?? 0) === 0 && sent + exemplarsSent > 0) {
      // As Prometheus' sender: nothing of any kind written of what was sent.
      return refuse(
        `HTTP ${answer.status} with X-Prometheus-Remote-Write-Samples-Written, -Histograms-Written and -Exemplars-Written 0 for ${sent} samples and histograms and ${exemplarsSent} exemplars sent: nothing written`,
      );
    }
    const written = (samples ?? 0) + (histograms ?? 0);
    if (written < sent && !this.warnedShortWrite) {
      // The specification makes a partial write a non-2xx; a 2xx counting fewer is a receiver's
      // fault that no series can be named for. Said once, so that it is seen, not counted.
      this.warnedShortWrite = true;
      diag.warn(
        `otelpack ${this.name}: ${target.endpoint.display} answered HTTP ${answer.status} but counted ${written} of the ${sent} samples and histograms sent as written; the batch is counted delivered (a 2.0 receiver must answer a partial write with an error). Said once.`,
      );
    }
    return { result, versionRefused: false };
  }

  /**
   * A series over maxBatchBytes is split by its samples (the mapping makes one sample per series,
   * so only series built by hand can have several); a one-sample series cannot be split.
   */
  split(series: TimeSeries, maxBatchBytes: number): TimeSeries[] | undefined {
    if (series.samples.length < 2) return undefined;
    const pieces: TimeSeries[] = [];
    let samples: TimeSeries['samples'][number][] = [];
    const flush = (): void => {
      if (samples.length === 0) return;
      // A piece keeps the series' 2.0 metadata and created timestamp (1.0 ignores them).
      pieces.push({
        labels: series.labels,
        samples,
        ...(series.metadata ? { metadata: series.metadata } : {}),
        ...(series.createdTimestampMs ? { createdTimestampMs: series.createdTimestampMs } : {}),
      });
      samples = [];
    };
    for (const sample of series.samples) {
      samples.push(sample);
      if (timeSeriesEntryLength({ labels: series.labels, samples }) > maxBatchBytes) {
        samples.pop();
        if (samples.length === 0) return undefined; // the labels alone do not fit
        flush();
        samples.push(sample);
      }
    }
    flush();
    if (series.exemplars && series.exemplars.length > 0) {
      pieces[0] = { ...pieces[0], exemplars: series.exemplars };
    }
    if (pieces.some((p) => timeSeriesEntryLength(p) > maxBatchBytes)) return undefined;
    return pieces;
  }

  async close(): Promise<void> {
    await Promise.all(this.#failover.all().map((t) => t.transport.close().catch(() => undefined)));
  }
}

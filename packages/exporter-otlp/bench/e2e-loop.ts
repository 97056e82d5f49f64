/**
 * The measured loop of an end-to-end child, shared by the benchmarks that put an exporter beside
 * the official one into the loopback sink (this package's, exporter-clickhouse's): the SDK
 * (BatchSpanProcessor or BatchLogRecordProcessor, default settings) with the exporter a variant
 * names, `count` items of the workload, then shutdown (everything delivered), after a warm-up of
 * the same kind. Prints the process's CPU time for the measured part as JSON, with its system
 * time and minor page faults apart.
 *
 *   node --import tsx <child>.ts <variant> <traces|logs> <count> <sink url>
 */
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { emitLogs, emitSpans, resource } from './workload';

export type E2eSignal = 'traces' | 'logs';

/** Items handed to the SDK between two flushes: the processor's queue (2,048) never overflows. */
const CHUNK = 1_024;
/**
 * 64 chunks: an exporter on undici (ours) parses responses with undici's WebAssembly HTTP parser,
 * which V8 recompiles with TurboFan once it is hot, on a background thread: ~0.25-0.3 s of CPU
 * once per process (perf: wasm::BackgroundCompileJob). After 8 chunks that compile still fell in
 * the measured part (3 µs per span over 80,000); after 64 it is done before it. The official
 * exporters' node:http parser is native and has no such step. BENCH_E2E_WARM_UP changes it.
 */
const WARM_UP = Number(process.env.BENCH_E2E_WARM_UP ?? 64 * CHUNK);
/**
 * And at least this long (BENCH_E2E_WARM_UP_MS): code that runs once a second (the protobuf
 * writer's new-second branch for timestamps) is first taken at a second's turn; optimised code
 * that had never seen it is thrown away and compiled again there (`--trace-deopt`). In a warm-up
 * shorter than a second that turn fell in the measured part: 30-40 ms of recompiling.
 */
const WARM_UP_MS = Number(process.env.BENCH_E2E_WARM_UP_MS ?? 1_500);

/** The SDK's own cost: an exporter that takes everything and does nothing. */
export const noopExporter = {
  export: (_items: unknown[], done: (result: { code: number }) => void) => done({ code: 0 }),
  shutdown: async () => undefined,
  forceFlush: async () => undefined,
};

/**
 * The SDK around an exporter as the benchmark runs it: its batch processor with default
 * settings, and `emit(n, offset)` making `n` items of the workload into it.
 */
export function sdkPipeline(
  signal: E2eSignal,
  exporter: SpanExporter | LogRecordExporter,
): { provider: BasicTracerProvider | LoggerProvider; emit: (n: number, offset: number) => void } {
  if (signal === 'traces') {
    const provider = new BasicTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(exporter as SpanExporter)],
    });
    return { provider, emit: (n, offset) => emitSpans(provider, n, offset) };
  }
  const provider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: exporter as LogRecordExporter })],
  });
  return { provider, emit: (n, offset) => emitLogs(provider, n, offset) };
}

export interface E2eOptions {
  /**
   * Await the exporter's own forceFlush after each chunk too: an exporter with a queue (the
   * core's) reports an export done when it is queued, so without this it would be measured
   * while holding a backlog the size of the run, or dropping what its queue bound refuses;
   * the official exporters report an export done when the backend answered, which this
   * matches. Off by default (e2e-child.ts turns it on with BENCH_E2E_DRAIN=1): with the loop's
   * turns of the event loop this package's exporter keeps up with the default queue, and a run
   * that did not deliver everything fails (below).
   */
  drainEachChunk?: boolean;
}

/*
 * BENCH_E2E_LOOP: how the loop waits between chunks. `flush` (default): the SDK's forceFlush.
 * For log records that also calls the exporter's forceFlush, so an exporter with a queue sends
 * what it holds every chunk: 1,024 records a request, as a service that flushed after every
 * thousand log records would. `steady`: a service under steady load, below saturation: items
 * made at `BENCH_E2E_RATE` a second (default 20,000, which every variant here sustains on this
 * 2-core machine), no flush; after each chunk the loop waits until the processor has handed its
 * full batches to the exporter and the exporter has called back. The official exporters call
 * back when the backend answered; an exporter with a queue calls back when it holds the
 * records, and batches as its own options say. (Unpaced, a producer that never lets the CPU go
 * outruns any exporter that sends in the background: ClickHouse's filled its queue and dropped
 * a fifth of issue 11's spans, counted.)
 */

/** How long the steady loop waits for a chunk's callbacks: the SDK's export timeout, and more. */
const SETTLE_MS = 60_000;

/**
 * The exporter as the processor sees it, counting the items whose export called back, and
 * `settled(n)`: a promise of the count reaching n.
 */
function countingExporter(exporter: SpanExporter | LogRecordExporter): {
  exporter: SpanExporter | LogRecordExporter;
  settled: (n: number) => Promise<void>;
} {
  let done = 0;
  let waiting: { target: number; resolve: () => void } | undefined;
  // A wrapper, not a prototype link: the exporters' private fields need their own `this`.
  const counted = {
    export: (items: never[], callback: (result: never) => void) =>
      (exporter.export as (i: never[], c: (r: never) => void) => void).call(
        exporter,
        items,
        (result) => {
          done += items.length;
          if (waiting && done >= waiting.target) {
            const { resolve } = waiting;
            waiting = undefined;
            resolve();
          }
          callback(result);
        },
      ),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  } as unknown as SpanExporter & LogRecordExporter;
  // An export that never calls back (or throws) would otherwise hang the whole benchmark: the
  // SDK moves on after its timeout, the count would not.
  const settled = (n: number) =>
    done >= n
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () =>
              reject(
                new Error(`the exporter called back for ${done} of ${n} items in ${SETTLE_MS} ms`),
              ),
            SETTLE_MS,
          );
          waiting = {
            target: n,
            resolve: () => {
              clearTimeout(timer);
              resolve();
            },
          };
        });
  return { exporter: counted, settled };
}

export async function runE2eChild(
  exporterFor: (
    variant: string,
    signal: E2eSignal,
    url: string,
  ) => SpanExporter | LogRecordExporter,
  options: E2eOptions = {},
): Promise<void> {
  const [variant, signal, countText, url] = process.argv.slice(2) as [
    string,
    E2eSignal,
    string,
    string,
  ];
  const count = Number(countText);
  const exporter = exporterFor(variant, signal, url);
  let ownStats: (() => unknown) | undefined;
  if ('stats' in exporter) ownStats = () => (exporter as { stats(): unknown }).stats();
  const steady = process.env.BENCH_E2E_LOOP === 'steady';
  const counting = steady ? countingExporter(exporter) : undefined;
  const itemsPerSecond = Number(process.env.BENCH_E2E_RATE ?? 20_000);
  let pacedFromMs = performance.now();
  let pacedItems = 0;
  const { provider, emit } = sdkPipeline(signal, counting?.exporter ?? exporter);
  let offset = 0;
  /** `items` more items, made and exported as the measured part makes them. */
  const run = async (items: number): Promise<void> => {
    for (let done = 0; done < items; done += CHUNK) {
      const n = Math.min(CHUNK, items - done);
      emit(n, offset);
      offset += n;
      if (!counting) {
        await provider.forceFlush();
      } else {
        // Full batches go to the exporter at once (the processors export a batch as soon as it
        // is full); a last part-chunk waits for shutdown's flush.
        if (n === CHUNK) await counting.settled(offset);
        pacedItems += n;
        const dueMs = pacedFromMs + (pacedItems * 1_000) / itemsPerSecond;
        const waitMs = dueMs - performance.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
      if (options.drainEachChunk) await exporter.forceFlush?.();
      // A service returns to its event loop between requests; a loop that never did would let
      // no response in, and an exporter that does not wait for its responses (ours: the core's
      // queue) would be measured holding the whole run in a backlog, which no service does.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  // Warm-up, not measured, by the same loop as the measured part: modules loaded on first use,
  // the JIT, the first connection. The steady state is what a long-running service pays per
  // item. (A warm-up without the loop's turns of the event loop left ours' responses unread
  // until its end: ours then queued the whole warm-up, and its code for answers arriving
  // between exports was first compiled, and recompiled, in the measured part.)
  const warmUpStarted = performance.now();
  while (offset < WARM_UP || performance.now() - warmUpStarted < WARM_UP_MS) await run(CHUNK);
  await exporter.forceFlush?.();
  const warmUpItems = offset;
  const requestsBefore = (ownStats?.() as { requests?: number } | undefined)?.requests;
  const before = process.resourceUsage();
  const started = performance.now();
  pacedFromMs = started;
  pacedItems = 0;
  await run(count);
  await provider.shutdown();
  const after = process.resourceUsage();
  const userUs = after.userCPUTime - before.userCPUTime;
  const systemUs = after.systemCPUTime - before.systemCPUTime;
  // A figure is only worth having if everything was delivered: an exporter that dropped records
  // would be measured doing less work.
  const stats = ownStats?.() as
    { accepted?: number; delivered?: number; requests?: number } | undefined;
  if (stats?.accepted !== undefined && stats.delivered !== stats.accepted) {
    throw new Error(`not all delivered: ${JSON.stringify(stats)}`);
  }
  process.stdout.write(
    `${JSON.stringify({
      cpuUs: userUs + systemUs,
      // Apart, with the page faults: an exporter that runs fewer instructions than another can
      // still spend more CPU, in the kernel and on fresh memory (exporter-elasticsearch's README).
      systemUs,
      minorFaults: after.minorPageFault - before.minorPageFault,
      // The sink counts every item sent, the warm-up's too (its length is time-bound).
      sentItems: warmUpItems + count,
      // An exporter's own count of the requests that carried the measured part's items: the
      // sink's count also holds the warm-up's and any set-up requests (ClickHouse's schema reads).
      ...(stats?.requests !== undefined && requestsBefore !== undefined
        ? { measuredRequests: stats.requests - requestsBefore }
        : {}),
      wallMs: performance.now() - started,
      stats,
    })}\n`,
  );
}

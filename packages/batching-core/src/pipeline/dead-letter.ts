import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { diag } from '@opentelemetry/api';
import { InvalidConfigError } from '../errors';
import type { DeadLetter, DeadLetterHandler, DropReason, Signal, UnmappedLetter } from '../types';

export interface NdjsonDeadLetterOptions<R> {
  /** File to append to; its folder is created if missing. */
  path: string;
  /** Turns a record into something JSON can hold. Default: the record itself. */
  serialize?: (record: R) => unknown;
}

export interface NdjsonDeadLetterWriter<R> extends DeadLetterHandler<R> {
  /** Resolves when every letter handed over so far is on disk (or its write failed and was logged). */
  flush(): Promise<void>;
  /** Lines written and lines that failed, for tests and alerts. */
  readonly written: number;
  readonly failed: number;
}

/**
 * A ready dead-letter handler: one JSON line per dropped record, appended to a file, e.g.
 * `{"time":"…","exporter":"elasticsearch","signal":"logs","reason":"rejected","detail":"…","record":{…}}`.
 * Writes are chained, so lines keep the order of the drops, and a failed write is logged through
 * diag and counted, never thrown into the pipeline. BigInts are written as strings.
 */
export function createNdjsonDeadLetterWriter<R>(
  options: NdjsonDeadLetterOptions<R>,
): NdjsonDeadLetterWriter<R> {
  if (!options || typeof options.path !== 'string' || options.path === '') {
    throw new InvalidConfigError('path', 'expected the path of the dead-letter file');
  }
  const { path } = options;
  const serialize = options.serialize ?? ((record: R) => record);
  let chain: Promise<void> = mkdir(dirname(path), { recursive: true }).then(
    () => undefined,
    (error: unknown) =>
      diag.error(`otelpack dead-letter: cannot create the folder of ${path}`, error),
  );
  const counts = { written: 0, failed: 0 };

  const write = (letter: DeadLetter<R> | UnmappedLetter): Promise<void> => {
    const time = new Date().toISOString();
    const { exporter, signal, reason, stage } = letter;
    let text = '';
    if (letter.stage === 'mapping') {
      for (const { item, detail } of letter.items) {
        text +=
          safeJson({ time, exporter, signal, reason, stage, detail }, 'item', () => item) + '\n';
      }
    } else {
      for (const { record, detail } of letter.items) {
        text +=
          safeJson({ time, exporter, signal, reason, stage, detail }, 'record', () =>
            serialize(record),
          ) + '\n';
      }
    }
    const lines = letter.items.length;
    chain = chain.then(() =>
      appendFile(path, text).then(
        () => {
          counts.written += lines;
        },
        (error: unknown) => {
          counts.failed += lines;
          diag.error(`otelpack dead-letter: cannot append ${lines} lines to ${path}`, error);
        },
      ),
    );
    return chain;
  };

  return Object.defineProperties(write, {
    flush: { value: () => chain },
    written: { get: () => counts.written },
    failed: { get: () => counts.failed },
  }) as NdjsonDeadLetterWriter<R>;
}

function safeJson(
  fields: Record<string, unknown>,
  key: 'record' | 'item',
  value: () => unknown,
): string {
  try {
    return JSON.stringify({ ...fields, [key]: value() }, (_key, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
  } catch (error) {
    // A cyclic or otherwise unserialisable record (or a throwing `serialize`) still leaves a
    // trace of its drop.
    return JSON.stringify({ ...fields, [key]: null, serializeError: String(error) });
  }
}

/**
 * The pipeline's side of the dead-letter hook: hands over letters for the reasons chosen, never
 * lets the handler throw into the pipeline, and keeps the writes still running so that shutdown
 * can wait for them.
 */
export class DeadLetterOutlet<R> {
  private readonly writes = new Set<Promise<void>>();

  constructor(
    private readonly exporter: string,
    private readonly signal: Signal,
    private readonly handler: DeadLetterHandler<R> | undefined,
    private readonly reasons: ReadonlySet<DropReason>,
  ) {}

  /** Whether letters for `reason` go anywhere (callers skip building them otherwise). */
  wants(reason: DropReason): boolean {
    return this.handler !== undefined && this.reasons.has(reason);
  }

  records(reason: DropReason, items: { record: R; detail: string }[]): void {
    if (!this.wants(reason) || items.length === 0) return;
    this.send({ stage: 'delivery', exporter: this.exporter, signal: this.signal, reason, items });
  }

  unmapped(items: { item: Record<string, unknown>; detail: string }[]): void {
    if (!this.wants('rejected') || items.length === 0) return;
    this.send({
      stage: 'mapping',
      exporter: this.exporter,
      signal: this.signal,
      reason: 'rejected',
      items,
    });
  }

  /** Resolves when every write handed over so far has ended (or `timeoutMs` passed). */
  async settled(timeoutMs: number): Promise<void> {
    if (this.writes.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.writes]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, timeoutMs));
      }),
    ]);
    clearTimeout(timer);
  }

  private send(letter: DeadLetter<R> | UnmappedLetter): void {
    const handler = this.handler as DeadLetterHandler<R>;
    try {
      const written = handler(letter);
      if (written && typeof (written as Promise<void>).then === 'function') {
        const tracked = Promise.resolve(written).catch((error: unknown) => {
          diag.error(`otelpack ${this.exporter} ${this.signal}: dead-letter handler failed`, error);
        });
        this.writes.add(tracked);
        void tracked.then(() => this.writes.delete(tracked));
      }
    } catch (error) {
      diag.error(`otelpack ${this.exporter} ${this.signal}: dead-letter handler threw`, error);
    }
  }
}

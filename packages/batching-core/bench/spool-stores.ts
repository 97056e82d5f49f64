/**
 * Scenario 5: the spool's own segment log against the embedded stores on npm that install
 * without a compiler (their npm packages carry prebuilt binaries for Node 20 and 24): LMDB
 * (`lmdb`) and LevelDB (`classic-level`). The issue let the spool use such a store "if it is as
 * fast and as safe (measure it)"; this is the measure.
 *
 * Each variant does what the spool does with an export, one export after the other as the SDK's
 * processors give them: it makes the export's records safe from a process crash (in the kernel,
 * no fsync: the `interval` policy's promise between fsyncs) before the export counts as accepted,
 * and forgets the export before it once that one is delivered. All encode the same records with
 * the same default codec, so the difference is the storage. Anchor: `DiskRecordQueue` with
 * `fsync: 'never'` (what `interval` does between its background fsyncs), through the same calls
 * the pipeline makes (`push`, `commit`, `shift`, `acknowledge`). Rounds rotate the variants'
 * order; a figure is the median over rounds of the ratio to the anchor's run in the same round.
 * `node --expose-gc --import tsx bench/spool-stores.ts` runs it alone; BENCH_RUNS sets the rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as ClassicLevelModule from 'classic-level';
import type * as LmdbModule from 'lmdb';
import type * as Core from '../src';
import type * as CodecModule from '../src/spool/codec';
import type { DiskRecordQueue as DiskRecordQueueType, QueuedRecord } from '../src';
import { CORE_DIR } from './lib/core';
import { forceGc, reportToParent } from './lib/child';
import { chunk, estimateBytes, makeRecords } from './lib/records';
import type { BenchRecord } from './lib/records';
import type { SpoolBenchResult } from './spool';
import { figuresOverRounds, median, round } from './lib/stats';

const RECORDS = Number(process.env.BENCH_SPOOL_RECORDS ?? 200_000);
const EXPORT_SIZE = 512;
const TIMED_RUNS = Number(process.env.BENCH_RUNS ?? 7);

const load = createRequire(__filename);
const core = load(CORE_DIR) as typeof Core;
// The built-in codecs' way to write after a header into a buffer reused from export to export,
// as the spool does: the stores get it too, so that no side pays copies the other does not.
const { inScratchEncoderOf } = load(join(CORE_DIR, 'spool', 'codec')) as typeof CodecModule;
const encodeInScratch = inScratchEncoderOf(core.defaultSpoolCodec) as NonNullable<
  ReturnType<typeof inScratchEncoderOf<unknown>>
>;
// The stores are this package's devDependencies (the measure, not the product), loaded when
// measured: where one has no prebuilt binary its variants are left out, and the report says so.
const lmdb = () => load('lmdb') as typeof LmdbModule;
const classicLevel = () => load('classic-level') as typeof ClassicLevelModule;

type Entry = QueuedRecord<BenchRecord>;

/** Keeps one export and forgets the one before it, as the pipeline's queue would. */
interface Store {
  accept(records: BenchRecord[], entries: Entry[]): void | Promise<void>;
  forget(entries: Entry[], sequence: number): void | Promise<void>;
  close(): Promise<void>;
}

/**
 * An export as a store would keep it: what the spool writes for each record besides the codec's
 * bytes (acceptance time, wire bytes), then the codec's bytes, in one buffer reused from export
 * to export (valid until the next encode: each store is done with it by then).
 */
function exportValue(records: BenchRecord[], entries: Entry[]): Buffer {
  const columnsBytes = entries.length * 12;
  const value = encodeInScratch(records, columnsBytes) as Buffer;
  for (let i = 0; i < entries.length; i++) {
    value.writeDoubleLE(entries[i].acceptedAtMs, i * 8);
    value.writeUInt32LE(entries[i].bytes, entries.length * 8 + i * 4);
  }
  return value;
}

/** LMDB keeping each export under its first record's sequence, with `how` and `options`. */
function lmdbStore(
  name: string,
  how: 'putSync' | 'await put',
  options: Record<string, boolean>,
): (typeof ALL_STORES)[number] {
  return {
    name,
    needs: 'lmdb',
    async open(directory) {
      const db = lmdb().open({ path: join(directory, 'db'), encoding: 'binary', ...options });
      if (how === 'putSync') {
        return {
          accept: (records, entries) =>
            void db.putSync(entries[0].seq, exportValue(records, entries)),
          forget: (entries) => void db.removeSync(entries[0].seq),
          close: () => db.close(),
        };
      }
      return {
        accept: async (records, entries) => {
          await db.put(entries[0].seq, exportValue(records, entries));
        },
        forget: async (entries) => {
          await db.remove(entries[0].seq);
        },
        close: () => db.close(),
      };
    },
  };
}

const ALL_STORES: { name: string; needs?: string; open(directory: string): Promise<Store> }[] = [
  {
    name: "spool segment log (anchor), fsync 'never'",
    async open(directory) {
      const queue: DiskRecordQueueType<Entry> = new core.DiskRecordQueue<Entry>({
        directory,
        maxBytes: 1024 * 1024 * 1024,
        fsync: 'never',
        fsyncIntervalMs: 1000,
        segmentBytes: 16 * 1024 * 1024,
        codec: core.defaultSpoolCodec as never,
        clockOriginMs: Date.now(),
      });
      return {
        accept(_records, entries) {
          for (const entry of entries) queue.push(entry);
          const failure = queue.commit();
          if (failure) throw new Error(failure.reason);
          for (let i = 0; i < entries.length; i++) queue.shift();
        },
        forget: (entries) => queue.acknowledge(entries),
        close: () => queue.close(),
      };
    },
  },
  lmdbStore('LMDB (lmdb), putSync, noSync', 'putSync', { noSync: true }),
  lmdbStore('LMDB (lmdb), await put, noSync', 'await put', { noSync: true }),
  // lmdb-js's own default on Linux: each commit flushed to disk after it, in the background,
  // its integrity kept through a crash; `separateFlushed` answers the put once committed
  // (in the kernel), not once flushed: what `interval` promises.
  lmdbStore(
    'LMDB (lmdb), await put, overlappingSync (its default), answered once committed',
    'await put',
    { overlappingSync: true, separateFlushed: true },
  ),
  {
    name: 'LevelDB (classic-level), await put, sync false',
    needs: 'classic-level',
    async open(directory) {
      const db = new (classicLevel().ClassicLevel)<Buffer, Buffer>(join(directory, 'db'), {
        keyEncoding: 'buffer',
        valueEncoding: 'buffer',
      });
      await db.open();
      const keyOf = (sequence: number) => {
        const key = Buffer.allocUnsafe(8);
        key.writeDoubleBE(sequence);
        return key;
      };
      return {
        async accept(records, entries) {
          await db.put(keyOf(entries[0].seq), exportValue(records, entries));
        },
        async forget(entries) {
          await db.del(keyOf(entries[0].seq));
        },
        close: () => db.close(),
      };
    },
  },
];

/** The stores whose module loads here; the others' names, for the report. */
const LEFT_OUT: string[] = [];
const STORES = ALL_STORES.filter((store) => {
  if (!store.needs) return true;
  try {
    load(store.needs);
    return true;
  } catch {
    LEFT_OUT.push(`${store.name} (${store.needs} does not load here)`);
    return false;
  }
});

export interface SpoolStoresResult {
  records: number;
  exportSize: number;
  rounds: number;
  anchor: string;
  leftOut: string[];
  /** As the spool scenario's, without its latencies: a store's accept is not an export. */
  variants: (Pick<
    SpoolBenchResult['variants'][number],
    'name' | 'recordsPerSec' | 'ratioToAnchor' | 'spread' | 'cpuNsPerRecord' | 'cpuRatioToAnchor'
  > & {
    /** The kernel's part of the CPU time (writing to the page cache, allocating its pages). */
    systemNsPerRecord: number;
  })[];
}

async function run(
  index: number,
  chunks: BenchRecord[][],
  base: string,
): Promise<{ recordsPerSec: number; cpuNsPerRecord: number; systemNsPerRecord: number }> {
  const directory = mkdtempSync(join(base, 'store-'));
  const store = await STORES[index].open(directory);
  let seq = 0;
  const exports: Entry[][] = chunks.map((records) =>
    records.map((record) => ({
      record,
      bytes: estimateBytes(record),
      seq: seq++,
      acceptedAtMs: 0,
    })),
  );
  forceGc();
  const startCpu = process.cpuUsage();
  const startMs = performance.now();
  let previous: Entry[] | undefined;
  for (let i = 0; i < chunks.length; i++) {
    await store.accept(chunks[i], exports[i]);
    // The export before this one is delivered by now: forgotten, as acknowledgements go.
    if (previous) await store.forget(previous, i - 1);
    previous = exports[i];
  }
  if (previous) await store.forget(previous, chunks.length - 1);
  const elapsedMs = performance.now() - startMs;
  const cpu = process.cpuUsage(startCpu);
  await store.close();
  rmSync(directory, { recursive: true, force: true });
  return {
    recordsPerSec: (RECORDS / elapsedMs) * 1000,
    cpuNsPerRecord: ((cpu.user + cpu.system) * 1000) / RECORDS,
    systemNsPerRecord: (cpu.system * 1000) / RECORDS,
  };
}

async function main(): Promise<SpoolStoresResult> {
  const chunks = chunk(makeRecords(RECORDS), EXPORT_SIZE);
  const base = mkdtempSync(join(tmpdir(), 'otelpack-bench-stores-'));
  try {
    for (let i = 0; i < STORES.length; i++) await run(i, chunks, base);
    const rates: number[][] = STORES.map(() => []);
    const cpus: number[][] = STORES.map(() => []);
    const systems: number[][] = STORES.map(() => []);
    const ratios: number[][] = STORES.map(() => []);
    const cpuRatios: number[][] = STORES.map(() => []);
    for (let k = 0; k < TIMED_RUNS; k++) {
      const round: Awaited<ReturnType<typeof run>>[] = [];
      for (let j = 0; j < STORES.length; j++) {
        const i = (j + k) % STORES.length;
        round[i] = await run(i, chunks, base);
      }
      for (let i = 0; i < STORES.length; i++) {
        rates[i].push(round[i].recordsPerSec);
        cpus[i].push(round[i].cpuNsPerRecord);
        systems[i].push(round[i].systemNsPerRecord);
        ratios[i].push(round[i].recordsPerSec / round[0].recordsPerSec);
        cpuRatios[i].push(round[0].cpuNsPerRecord / round[i].cpuNsPerRecord);
      }
    }
    return {
      records: RECORDS,
      exportSize: EXPORT_SIZE,
      rounds: TIMED_RUNS,
      anchor: STORES[0].name,
      leftOut: LEFT_OUT,
      variants: STORES.map((store, i) => ({
        name: store.name,
        ...figuresOverRounds({
          recordsPerSec: rates[i],
          ratios: ratios[i],
          cpuNsPerRecord: cpus[i],
          cpuRatios: cpuRatios[i],
        }),
        systemNsPerRecord: round(median(systems[i]), 0),
      })),
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

reportToParent(main);

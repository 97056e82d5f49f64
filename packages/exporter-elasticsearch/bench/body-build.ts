/**
 * Bulk body build throughput, spans and logs: otelpack (each record serialised once when mapped,
 * a batch's body a concatenation) against the official client's `helpers.bulk` (anchor) building
 * the same documents into its bodies, its transport replaced by a connection that never touches
 * the network. Two measurements per signal:
 *  - from documents: the mapped documents are given; only serialisation and body assembly count;
 *  - from SDK items: mapping the SDK's spans / log records is included on both sides.
 * Both sides produce the same NDJSON, line for line and byte for byte in length (checked before
 * measuring; otelpack writes shared members last, so lines are compared as JSON).
 */
import { isDeepStrictEqual } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import type { ReadableLogRecordLike, ReadableSpanLike } from '@otelpack/batching-core';
import { encodeDocument } from '../src/bulk/record';
import type { BulkRecord } from '../src/bulk/record';
import { buildBulkBody } from '../src/bulk/sender';
import { resolveConfig } from '../src/config';
import { ELASTICSEARCH_DEFAULTS } from '../src/options';
import { mapLogRecord, mapSpan } from '../src/mapping/mapper';
import type { BulkDocument } from '../src/mapping/types';
import { reportToParent } from './lib/child';
import { makeLogs, makeSpans } from './lib/inputs';
import { NullBulkConnection } from './lib/null-connection';
import { gc, median, round, spread } from './lib/stats';

const ITEMS = 20_000;
const ROUNDS = 7;
/** Bodies are cut as the pipeline cuts them with this exporter's defaults (README, Delivery). */
const { maxBatchItems: BATCH_ITEMS, maxBatchBytes: BATCH_BYTES } = ELASTICSEARCH_DEFAULTS;

const settings = resolveConfig({}).mapping;

function actionOf(doc: BulkDocument): Record<string, unknown> {
  const meta: Record<string, unknown> = { _index: doc.target.index };
  if (doc.target.dataStream) meta.require_data_stream = true;
  return { create: meta };
}

/**
 * Cuts records into batches as the pipeline's batcher does (at `BATCH_ITEMS` records, or before
 * the record that would take the batch past `BATCH_BYTES`) and builds each batch's body.
 */
class Bodies {
  /** Total body bytes: the client measures each body for content-length, on both sides. */
  bytes = 0;
  private batch: BulkRecord[] = [];
  private batchBytes = 0;

  add(record: BulkRecord): void {
    const full = this.batch.length === BATCH_ITEMS || this.batchBytes + record.bytes > BATCH_BYTES;
    if (full && this.batch.length > 0) this.build();
    this.batch.push(record);
    this.batchBytes += record.bytes;
  }

  finish(): number {
    if (this.batch.length > 0) this.build();
    return this.bytes;
  }

  private build(): void {
    this.bytes += Buffer.byteLength(buildBulkBody(this.batch));
    this.batch = [];
    this.batchBytes = 0;
  }
}

/** otelpack: records from documents, one body per batch. */
function ourBodies(documents: BulkDocument[]): number {
  const bodies = new Bodies();
  for (const doc of documents) bodies.add(encodeDocument(doc));
  return bodies.finish();
}

/** otelpack from SDK items: map, serialise, concatenate. */
function ourBodiesFromItems<I>(items: I[], map: (item: I) => BulkDocument[]): number {
  const bodies = new Bodies();
  for (const item of items) for (const doc of map(item)) bodies.add(encodeDocument(doc));
  return bodies.finish();
}

const client = new Client({
  node: 'http://null.invalid:9200',
  Connection: NullBulkConnection,
  maxRetries: 0,
});

/** The anchor: helpers.bulk serialises each action and document and sends 5 MB bodies. */
async function helperBodies(
  source: Iterable<BulkDocument> | AsyncIterable<BulkDocument>,
): Promise<number> {
  const actions = new WeakMap<object, Record<string, unknown>>();
  async function* documents() {
    for await (const doc of source) {
      actions.set(doc.document, actionOf(doc));
      yield doc.document;
    }
  }
  NullBulkConnection.bodyBytes = 0;
  const stats = await client.helpers.bulk({
    datasource: documents(),
    onDocument: (doc) => actions.get(doc) as never,
    refreshOnCompletion: false,
  });
  if (stats.failed > 0) throw new Error(`helpers.bulk reported ${stats.failed} failures`);
  return NullBulkConnection.bodyBytes;
}

function* mapped<I>(items: I[], map: (item: I) => BulkDocument[]): Iterable<BulkDocument> {
  for (const item of items) yield* map(item);
}

async function measure(
  run: () => number | Promise<number>,
): Promise<{ ms: number; bytes: number }> {
  gc();
  const start = performance.now();
  const bytes = await run();
  return { ms: performance.now() - start, bytes };
}

export interface BuildCase {
  signal: 'spans' | 'logs';
  input: 'documents' | 'SDK items';
  documents: number;
  meanDocumentBytes: number;
  anchor: { docsPerSec: number; mbPerSec: number; spread: number };
  otelpack: { docsPerSec: number; mbPerSec: number; spread: number };
  ratio: number;
}

export interface BodyBuildResult {
  anchor: string;
  rounds: number;
  cases: BuildCase[];
}

async function verifyIdentical(documents: BulkDocument[]): Promise<void> {
  NullBulkConnection.keepBodies = true;
  NullBulkConnection.bodies = [];
  await helperBodies(documents);
  NullBulkConnection.keepBodies = false;
  const theirs = NullBulkConnection.bodies.join('');
  NullBulkConnection.bodies = [];
  const ours = buildBulkBody(documents.map((doc) => encodeDocument(doc))).toString('utf8');
  // The same lines, byte for byte in length; members may be in another order (otelpack writes
  // shared members such as resource and scope last), so each line is compared as JSON.
  const theirLines = theirs.split('\n');
  const ourLines = ours.split('\n');
  const same =
    Buffer.byteLength(theirs) === Buffer.byteLength(ours) &&
    theirLines.length === ourLines.length &&
    theirLines.every((line, i) => isDeepStrictEqual(parseLine(line), parseLine(ourLines[i])));
  if (!same) throw new Error('helpers.bulk and otelpack built different bodies');
}

function parseLine(line: string): unknown {
  return line === '' ? '' : JSON.parse(line);
}

async function runCase<I>(
  signal: 'spans' | 'logs',
  items: I[],
  map: (item: I) => BulkDocument[],
): Promise<BuildCase[]> {
  const documents = [...mapped(items, map)];
  if (documents.length === 0) throw new Error(`no ${signal} to measure`);
  await verifyIdentical(documents);
  const cases: BuildCase[] = [];
  for (const input of ['documents', 'SDK items'] as const) {
    const ours: number[] = [];
    const theirs: number[] = [];
    const ratios: number[] = [];
    let bytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const a =
        input === 'documents'
          ? await measure(() => helperBodies(documents))
          : await measure(() => helperBodies(mapped(items, map)));
      const o =
        input === 'documents'
          ? await measure(() => ourBodies(documents))
          : await measure(() => ourBodiesFromItems(items, map));
      if (a.bytes !== o.bytes) throw new Error(`body sizes differ: ${a.bytes} vs ${o.bytes}`);
      bytes = o.bytes;
      theirs.push(documents.length / (a.ms / 1000));
      ours.push(documents.length / (o.ms / 1000));
      ratios.push(a.ms / o.ms);
    }
    const mb = (docsPerSec: number) => round((docsPerSec * (bytes / documents.length)) / 1e6, 1);
    cases.push({
      signal,
      input,
      documents: documents.length,
      meanDocumentBytes: Math.round(bytes / documents.length),
      anchor: {
        docsPerSec: Math.round(median(theirs)),
        mbPerSec: mb(median(theirs)),
        spread: round(spread(theirs)),
      },
      otelpack: {
        docsPerSec: Math.round(median(ours)),
        mbPerSec: mb(median(ours)),
        spread: round(spread(ours)),
      },
      ratio: round(median(ratios)),
    });
  }
  return cases;
}

reportToParent(async (): Promise<BodyBuildResult> => {
  const spans: ReadableSpanLike[] = makeSpans(ITEMS);
  const logs: ReadableLogRecordLike[] = await makeLogs(ITEMS);
  const cases = [
    ...(await runCase('spans', spans, (span) => mapSpan(span, settings))),
    ...(await runCase('logs', logs, (log) => [mapLogRecord(log, settings)])),
  ];
  return { anchor: '@elastic/elasticsearch helpers.bulk (no network)', rounds: ROUNDS, cases };
});

import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { ProtoWriter } from '@otelpack/batching-core';
import { stringifyDocument } from '../mapping/shared-json';
import type { BulkDocument } from '../mapping/types';

/**
 * One document ready for `_bulk`: its action line and its source line, serialised once when the
 * record is made, so that a batch's body is a concatenation and a retry resends the same bytes.
 */
export interface BulkRecord {
  readonly index: string;
  readonly id: string | undefined;
  /** The action line, e.g. `{"create":{"_index":"logs-generic.otel-default"}}`. */
  readonly action: string;
  /** The document line's UTF-8, as the body carries it. */
  readonly documentBytes: Uint8Array;
  /** The document line (JSON), decoded from `documentBytes` when read. */
  readonly document: string;
  /** UTF-8 bytes of both lines and their newlines: what the record adds to a request body. */
  readonly bytes: number;
  /** Whether a 409 for this record means the same document is already stored. */
  readonly conflictMeansStored: boolean;
  /** Bound for a time series data stream: a 409 means stored only for a resend (see BulkDocument). */
  readonly timeSeries: boolean;
}

/**
 * The document is kept as UTF-8 in a slab of its exporter's (DocumentSlabs), not as a string: a
 * record waits in the queue for its request, long enough to survive a young-generation
 * collection or two, and a string of ~700 bytes was copied by each of them and then promoted
 * (the end-to-end profile put a fifth of the exporter's CPU per log record in the collector).
 * Bytes outside V8's heap are never copied by it, the body is built by copying them, and the
 * size comes from the encoding itself rather than from a `Buffer.byteLength` pass.
 */
class EncodedBulkRecord implements BulkRecord {
  #documentBytes: Uint8Array;

  constructor(
    readonly index: string,
    readonly id: string | undefined,
    readonly action: string,
    documentBytes: Uint8Array,
    readonly bytes: number,
    readonly conflictMeansStored: boolean,
    readonly timeSeries: boolean,
  ) {
    this.#documentBytes = documentBytes;
  }

  get documentBytes(): Uint8Array {
    return this.#documentBytes;
  }

  get document(): string {
    const bytes = this.#documentBytes;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  }

  /** Moves the document out of its slab into memory of its own size (see detachDocument). */
  detach(): void {
    const bytes = this.#documentBytes;
    if (bytes.byteLength !== bytes.buffer.byteLength) this.#documentBytes = bytes.slice();
  }

  /** For JSON (a dead-letter file) and the console: the record with its lines as text. */
  toJSON(): Omit<BulkRecord, 'documentBytes'> {
    const { index, id, action, document, bytes, conflictMeansStored, timeSeries } = this;
    return { index, id, action, document, bytes, conflictMeansStored, timeSeries };
  }

  [inspect.custom](): Omit<BulkRecord, 'documentBytes'> {
    return this.toJSON();
  }
}

/**
 * A record that outlives the records written next to it (an item retried alone, a dead letter)
 * would keep their whole slab: its document moves to memory of its own first.
 */
export function detachDocument(record: BulkRecord): void {
  if (record instanceof EncodedBulkRecord) record.detach();
}

/** Past this many UTF-16 units a document gets a Buffer of its own, not a slab's room for 3×. */
const OWN_BUFFER_UNITS = 4 * 1024;
/**
 * A slab is freed when the last record in it is: small enough that the records a queue holds
 * back keep little else alive, large enough that its allocation is paid by a few dozen records.
 */
const SLAB_BYTES = 32 * 1024;

/**
 * Documents' UTF-8, one after another in slabs (ProtoWriter's slab handling). One per exporter:
 * records of one queue are sent and freed roughly in the order they were written, so a slab is
 * freed soon after its last record is delivered; records of another exporter, whose backend may
 * be down, never share it.
 */
export class DocumentSlabs extends ProtoWriter {
  constructor() {
    super(SLAB_BYTES);
  }

  encode(text: string): Uint8Array {
    if (text.length > OWN_BUFFER_UNITS) return Buffer.from(text, 'utf8');
    this.text(text);
    return this.finish();
  }

  /** `head`'s UTF-8 followed by `tail` (a document's SplitJson). */
  encodeSplit(head: string, tail: Uint8Array): Uint8Array {
    if (head.length + tail.length > OWN_BUFFER_UNITS) {
      const headBytes = Buffer.byteLength(head);
      const own = Buffer.allocUnsafe(headBytes + tail.length);
      own.write(head, 0);
      own.set(tail, headBytes);
      return own;
    }
    this.text(head);
    this.raw(tail);
    return this.finish();
  }

  private text(text: string): void {
    // Written into what is left of the slab first: Buffer#write stops before a character that
    // does not fit, and none takes more than 4 bytes, so 4 bytes to spare after it mean all of
    // it was written. Reserving the 3 bytes per unit that the worst text needs held 8 % more
    // memory per queued record of 3 KB (bench/memory-fit.ts).
    const room = this.buffer.length - this.pos;
    if (room >= text.length) {
      const written = this.buffer.write(text, this.pos);
      if (room - written >= 4) {
        this.pos += written;
        return;
      }
    }
    // At most three bytes per UTF-16 unit (a lone surrogate becomes U+FFFD: three).
    this.ensure(text.length * 3);
    this.pos += this.buffer.write(text, this.pos);
  }

  /** A copy of document bytes read from elsewhere (a spool payload), which they then do not keep. */
  copy(bytes: Uint8Array): Uint8Array {
    if (bytes.length > OWN_BUFFER_UNITS) return bytes.slice();
    this.raw(bytes);
    return this.finish();
  }
}

/** For records made outside an exporter's mapping (tests, tools). */
const sharedSlabs = new DocumentSlabs();

/** A record whose document is already serialised (one read back from a spool). */
export function bulkRecordOf(
  fields: Omit<BulkRecord, 'document' | 'documentBytes' | 'bytes'>,
  document: string | Uint8Array,
  slabs: DocumentSlabs = sharedSlabs,
): BulkRecord {
  const documentBytes =
    typeof document === 'string' ? slabs.encode(document) : slabs.copy(document);
  return new EncodedBulkRecord(
    fields.index,
    fields.id,
    fields.action,
    documentBytes,
    Buffer.byteLength(fields.action) + documentBytes.length + 2,
    fields.conflictMeansStored,
    fields.timeSeries,
  );
}

/**
 * 128 bits of SHA-256 over the target and the document (given whole, or as its head and the
 * UTF-8 of its shared tail: SplitJson), base64url: 22 characters.
 */
export function contentId(index: string, document: string, tail?: Uint8Array): string {
  const hash = createHash('sha256').update(index).update('\n').update(document);
  if (tail !== undefined) hash.update(tail);
  return hash.digest('base64url').slice(0, 22);
}

/**
 * Serialises a mapped document. Always `create`: data streams accept nothing else, and on plain
 * indices it turns a resend of a document with a deterministic id into a 409, not an overwrite.
 */
export function encodeDocument(doc: BulkDocument, slabs: DocumentSlabs = sharedSlabs): BulkRecord {
  const index = doc.target.index;
  const split = doc.split;
  let documentBytes: Uint8Array;
  let id = doc.id;
  if (split !== undefined) {
    if (id === undefined && doc.hashId) id = contentId(index, split.head, split.tail.bytes);
    documentBytes = slabs.encodeSplit(split.head, split.tail.bytes);
  } else {
    const document = doc.json ?? stringifyDocument(doc.document);
    if (id === undefined && doc.hashId) id = contentId(index, document);
    documentBytes = slabs.encode(document);
  }
  const dataStream = doc.target.dataStream !== undefined;
  let action: string;
  let actionBytes: number;
  if (id === undefined && doc.dynamicTemplates === undefined) {
    // Most documents of a run share a few action lines: one per target.
    const cached = plainAction(index, dataStream);
    action = cached.action;
    actionBytes = cached.bytes;
  } else {
    action = actionLine(index, dataStream, id, doc.dynamicTemplates);
    actionBytes = Buffer.byteLength(action);
  }
  return new EncodedBulkRecord(
    index,
    id,
    action,
    documentBytes,
    actionBytes + documentBytes.length + 2,
    doc.conflictMeansStored,
    doc.timeSeries,
  );
}

function actionLine(
  index: string,
  dataStream: boolean,
  id: string | undefined,
  dynamicTemplates: Record<string, string> | undefined,
): string {
  const meta: Record<string, unknown> = { _index: index };
  if (id !== undefined) meta._id = id;
  // Keeps a missing index template from silently creating a plain index with a data stream's name.
  if (dataStream) meta.require_data_stream = true;
  if (dynamicTemplates) meta.dynamic_templates = dynamicTemplates;
  return JSON.stringify({ create: meta });
}

const MAX_CACHED_ACTIONS = 1_024;
const plainActions = new Map<string, { action: string; bytes: number }>();

function plainAction(index: string, dataStream: boolean): { action: string; bytes: number } {
  const key = dataStream ? index : `\u0000${index}`;
  let cached = plainActions.get(key);
  if (cached === undefined) {
    const action = actionLine(index, dataStream, undefined, undefined);
    cached = { action, bytes: Buffer.byteLength(action) };
    // Date-suffixed or attribute-routed names are many over a long run: keep the cache bounded.
    if (plainActions.size >= MAX_CACHED_ACTIONS) plainActions.clear();
    plainActions.set(key, cached);
  }
  return cached;
}

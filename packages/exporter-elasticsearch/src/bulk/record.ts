import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { ProtoWriter } from '@otelpack/batching-core';
import { stringifyDocument } from '../mapping/shared-json';
import type { BulkDocument, SharedJsonTail } from '../mapping/types';

/**
 * One document ready for `_bulk`: its action line and its source line, serialised once when the
 * record is made, so that a batch's body is a concatenation and a retry resends the same bytes.
 */
export interface BulkRecord {
  readonly index: string;
  readonly id: string | undefined;
  /** The action line, e.g. `{"create":{"_index":"logs-generic.otel-default"}}`. */
  readonly action: string;
  /**
   * The document line's UTF-8, as the body carries it. A record made by the mapping may keep it in
   * two parts (its own members, and the tail it shares with the other documents of its target,
   * resource and scope): this is then their join, made when read (see copyDocument).
   */
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
 *
 * A document the mapping wrote as a head and a shared tail (SplitJson) keeps only its head in the
 * slab and refers to the tail's bytes, which every document of that target, resource and scope
 * shares: the tail (resource, scope, data stream: a third to half of a span's document) is then
 * copied once per request body, not also once per record into the slab, and held once
 * (bench/memory-fit.ts: 557 bytes held per queued span where 1,296 were, with the change below).
 *
 * The head is kept as where it lies (its slab's memory, start and length), not as a view: a
 * record usually outlives a young-generation collection or two in the queue, and a typed array
 * view is about a hundred bytes of V8 heap per record that would be promoted with it and wait
 * for a full collection (the end-to-end benchmark's old generation grew by that much faster,
 * and its page faults with it). A view is made for the moment it is needed.
 */
class EncodedBulkRecord implements BulkRecord {
  #memory: ArrayBufferLike;
  #start: number;
  #length: number;
  readonly #tail: SharedJsonTail | undefined;

  /** The head is `head` of `slabs`: the bytes its last `place()` wrote. */
  constructor(
    readonly index: string,
    readonly id: string | undefined,
    readonly action: string,
    head: DocumentSlabs,
    tail: SharedJsonTail | undefined,
    readonly bytes: number,
    readonly conflictMeansStored: boolean,
    readonly timeSeries: boolean,
  ) {
    this.#memory = head.placedMemory;
    this.#start = head.placedStart;
    this.#length = head.placedLength;
    this.#tail = tail;
    head.forgetPlaced();
  }

  #head(): Uint8Array {
    return new Uint8Array(this.#memory, this.#start, this.#length);
  }

  get documentBytes(): Uint8Array {
    if (this.#tail === undefined) return this.#head();
    // Joined in memory of its own (not Buffer's shared pool): a reader may keep or transfer it.
    const joined = Buffer.allocUnsafeSlow(this.documentLength);
    this.copyDocumentTo(joined, 0);
    return joined;
  }

  get document(): string {
    const bytes = this.documentBytes;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  }

  get documentLength(): number {
    return this.#length + (this.#tail === undefined ? 0 : this.#tail.wireBytes);
  }

  /** The tail the record refers to, shared with the other records that end with it. */
  get sharedTail(): SharedJsonTail | undefined {
    return this.#tail;
  }

  /** The record's own part of the document: all of it when it has no shared tail. */
  get head(): Uint8Array {
    return this.#head();
  }

  /** See copyDocument. */
  copyDocumentTo(target: Uint8Array, offset: number): number {
    target.set(this.#head(), offset);
    offset += this.#length;
    const tail = this.#tail;
    if (tail === undefined) return offset;
    target.set(tail.bytes, offset);
    return offset + tail.wireBytes;
  }

  /**
   * Moves the document's head out of its slab into memory of its own size (see detachDocument).
   * The tail stays shared: it is what every record of its target refers to.
   */
  detach(): void {
    if (this.#start === 0 && this.#length === this.#memory.byteLength) return;
    const own = Buffer.allocUnsafeSlow(this.#length);
    own.set(this.#head());
    this.#memory = own.buffer;
    this.#start = 0;
    this.#length = own.length;
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
 * Copies the record's document line's UTF-8 into `target` at `offset`, part by part, without
 * joining them first; returns the offset after it.
 */
export function copyDocument(record: BulkRecord, target: Uint8Array, offset: number): number {
  if (record instanceof EncodedBulkRecord) return record.copyDocumentTo(target, offset);
  const document = record.documentBytes;
  target.set(document, offset);
  return offset + document.length;
}

/**
 * The tail a record refers to rather than holds (the core's `sharedPartOf`): undefined for a
 * record whose document is whole in its own memory (`ecs`, `raw`, metrics).
 */
export function sharedTailOf(record: BulkRecord): SharedJsonTail | undefined {
  return record instanceof EncodedBulkRecord ? record.sharedTail : undefined;
}

/**
 * The document's bytes less the tail it shares (`sharedTailOf`), for the spool (spool-codec.ts):
 * all of it for a record with no shared tail.
 */
export function ownDocumentBytes(record: BulkRecord): Uint8Array {
  return record instanceof EncodedBulkRecord ? record.head : record.documentBytes;
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

  /**
   * Where the last `place()` or `placeCopy()` put its bytes: `placedLength` bytes of
   * `placedMemory` from `placedStart`. Read by the record made next, which keeps only that: the
   * view `finish()` makes was made to be dropped (~110 ns a document in the end-to-end profile,
   * 15–33 ns alone in a micro-benchmark, and ~100 bytes of garbage: bench/HISTORY.md).
   */
  placedMemory: ArrayBufferLike = this.buffer.buffer;
  placedStart = 0;
  placedLength = 0;

  /** Writes `text` as UTF-8: into the slab, or into memory of its own when it is long. */
  place(text: string): void {
    if (text.length > OWN_BUFFER_UNITS) {
      this.placeOwn(Buffer.from(text, 'utf8'));
      return;
    }
    this.text(text);
    this.placeWritten();
  }

  /** A copy of document bytes read from elsewhere (a spool payload), which they then do not keep. */
  placeCopy(bytes: Uint8Array): void {
    // A copy in memory of its own size: `bytes` may be a Buffer, whose `slice` is a view that
    // would keep the whole payload it was read from.
    if (bytes.length > OWN_BUFFER_UNITS) {
      this.placeOwn(new Uint8Array(bytes));
      return;
    }
    this.raw(bytes);
    this.placeWritten();
  }

  /**
   * Called by the record that took the place: a long document's memory of its own is then the
   * record's alone, not kept by these slabs until the next document (up to megabytes, outside
   * the queue's count, in an exporter gone idle).
   */
  forgetPlaced(): void {
    this.placedMemory = this.buffer.buffer;
    this.placedStart = 0;
    this.placedLength = 0;
  }

  private placeOwn(own: Uint8Array): void {
    this.placedMemory = own.buffer;
    this.placedStart = own.byteOffset;
    this.placedLength = own.length;
  }

  /** finish(), without the view. */
  private placeWritten(): void {
    const slab = this.buffer;
    this.placedMemory = slab.buffer;
    this.placedStart = slab.byteOffset + this.base;
    this.placedLength = this.pos - this.base;
    this.base = this.pos;
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
}

/** For records made outside an exporter's mapping (tests, tools). */
const sharedSlabs = new DocumentSlabs();

/**
 * A record whose document is already serialised (one read back from a spool): whole, or its own
 * part followed by a shared `tail`.
 */
export function bulkRecordOf(
  fields: Omit<BulkRecord, 'document' | 'documentBytes' | 'bytes'>,
  document: string | Uint8Array,
  slabs: DocumentSlabs = sharedSlabs,
  tail?: SharedJsonTail,
): BulkRecord {
  if (typeof document === 'string') slabs.place(document);
  else slabs.placeCopy(document);
  return new EncodedBulkRecord(
    fields.index,
    fields.id,
    fields.action,
    slabs,
    tail,
    Buffer.byteLength(fields.action) +
      slabs.placedLength +
      (tail === undefined ? 0 : tail.wireBytes) +
      2,
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
  let tail: SharedJsonTail | undefined;
  let id = doc.id;
  if (split !== undefined) {
    tail = split.tail;
    if (id === undefined && doc.hashId) id = contentId(index, split.head, tail.bytes);
    slabs.place(split.head);
  } else {
    const document = doc.json ?? stringifyDocument(doc.document);
    if (id === undefined && doc.hashId) id = contentId(index, document);
    slabs.place(document);
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
    slabs,
    tail,
    actionBytes + slabs.placedLength + (tail === undefined ? 0 : tail.wireBytes) + 2,
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

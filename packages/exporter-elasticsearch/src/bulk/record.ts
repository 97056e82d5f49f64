import { createHash } from 'node:crypto';
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
  /** The document line (JSON). */
  readonly document: string;
  /** UTF-8 bytes of both lines and their newlines: what the record adds to a request body. */
  readonly bytes: number;
  /** Whether a 409 for this record means the same document is already stored. */
  readonly conflictMeansStored: boolean;
  /** Bound for a time series data stream: a 409 means stored only for a resend (see BulkDocument). */
  readonly timeSeries: boolean;
}

/** 128 bits of SHA-256 over the target and the document, base64url: 22 characters. */
export function contentId(index: string, document: string): string {
  return createHash('sha256')
    .update(index)
    .update('\n')
    .update(document)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Serialises a mapped document. Always `create`: data streams accept nothing else, and on plain
 * indices it turns a resend of a document with a deterministic id into a 409, not an overwrite.
 */
export function encodeDocument(doc: BulkDocument): BulkRecord {
  const document = doc.json ?? stringifyDocument(doc.document);
  const index = doc.target.index;
  const id = doc.id ?? (doc.hashId ? contentId(index, document) : undefined);
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
  return {
    index,
    id,
    action,
    document,
    bytes: actionBytes + Buffer.byteLength(document) + 2,
    conflictMeansStored: doc.conflictMeansStored,
    timeSeries: doc.timeSeries,
  };
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

import { createHash } from 'node:crypto';
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
  const document = JSON.stringify(doc.document);
  const index = doc.target.index;
  const id = doc.id ?? (doc.hashId ? contentId(index, document) : undefined);
  const meta: Record<string, unknown> = { _index: index };
  if (id !== undefined) meta._id = id;
  // Keeps a missing index template from silently creating a plain index with a data stream's name.
  if (doc.target.dataStream) meta.require_data_stream = true;
  if (doc.dynamicTemplates) meta.dynamic_templates = doc.dynamicTemplates;
  const action = JSON.stringify({ create: meta });
  return {
    index,
    id,
    action,
    document,
    bytes: Buffer.byteLength(action) + Buffer.byteLength(document) + 2,
    conflictMeansStored: doc.conflictMeansStored,
    timeSeries: doc.timeSeries,
  };
}

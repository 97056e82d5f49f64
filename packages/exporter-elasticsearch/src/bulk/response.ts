import type { ItemFailure, SendResult } from '@otelpack/batching-core';
import type { BulkRecord } from './record';

/*
 * Reading a `_bulk` answer. Elasticsearch answers 200 even when items fail; each item carries its
 * own status. Pure: the sender hands it the parsed body.
 */

/** Only what the outcome needs: keeps a 5 MB request's answer small. */
export const BULK_FILTER_PATH = [
  'errors',
  'items.*.status',
  'items.*.error.type',
  'items.*.error.reason',
  'items.*.error.caused_by.type',
  'items.*.error.caused_by.reason',
].join(',');

/** Why a 409 on a time series document that no earlier attempt may have stored is not delivered. */
export const DUPLICATE_SERIES =
  'a document of this time series and timestamp already exists, not stored by this exporter: another writer, or the same series twice in one export';

/** Longest item reason kept (Elasticsearch quotes field values in some reasons). */
export const MAX_REASON_LENGTH = 1_000;

interface ErrorBody {
  type?: unknown;
  reason?: unknown;
  caused_by?: { type?: unknown; reason?: unknown };
}

/** `type: reason (caused by type: reason)`, from an Elasticsearch error object. */
export function describeElasticsearchError(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return typeof error === 'string' ? error : undefined;
  const { type, reason, caused_by: causedBy } = error as ErrorBody;
  if (typeof type !== 'string') return undefined;
  let text = typeof reason === 'string' ? `${type}: ${reason}` : type;
  if (causedBy && typeof causedBy.type === 'string') {
    text +=
      typeof causedBy.reason === 'string'
        ? ` (caused by ${causedBy.type}: ${causedBy.reason})`
        : ` (caused by ${causedBy.type})`;
  }
  return text;
}

function truncate(text: string): string {
  return text.length > MAX_REASON_LENGTH ? `${text.slice(0, MAX_REASON_LENGTH)}…` : text;
}

/** The first (only) operation's result in an item, e.g. `item.create`. */
function operationOf(item: unknown): { status?: unknown; error?: unknown } | undefined {
  if (!item || typeof item !== 'object') return undefined;
  for (const key in item) {
    const value = (item as Record<string, unknown>)[key];
    if (value && typeof value === 'object') return value as { status?: unknown; error?: unknown };
  }
  return undefined;
}

/**
 * Per item: 2xx delivered; 409 delivered when the record's id makes a conflict mean "already
 * stored", or for a time series document that an earlier attempt may have stored (`resent`); 429 and 5xx
 * retried alone; anything else rejected, with Elasticsearch's error type and reason (a time
 * series document outside the writable range is a 400: rejected, never retried). A body whose
 * items cannot be matched to the batch is retried whole.
 */
export function interpretBulkResponse(
  body: unknown,
  batch: readonly BulkRecord[],
  redact: (text: string) => string = (text) => text,
  resent: (index: number) => boolean = () => false,
): SendResult {
  if (!body || typeof body !== 'object') {
    return { kind: 'retryable', reason: 'bulk answer is not a JSON object' };
  }
  // `items` is read only when an item failed: a successful answer's are parsed only if read
  // (BulkAnswerSerializer).
  if ((body as { errors?: unknown }).errors === false) return { kind: 'delivered' };
  const { items } = body as { items?: unknown };
  if (!Array.isArray(items) || items.length !== batch.length) {
    const count = Array.isArray(items) ? items.length : 'no';
    return {
      kind: 'retryable',
      reason: `bulk answer has ${count} items for ${batch.length} documents`,
    };
  }
  const failures: ItemFailure[] = [];
  let throttled = false;
  for (let index = 0; index < items.length; index++) {
    const operation = operationOf(items[index]);
    const status = typeof operation?.status === 'number' ? operation.status : 0;
    if (status >= 200 && status < 300) continue;
    if (status === 409 && batch[index].conflictMeansStored) continue;
    if (status === 409 && batch[index].timeSeries && resent(index)) continue;
    if (status === 429) throttled = true;
    let description = describeElasticsearchError(operation?.error) ?? 'no error details';
    if (status === 409 && batch[index].timeSeries) {
      description += ` (${DUPLICATE_SERIES})`;
    }
    failures.push({
      index,
      retryable: status === 429 || (status >= 500 && status < 600),
      reason: truncate(redact(`${status || 'no status'} ${description}`)),
    });
  }
  if (failures.length === 0) return { kind: 'delivered' };
  // Per-item 429 (es_rejected_execution_exception) is how Elasticsearch sheds load: the adaptive
  // limiter must hear it even though the request as a whole succeeded.
  return throttled
    ? { kind: 'partial', failures, backpressure: true }
    : { kind: 'partial', failures };
}

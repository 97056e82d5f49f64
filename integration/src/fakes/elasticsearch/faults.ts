/*
 * Scripted faults (fake only): the spec posted to `/_otelpack_fake/faults`, as parsed, described
 * back, and consulted by the request path. The format and the item-selection rule are documented
 * in main.ts's header; this module is their one implementation. Faults act on `_bulk` only.
 */
import { createHash } from 'node:crypto';
import { parseByteSize } from './bytes';
import { illegalArgument } from './errors';
import { isObject } from './json';
import type { Json, JsonObject } from './json';
import { globToRegExp } from './names';

/** Appended to every scripted failure's reason, so that no one takes it for a real one. */
export const FAULT_MARK = '[otelpack fake: scripted fault]';

/** The top-level keys of a faults body, in the order the admin summary lists them. */
export const FAULT_FIELDS = [
  'index',
  'request',
  'itemRejections',
  'itemMappingErrors',
  'maxContentLength',
  'stall',
];

interface RequestFault {
  status: number;
  retryAfter?: string;
  remaining?: number;
  type: string;
  reason: string;
  rawBody?: string;
}

interface ItemFault {
  share?: number;
  every?: number;
  offset: number;
  onlyFirstAttempt: boolean;
  counter: number;
  /** SHA-1 (hex) of the source lines this fault has failed, for `onlyFirstAttempt`. */
  seen: Set<string>;
}

interface StallFault {
  delayMs: number;
  remaining?: number;
  afterStore: boolean;
}

export interface Faults {
  scope?: { pattern: string; regexp: RegExp };
  request?: RequestFault;
  itemRejections?: ItemFault;
  itemMappingErrors?: ItemFault;
  maxContentLength?: number;
  stall?: StallFault;
}

/** First 4 bytes of SHA-1 as a fraction in [0, 1): the documented item-fault selector. */
export function documentHashFraction(sourceLine: string): number {
  return createHash('sha1').update(sourceLine).digest().readUInt32BE(0) / 2 ** 32;
}

// ---------------------------------------------------------------------------------------------
// Decisions

export function inScope(faults: Faults, target: string): boolean {
  return faults.scope === undefined || faults.scope.regexp.test(target);
}

/** Takes one use of a fault with a `count`; a fault without one never runs out. */
export function consume(fault: { remaining?: number }): boolean {
  if (fault.remaining === undefined) return true;
  if (fault.remaining <= 0) return false;
  fault.remaining--;
  return true;
}

export function itemFault(
  faults: Faults,
  target: string,
  sourceLine: string,
): 'mapping' | 'rejection' | undefined {
  const { itemMappingErrors: mapping, itemRejections: rejections } = faults;
  if ((!mapping && !rejections) || !inScope(faults, target)) return undefined;
  const hash = documentHashFraction(sourceLine);
  const key = createHash('sha1').update(sourceLine).digest('hex');
  // Both counters advance for every in-scope item, so `every` means what it says for each.
  const mappingPicked = mapping ? picks(mapping, hash, 0) : false;
  const rejectionPicked = rejections ? picks(rejections, hash, mapping?.share ?? 0) : false;
  const fire = (fault: ItemFault) => {
    if (fault.onlyFirstAttempt && fault.seen.has(key)) return false;
    fault.seen.add(key);
    return true;
  };
  if (mapping && mappingPicked && fire(mapping)) return 'mapping';
  if (rejections && rejectionPicked && fire(rejections)) return 'rejection';
  return undefined;
}

/** `base` offsets a share so that mapping errors and rejections never pick the same document. */
function picks(fault: ItemFault, hash: number, base: number): boolean {
  if (fault.share !== undefined) return hash >= base && hash < base + fault.share;
  const n = fault.counter++;
  return n % (fault.every as number) === fault.offset;
}

/** The scripted size limit, for requests in scope (by path index or first action line). */
export function overFaultLimit(faults: Faults, segments: string[], body: Buffer): boolean {
  const limit = faults.maxContentLength;
  if (limit === undefined || body.length <= limit) return false;
  if (faults.scope === undefined) return true;
  if (segments.length > 0 && !segments[0].startsWith('_')) return inScope(faults, segments[0]);
  const newline = body.indexOf(0x0a);
  const firstLine = body
    .subarray(0, newline < 0 ? Math.min(body.length, 65536) : newline)
    .toString('utf8');
  try {
    const action = JSON.parse(firstLine) as Json;
    const meta = isObject(action) ? Object.values(action)[0] : undefined;
    return isObject(meta) && typeof meta._index === 'string' && inScope(faults, meta._index);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The spec: parsed strictly, since a typo that silently scripts nothing makes a test pass for
// the wrong reason.

export function parseFaults(spec: Json): Faults {
  if (!isObject(spec)) throw illegalArgument('otelpack fake: faults must be a JSON object');
  for (const key of Object.keys(spec)) {
    if (!FAULT_FIELDS.includes(key)) {
      throw illegalArgument(
        `otelpack fake: unknown fault [${key}]; known: ${FAULT_FIELDS.join(', ')}`,
      );
    }
  }
  const faults: Faults = {};
  if (spec.index !== undefined) {
    if (typeof spec.index !== 'string' || spec.index === '') {
      throw illegalArgument('otelpack fake: index must be a name or wildcard pattern');
    }
    faults.scope = { pattern: spec.index, regexp: globToRegExp(spec.index) };
  }
  if (spec.request !== undefined) faults.request = parseRequestFault(spec.request);
  for (const name of ['itemRejections', 'itemMappingErrors'] as const) {
    if (spec[name] !== undefined) faults[name] = parseItemFault(name, spec[name]);
  }
  if ((faults.itemMappingErrors?.share ?? 0) + (faults.itemRejections?.share ?? 0) > 1) {
    throw illegalArgument(
      'otelpack fake: itemMappingErrors.share + itemRejections.share must not exceed 1',
    );
  }
  if (spec.maxContentLength !== undefined) {
    const bytes = parseByteSize(spec.maxContentLength);
    if (bytes === undefined) {
      throw illegalArgument(
        'otelpack fake: maxContentLength must be a byte count or a size such as "1kb"',
      );
    }
    faults.maxContentLength = bytes;
  }
  if (spec.stall !== undefined) faults.stall = parseStall(spec.stall);
  return faults;
}

function count(where: string, value: Json | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw illegalArgument(`otelpack fake: ${where}.count must be a positive integer`);
  }
  return value;
}

function only(where: string, value: JsonObject, keys: string[]): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      throw illegalArgument(
        `otelpack fake: unknown field [${key}] in ${where}; known: ${keys.join(', ')}`,
      );
    }
  }
}

function parseRequestFault(r: Json): RequestFault {
  if (!isObject(r)) throw illegalArgument('otelpack fake: request must be an object');
  only('request', r, ['status', 'retryAfter', 'count', 'type', 'reason', 'rawBody']);
  if (
    typeof r.status !== 'number' ||
    !Number.isInteger(r.status) ||
    r.status < 400 ||
    r.status > 599
  ) {
    throw illegalArgument('otelpack fake: request.status must be an HTTP error status (400-599)');
  }
  const [type, reason] = defaultRequestError(r.status);
  return {
    status: r.status,
    retryAfter:
      r.retryAfter === undefined || r.retryAfter === null ? undefined : String(r.retryAfter),
    remaining: count('request', r.count),
    type: typeof r.type === 'string' ? r.type : type,
    reason: `${typeof r.reason === 'string' ? r.reason : reason} ${FAULT_MARK}`,
    rawBody: typeof r.rawBody === 'string' ? r.rawBody : undefined,
  };
}

function parseItemFault(name: 'itemRejections' | 'itemMappingErrors', f: Json): ItemFault {
  if (!isObject(f)) throw illegalArgument(`otelpack fake: ${name} must be an object`);
  only(name, f, ['share', 'every', 'offset', 'onlyFirstAttempt']);
  if ((f.share === undefined) === (f.every === undefined)) {
    throw illegalArgument(`otelpack fake: ${name} needs exactly one of share or every`);
  }
  if (f.share !== undefined && (typeof f.share !== 'number' || !(f.share > 0 && f.share <= 1))) {
    throw illegalArgument(`otelpack fake: ${name}.share must be in (0, 1]`);
  }
  if (
    f.every !== undefined &&
    (typeof f.every !== 'number' || !Number.isInteger(f.every) || f.every < 1)
  ) {
    throw illegalArgument(`otelpack fake: ${name}.every must be a positive integer`);
  }
  const offset = f.offset ?? 0;
  if (
    typeof offset !== 'number' ||
    !Number.isInteger(offset) ||
    offset < 0 ||
    (typeof f.every === 'number' && offset >= f.every)
  ) {
    throw illegalArgument(`otelpack fake: ${name}.offset must be an integer in [0, every)`);
  }
  if (f.onlyFirstAttempt !== undefined && typeof f.onlyFirstAttempt !== 'boolean') {
    throw illegalArgument(`otelpack fake: ${name}.onlyFirstAttempt must be a boolean`);
  }
  return {
    share: typeof f.share === 'number' ? f.share : undefined,
    every: typeof f.every === 'number' ? f.every : undefined,
    offset,
    // A rejection is retried by a client and should then succeed; a mapping error is permanent.
    onlyFirstAttempt:
      typeof f.onlyFirstAttempt === 'boolean' ? f.onlyFirstAttempt : name === 'itemRejections',
    counter: 0,
    seen: new Set(),
  };
}

function parseStall(s: Json): StallFault {
  if (!isObject(s)) throw illegalArgument('otelpack fake: stall must be an object');
  only('stall', s, ['delayMs', 'count', 'afterStore']);
  if (typeof s.delayMs !== 'number' || !Number.isInteger(s.delayMs) || s.delayMs < 0) {
    throw illegalArgument('otelpack fake: stall.delayMs must be a non-negative integer');
  }
  if (s.afterStore !== undefined && typeof s.afterStore !== 'boolean') {
    throw illegalArgument('otelpack fake: stall.afterStore must be a boolean');
  }
  return {
    delayMs: s.delayMs,
    remaining: count('stall', s.count),
    afterStore: s.afterStore !== false,
  };
}

/** What Elasticsearch sends for these statuses, when the spec gives no type or reason. */
function defaultRequestError(status: number): [string, string] {
  switch (status) {
    case 429:
      return [
        'es_rejected_execution_exception',
        'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]',
      ];
    case 503:
      return [
        'cluster_block_exception',
        'blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];',
      ];
    case 500:
      return ['exception', 'internal error'];
    case 400:
      return ['illegal_argument_exception', 'request refused'];
    default:
      return ['status_exception', `request failed with status ${status}`];
  }
}

/** The faults in force, with what is left of their counts, for the admin API. */
export function describeFaults(f: Faults): JsonObject {
  const out: JsonObject = {};
  if (f.scope) out.index = f.scope.pattern;
  if (f.request) {
    out.request = {
      status: f.request.status,
      retryAfter: f.request.retryAfter ?? null,
      remaining: f.request.remaining ?? null,
      type: f.request.type,
      reason: f.request.reason,
    };
  }
  for (const name of ['itemRejections', 'itemMappingErrors'] as const) {
    const item = f[name];
    if (!item) continue;
    out[name] = {
      share: item.share ?? null,
      every: item.every ?? null,
      offset: item.offset,
      onlyFirstAttempt: item.onlyFirstAttempt,
      failedDocuments: item.seen.size,
    };
  }
  if (f.maxContentLength !== undefined) out.maxContentLength = f.maxContentLength;
  if (f.stall) {
    out.stall = {
      delayMs: f.stall.delayMs,
      remaining: f.stall.remaining ?? null,
      afterStore: f.stall.afterStore,
    };
  }
  return out;
}

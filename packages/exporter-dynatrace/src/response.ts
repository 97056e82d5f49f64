import type { ItemFailure } from '@otelpack/batching-core';

/*
 * The metric ingest's answer (Dynatrace API v2, POST /metrics/ingest): 202 when every line was
 * taken, 400 when some or all were not, with the count of each and the invalid lines by their
 * 1-based number in the request:
 *
 *   {"linesOk":2,"linesInvalid":1,"error":{"code":400,"message":"1 invalid lines",
 *    "invalidLines":[{"line":2,"error":"…"}]},"warnings":{…}}
 */

export interface InvalidLine {
  line: number;
  error: string;
}

export interface IngestAnswer {
  linesOk: number | undefined;
  linesInvalid: number | undefined;
  message: string | undefined;
  invalidLines: InvalidLine[];
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** The body read as the ingest's answer; undefined when it is not one (a proxy's page, say). */
export function readIngestAnswer(body: Buffer | string): IngestAnswer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString());
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const answer = parsed as Record<string, unknown>;
  const error = (
    typeof answer.error === 'object' && answer.error !== null ? answer.error : {}
  ) as Record<string, unknown>;
  const invalidLines: InvalidLine[] = [];
  if (Array.isArray(error.invalidLines)) {
    for (const entry of error.invalidLines as unknown[]) {
      if (typeof entry !== 'object' || entry === null) continue;
      const { line, error: text } = entry as Record<string, unknown>;
      if (count(line) === undefined) continue;
      invalidLines.push({
        line: line as number,
        error: typeof text === 'string' ? text : 'invalid',
      });
    }
  }
  const linesOk = count(answer.linesOk);
  const linesInvalid = count(answer.linesInvalid);
  if (linesOk === undefined && linesInvalid === undefined && invalidLines.length === 0) {
    return undefined;
  }
  return {
    linesOk,
    linesInvalid,
    message: typeof error.message === 'string' ? error.message : undefined,
    invalidLines,
  };
}

// The failures made for lines the ingest counted but did not name (see lineFailures).
const unnamedFailures = new WeakSet<ItemFailure>();

/** Whether a failure is one of the lines the ingest counted invalid without naming them. */
export function isUnnamedFailure(failure: ItemFailure): boolean {
  return unnamedFailures.has(failure);
}

/**
 * The batch's failures by the answer's line numbers: each invalid line refused for good (sending
 * it again would be refused again), every other line of the request taken. Numbers outside the
 * request are ignored; a line named twice fails once.
 *
 * When the ingest counts more invalid lines (`linesInvalid`) than it names, the answer does not
 * say which the others were, and no line can be told apart from another: so that none counts as
 * delivered that the ingest did not take, that many more lines are refused, the last ones of the
 * request it did not name (a list cut short names the first), each with a reason saying so.
 */
export function lineFailures(
  answer: IngestAnswer,
  batchSize: number,
  redact: (text: string) => string,
): ItemFailure[] {
  const failures: ItemFailure[] = [];
  const seen = new Set<number>();
  for (const { line, error } of answer.invalidLines) {
    const index = line - 1;
    if (index < 0 || index >= batchSize || seen.has(index)) continue;
    seen.add(index);
    failures.push({ index, retryable: false, reason: `HTTP 400: line ${line}: ${redact(error)}` });
  }
  const counted = Math.min(answer.linesInvalid ?? 0, batchSize);
  let unnamed = counted - failures.length;
  if (unnamed <= 0) return failures;
  const reason =
    `HTTP 400: the ingest counted ${counted} invalid lines but named ${failures.length}; ` +
    'this line is counted as one of those it did not name';
  for (let index = batchSize - 1; index >= 0 && unnamed > 0; index--) {
    if (seen.has(index)) continue;
    const failure: ItemFailure = { index, retryable: false, reason };
    unnamedFailures.add(failure);
    failures.push(failure);
    unnamed--;
  }
  return failures;
}

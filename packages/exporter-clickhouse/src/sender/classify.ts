import {
  classifyStatus,
  errorCode,
  isPermanentNetworkCode,
  isRetryableNetworkCode,
} from '@otelpack/batching-core';

/**
 * ClickHouse error codes (src/Common/ErrorCodes.cpp) after which the same insert may succeed
 * later: load, limits that reset, replication and coordination hiccups, timeouts. The value says
 * whether the server is telling us it is overloaded (the core then lowers its concurrency).
 */
export const RETRYABLE_CODES: ReadonlyMap<number, { name: string; backpressure: boolean }> =
  new Map([
    [159, { name: 'TIMEOUT_EXCEEDED', backpressure: true }],
    [160, { name: 'TOO_SLOW', backpressure: true }],
    [201, { name: 'QUOTA_EXCEEDED', backpressure: true }],
    [202, { name: 'TOO_MANY_SIMULTANEOUS_QUERIES', backpressure: true }],
    [203, { name: 'NO_FREE_CONNECTION', backpressure: true }],
    [209, { name: 'SOCKET_TIMEOUT', backpressure: true }],
    [210, { name: 'NETWORK_ERROR', backpressure: false }],
    [216, { name: 'QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING', backpressure: false }],
    [225, { name: 'NO_ZOOKEEPER', backpressure: false }],
    [236, { name: 'ABORTED', backpressure: false }],
    [241, { name: 'MEMORY_LIMIT_EXCEEDED', backpressure: true }],
    [242, { name: 'TABLE_IS_READ_ONLY', backpressure: false }],
    [243, { name: 'NOT_ENOUGH_SPACE', backpressure: true }],
    [244, { name: 'UNEXPECTED_ZOOKEEPER_ERROR', backpressure: false }],
    [252, { name: 'TOO_MANY_PARTS', backpressure: true }],
    [285, { name: 'TOO_FEW_LIVE_REPLICAS', backpressure: false }],
    [286, { name: 'UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE', backpressure: false }],
    [289, { name: 'REPLICA_IS_NOT_IN_QUORUM', backpressure: false }],
    [319, { name: 'UNKNOWN_STATUS_OF_INSERT', backpressure: false }],
    [364, { name: 'RECEIVED_ERROR_TOO_MANY_REQUESTS', backpressure: true }],
    [394, { name: 'QUERY_WAS_CANCELLED', backpressure: false }],
    [425, { name: 'SYSTEM_ERROR', backpressure: false }],
    [439, { name: 'CANNOT_SCHEDULE_TASK', backpressure: true }],
    [473, { name: 'DEADLOCK_AVOIDED', backpressure: false }],
    [999, { name: 'KEEPER_EXCEPTION', backpressure: false }],
    [1000, { name: 'POCO_EXCEPTION', backpressure: false }],
  ]);

/**
 * Codes that will fail the same way every time for this batch: the table or database is not
 * there, the data does not parse or fit the columns, the SQL is wrong, the user may not do it.
 */
export const PERMANENT_CODES: ReadonlyMap<number, string> = new Map([
  [6, 'CANNOT_PARSE_TEXT'],
  [8, 'THERE_IS_NO_COLUMN'],
  [10, 'NOT_FOUND_COLUMN_IN_BLOCK'],
  [15, 'DUPLICATE_COLUMN'],
  [16, 'NO_SUCH_COLUMN_IN_TABLE'],
  [20, 'NUMBER_OF_COLUMNS_DOESNT_MATCH'],
  [25, 'CANNOT_PARSE_ESCAPE_SEQUENCE'],
  [26, 'CANNOT_PARSE_QUOTED_STRING'],
  [27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  [33, 'CANNOT_READ_ALL_DATA'],
  [36, 'BAD_ARGUMENTS'],
  [38, 'CANNOT_PARSE_DATE'],
  [41, 'CANNOT_PARSE_DATETIME'],
  [43, 'ILLEGAL_TYPE_OF_ARGUMENT'],
  [44, 'ILLEGAL_COLUMN'],
  [47, 'UNKNOWN_IDENTIFIER'],
  [48, 'NOT_IMPLEMENTED'],
  [49, 'LOGICAL_ERROR'],
  [53, 'TYPE_MISMATCH'],
  [60, 'UNKNOWN_TABLE'],
  [62, 'SYNTAX_ERROR'],
  [70, 'CANNOT_CONVERT_TYPE'],
  [72, 'CANNOT_PARSE_NUMBER'],
  [73, 'UNKNOWN_FORMAT'],
  [81, 'UNKNOWN_DATABASE'],
  [115, 'UNKNOWN_SETTING'],
  [117, 'INCORRECT_DATA'],
  [130, 'CANNOT_READ_ARRAY_FROM_TEXT'],
  [131, 'TOO_LARGE_STRING_SIZE'],
  [164, 'READONLY'],
  [192, 'UNKNOWN_USER'],
  [193, 'WRONG_PASSWORD'],
  [194, 'REQUIRED_PASSWORD'],
  [229, 'QUERY_IS_TOO_LARGE'],
  [291, 'DATABASE_ACCESS_DENIED'],
  [321, 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  [349, 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
  [452, 'SETTING_CONSTRAINT_VIOLATION'],
  [467, 'CANNOT_PARSE_BOOL'],
  [471, 'INVALID_SETTING_VALUE'],
  [472, 'READONLY_SETTING'],
  [497, 'ACCESS_DENIED'],
  [516, 'AUTHENTICATION_FAILED'],
]);

/** One insert that did not go through, with what the core should do about it. */
export interface InsertFailure {
  retryable: boolean;
  /** The server said it is overloaded (or did not answer in time). */
  backpressure: boolean;
  /** ClickHouse's code, name and message, or the network error; secrets removed by the caller. */
  reason: string;
  /** ClickHouse's error code, when the server gave one. */
  code?: number;
  /** A failure of the host rather than of the data: the next attempt should go elsewhere. */
  hostFault: boolean;
  retryAfterMs?: number;
}

// `Code: 60. DB::Exception: <text> (UNKNOWN_TABLE) (version 24.8.1.1 (official build))`
const CLICKHOUSE_MESSAGE =
  /(?:Code|Error): (\d+)\.?.*?Exception: ([\s\S]*?)(?: \(([A-Z][A-Z0-9_]{2,})\))?(?: \(version [^()]*(?:\([^()]*\))?[^()]*\))?\.?\s*$/;

/** ClickHouse's `Code: N. DB::Exception: text (NAME) (version …)`, parsed. */
export function parseClickHouseMessage(
  text: string,
): { code: number; name?: string; message: string } | undefined {
  const match = CLICKHOUSE_MESSAGE.exec(text.trim());
  if (!match) return undefined;
  return { code: Number(match[1]), name: match[3], message: match[2].trim() };
}

/** The outcome for a ClickHouse error code, and an HTTP status when one came with it. */
export function classifyCode(
  code: number,
  name: string | undefined,
  message: string,
  httpStatus?: number,
): InsertFailure {
  const retryable = RETRYABLE_CODES.get(code);
  const label =
    `ClickHouse error ${code} ${name ?? retryable?.name ?? PERMANENT_CODES.get(code) ?? ''}`.trimEnd();
  const status = httpStatus !== undefined ? ` (HTTP ${httpStatus})` : '';
  const reason = `${label}${status}: ${message}`;
  if (retryable) {
    // Timeouts and overload are the server's state, not the host's: stay unless it is unreachable.
    return {
      retryable: true,
      backpressure: retryable.backpressure,
      reason,
      code,
      hostFault: false,
    };
  }
  if (PERMANENT_CODES.has(code)) {
    return { retryable: false, backpressure: false, reason, code, hostFault: false };
  }
  // A code we do not know: ClickHouse's own HTTP status says whose fault it is (4xx: the
  // request's); without one (the embedded engine) retrying is the side that cannot lose data,
  // and the core's maxElapsedMs bounds it.
  if (
    httpStatus !== undefined &&
    httpStatus >= 400 &&
    httpStatus < 500 &&
    httpStatus !== 408 &&
    httpStatus !== 429
  ) {
    return { retryable: false, backpressure: false, reason, code, hostFault: false };
  }
  return { retryable: true, backpressure: false, reason, code, hostFault: false };
}

/** An HTTP answer that is not ClickHouse's (a proxy's 502/503, a load balancer's 429). */
export function classifyHttpStatus(
  status: number,
  retryAfter: string | string[] | undefined,
  body: string,
): InsertFailure {
  const result = classifyStatus(status, retryAfter, body.slice(0, 512).replace(/\s+/g, ' ').trim());
  if (result.kind === 'retryable') {
    return {
      retryable: true,
      backpressure: result.backpressure === true,
      reason: result.reason,
      hostFault: status === 502 || status === 503 || status === 504,
      ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
    };
  }
  const reason = result.kind === 'permanent' ? result.reason : `HTTP ${status}`;
  return { retryable: false, backpressure: false, reason, hostFault: false };
}

/** An error thrown by @clickhouse/client: a server error it parsed, a timeout, or the network. */
export function classifyThrown(error: unknown): InsertFailure {
  const text = error instanceof Error ? error.message : String(error);
  const candidate = error as { code?: unknown; type?: unknown } | null;
  // @clickhouse/client's ClickHouseError carries the code as a string of digits.
  if (candidate && typeof candidate.code === 'string' && /^\d+$/.test(candidate.code)) {
    const name = typeof candidate.type === 'string' ? candidate.type : undefined;
    return classifyCode(Number(candidate.code), name, text);
  }
  const parsed = parseClickHouseMessage(text);
  if (parsed) return classifyCode(parsed.code, parsed.name, parsed.message);

  const networkCode = errorCode(error);
  if (networkCode && isPermanentNetworkCode(networkCode)) {
    return {
      retryable: false,
      backpressure: false,
      reason: `TLS: ${text} (${networkCode})`,
      hostFault: true,
    };
  }
  if (text === 'Timeout error.') {
    return { retryable: true, backpressure: true, reason: 'request timed out', hostFault: true };
  }
  if (networkCode && isRetryableNetworkCode(networkCode)) {
    return {
      retryable: true,
      backpressure: false,
      reason: `${text} (${networkCode})`,
      hostFault: true,
    };
  }
  // Anything else thrown on the way (a socket closed mid-answer, an abort) is most often the
  // network; the core's maxElapsedMs bounds the retries of one that is not.
  return {
    retryable: true,
    backpressure: false,
    reason: networkCode ? `${text} (${networkCode})` : text,
    hostFault: true,
  };
}

/**
 * UNKNOWN_TABLE, NO_SUCH_COLUMN_IN_TABLE, CANNOT_PARSE_INPUT_ASSERTION_FAILED, TYPE_MISMATCH,
 * INCORRECT_DATA, CANNOT_PARSE_DATETIME: what an insert into a table of other columns fails with.
 */
const TABLE_MISMATCH = new Set([60, 16, 27, 53, 117, 41]);

export function isTableMismatch(code: number | undefined): boolean {
  return code !== undefined && TABLE_MISMATCH.has(code);
}

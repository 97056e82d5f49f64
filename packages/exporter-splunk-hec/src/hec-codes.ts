/**
 * HEC's status codes as Splunk documents them ("Troubleshoot HTTP Event Collector"): the HTTP
 * status each comes with, its text, and what the exporter does with a request that got it.
 *
 * - `delivered`: taken.
 * - `event`: one event is wrong; with `invalid-event-number` the events before it were taken, it
 *   is rejected and the rest are sent again (without it, the request is refused as a whole).
 * - `permanent`: asking again gets the same answer (token, channel or configuration problems).
 * - `retryable`: Splunk is busy or unhealthy; sent again after Retry-After or the backoff.
 */
export type HecHandling = 'delivered' | 'event' | 'permanent' | 'retryable';

export interface HecCode {
  code: number;
  httpStatus: number;
  text: string;
  handling: HecHandling;
}

export const HEC_CODES: readonly HecCode[] = [
  { code: 0, httpStatus: 200, text: 'Success', handling: 'delivered' },
  { code: 1, httpStatus: 403, text: 'Token disabled', handling: 'permanent' },
  { code: 2, httpStatus: 401, text: 'Token is required', handling: 'permanent' },
  { code: 3, httpStatus: 401, text: 'Invalid authorization', handling: 'permanent' },
  { code: 4, httpStatus: 403, text: 'Invalid token', handling: 'permanent' },
  { code: 5, httpStatus: 400, text: 'No data', handling: 'permanent' },
  { code: 6, httpStatus: 400, text: 'Invalid data format', handling: 'event' },
  { code: 7, httpStatus: 400, text: 'Incorrect index', handling: 'event' },
  { code: 8, httpStatus: 500, text: 'Internal server error', handling: 'retryable' },
  { code: 9, httpStatus: 503, text: 'Server is busy', handling: 'retryable' },
  { code: 10, httpStatus: 400, text: 'Data channel is missing', handling: 'permanent' },
  { code: 11, httpStatus: 400, text: 'Invalid data channel', handling: 'permanent' },
  { code: 12, httpStatus: 400, text: 'Event field is required', handling: 'event' },
  { code: 13, httpStatus: 400, text: 'Event field cannot be blank', handling: 'event' },
  { code: 14, httpStatus: 400, text: 'ACK is disabled', handling: 'permanent' },
  { code: 15, httpStatus: 400, text: 'Error in handling indexed fields', handling: 'event' },
  {
    code: 16,
    httpStatus: 400,
    text: 'Query string authorization is not enabled',
    handling: 'permanent',
  },
  { code: 17, httpStatus: 200, text: 'HEC is healthy', handling: 'delivered' },
  { code: 18, httpStatus: 503, text: 'HEC is unhealthy, queues are full', handling: 'retryable' },
  {
    code: 19,
    httpStatus: 503,
    text: 'HEC is unhealthy, ack service unavailable',
    handling: 'retryable',
  },
  {
    code: 20,
    httpStatus: 503,
    text: 'HEC is unhealthy, queues are full, ack service unavailable',
    handling: 'retryable',
  },
  // Newer Splunk releases answer a wrong or disabled token with these, on HTTP 400.
  { code: 21, httpStatus: 400, text: 'Invalid token', handling: 'permanent' },
  { code: 22, httpStatus: 400, text: 'Token disabled', handling: 'permanent' },
];

const BY_CODE = new Map(HEC_CODES.map((c) => [c.code, c]));

export function hecCode(code: number): HecCode | undefined {
  return BY_CODE.get(code);
}

/** HEC's JSON answer, where the body is one: `{text, code, invalid-event-number?, ackId?}`. */
export interface HecAnswer {
  text?: string;
  code?: number;
  invalidEventNumber?: number;
  ackId?: number;
}

/** Reads HEC's answer; undefined for a body that is not HEC's JSON (a proxy's page, say). */
export function parseHecAnswer(body: Buffer | string): HecAnswer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const o = parsed as Record<string, unknown>;
  const answer: HecAnswer = {};
  if (typeof o.text === 'string') answer.text = o.text;
  if (Number.isInteger(o.code)) answer.code = o.code as number;
  const invalid = o['invalid-event-number'];
  if (Number.isInteger(invalid) && (invalid as number) >= 0)
    answer.invalidEventNumber = invalid as number;
  if (Number.isInteger(o.ackId)) answer.ackId = o.ackId as number;
  return answer;
}

/** `HEC code 6 (Invalid data format): <Splunk's text>`, for reasons and dead letters. */
export function describeAnswer(status: number, answer: HecAnswer | undefined): string {
  if (!answer || answer.code === undefined) return `HTTP ${status}`;
  const known = hecCode(answer.code);
  const text = answer.text ?? known?.text ?? '';
  return `HTTP ${status}, HEC code ${answer.code}${text ? `: ${text}` : ''}`;
}

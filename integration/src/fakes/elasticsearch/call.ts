/*
 * What a route handler gets: one request, already routed, read, decoded and checked, with the
 * fake's state. Handlers answer through `reply` or throw (errors.ts); they never see HTTP.
 */
import { EsError, jsonParseError } from './errors';
import { isObject, tokenName } from './json';
import type { Json, JsonObject } from './json';
import type { Reply } from './reply';
import type { FakeState } from './state';

export interface Call {
  state: FakeState;
  method: string;
  /** The `{name}` segments of the matched route pattern. */
  params: Record<string, string>;
  query: URLSearchParams;
  body: Buffer;
  reply: Reply;
  /** performance.now() when the request arrived, for `took`. */
  started: number;
}

export type Handler = (call: Call) => void | Promise<void>;

/** The body as a JSON object, or undefined when there is none. */
export function jsonBody(call: Call, what = ''): JsonObject | undefined {
  if (call.body.length === 0) return undefined;
  let parsed: Json;
  try {
    parsed = JSON.parse(call.body.toString('utf8')) as Json;
  } catch (error) {
    throw jsonParseError(error, what);
  }
  if (!isObject(parsed)) {
    throw new EsError(
      400,
      'parse_exception',
      `request body must be an object, found [${tokenName(parsed)}]`,
    );
  }
  return parsed;
}

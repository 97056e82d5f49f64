/*
 * Errors, in the two shapes Elasticsearch answers with, and the constructors for the ones the
 * fake raises in more than one place. A handler throws; the server turns what it catches into
 * the response (see server.ts), and bulk turns an ItemError into one item's result.
 */
import type { JsonObject } from './json';

/** An Elasticsearch exception: `{"error":{"root_cause":[…],"type","reason",…},"status"}`. */
export class EsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
    readonly details: JsonObject = {},
    readonly extras: { causedBy?: JsonObject; rootCauses?: JsonObject[]; top?: JsonObject } = {},
  ) {
    super(`${type}: ${reason}`);
  }

  private ownCause(): JsonObject {
    return { type: this.type, reason: this.reason, ...this.details };
  }

  /** What a bulk item carries under `error`. */
  itemError(): JsonObject {
    const error = { ...this.ownCause(), ...this.extras.top };
    if (this.extras.causedBy) error.caused_by = this.extras.causedBy;
    return error;
  }

  responseBody(): JsonObject {
    return {
      error: { root_cause: this.extras.rootCauses ?? [this.ownCause()], ...this.itemError() },
      status: this.status,
    };
  }
}

/** The older, flat shape that Elasticsearch still sends for routing and header problems. */
export class StringError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A bulk item that failed: the error plus the `_index`/`_id` the item reports. */
export class ItemError extends Error {
  constructor(
    readonly error: EsError,
    readonly index: string,
    readonly id: string | null,
  ) {
    super(error.message);
  }
}

export const illegalArgument = (reason: string, details: JsonObject = {}) =>
  new EsError(400, 'illegal_argument_exception', reason, details);

export function parsingError(reason: string): EsError {
  return new EsError(400, 'parsing_exception', reason);
}

export function indexNotFound(name: string): EsError {
  return new EsError(404, 'index_not_found_exception', `no such index [${name}]`, {
    'resource.type': 'index_or_alias',
    'resource.id': name,
    index_uuid: '_na_',
    index: name,
  });
}

/** `problem` is what names.ts's indexNameProblem() says about `name`. */
export function invalidIndexName(name: string, problem: string): EsError {
  return new EsError(
    400,
    'invalid_index_name_exception',
    `Invalid index name [${name}], ${problem}`,
    {
      index_uuid: '_na_',
      index: name,
    },
  );
}

export function validationFailed(problems: string[]): EsError {
  const reason = `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join('')}`;
  return new EsError(400, 'action_request_validation_exception', reason);
}

/**
 * JSON.parse's message, with Elasticsearch's `[line:column]` prefix when V8 says where. Request
 * bodies fail as `x_content_parse_exception`; documents in a write as `document_parsing_exception`.
 */
export function jsonParseError(
  error: unknown,
  what = '',
  type = 'x_content_parse_exception',
): EsError {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  const where = position ? `[1:${Number(position[1]) + 1}] ` : '';
  return new EsError(400, type, `${where}${what}${message}`);
}

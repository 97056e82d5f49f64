/*
 * Errors as ClickHouse has them: codes, names, the HTTP status each code maps to, and the text
 * of an exception as the server prints it. The front raises its own (ClickHouseException via
 * raise()) and passes the engine's through normalizeEngineError().
 */

/*
 * The codes the front raises itself. The numbers were checked against the engine in use with
 * `SELECT errorCodeToName(n)` (chdb 3.4 / ClickHouse 26.7).
 */
export const CODES = {
  BAD_ARGUMENTS: 36,
  NOT_IMPLEMENTED: 48,
  SYNTAX_ERROR: 62,
  UNKNOWN_SETTING: 115,
  QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING: 216,
  ZLIB_INFLATE_FAILED: 354,
  INTO_OUTFILE_NOT_ALLOWED: 358,
  REQUIRED_PASSWORD: 194,
  AUTHENTICATION_FAILED: 516,
  UNKNOWN_EXCEPTION: 1002,
} as const;

/*
 * ClickHouse's src/Server/HTTP/exceptionCodeToHTTPStatus.cpp (the version with ACCESS_DENIED and
 * UNSUPPORTED_MEDIA_TYPE), transcribed; any other code is 500. The numbers were checked against
 * the engine with errorCodeToName().
 */
const HTTP_STATUS_OF: [number, Record<string, number>][] = [
  [401, { REQUIRED_PASSWORD: 194 }],
  [
    403,
    {
      UNKNOWN_USER: 192,
      WRONG_PASSWORD: 193,
      AUTHENTICATION_FAILED: 516,
      SET_NON_GRANTED_ROLE: 512,
      ACCESS_DENIED: 497,
    },
  ],
  [
    400,
    {
      BAD_ARGUMENTS: 36,
      CANNOT_COMPILE_REGEXP: 427,
      CANNOT_PARSE_TEXT: 6,
      CANNOT_PARSE_ESCAPE_SEQUENCE: 25,
      CANNOT_PARSE_QUOTED_STRING: 26,
      CANNOT_PARSE_DATE: 38,
      CANNOT_PARSE_DATETIME: 41,
      CANNOT_PARSE_NUMBER: 72,
      CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING: 441,
      CANNOT_PARSE_IPV4: 675,
      CANNOT_PARSE_IPV6: 676,
      CANNOT_PARSE_INPUT_ASSERTION_FAILED: 27,
      CANNOT_PARSE_UUID: 376,
      DUPLICATE_COLUMN: 15,
      ILLEGAL_COLUMN: 44,
      UNKNOWN_ELEMENT_IN_AST: 37,
      UNKNOWN_TYPE_OF_AST_NODE: 123,
      THERE_IS_NO_COLUMN: 8,
      TOO_DEEP_AST: 167,
      TOO_BIG_AST: 168,
      UNEXPECTED_AST_STRUCTURE: 223,
      SYNTAX_ERROR: 62,
      INCORRECT_DATA: 117,
      TYPE_MISMATCH: 53,
      VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE: 321,
    },
  ],
  [
    404,
    {
      UNKNOWN_TABLE: 60,
      UNKNOWN_FUNCTION: 46,
      UNKNOWN_IDENTIFIER: 47,
      UNKNOWN_TYPE: 50,
      UNKNOWN_STORAGE: 56,
      UNKNOWN_DATABASE: 81,
      UNKNOWN_SETTING: 115,
      UNKNOWN_DIRECTION_OF_SORTING: 152,
      UNKNOWN_AGGREGATE_FUNCTION: 63,
      UNKNOWN_FORMAT: 73,
      UNKNOWN_DATABASE_ENGINE: 336,
      UNKNOWN_TYPE_OF_QUERY: 78,
      UNKNOWN_ROLE: 511,
    },
  ],
  [413, { QUERY_IS_TOO_LARGE: 229 }],
  [501, { NOT_IMPLEMENTED: 48 }],
  [503, { SOCKET_TIMEOUT: 209, CANNOT_OPEN_FILE: 76, CANNOT_SCHEDULE_TASK: 439 }],
  [411, { HTTP_LENGTH_REQUIRED: 381 }],
  [408, { TIMEOUT_EXCEEDED: 159 }],
  [415, { UNSUPPORTED_MEDIA_TYPE: 779 }],
];

const STATUS_BY_CODE = new Map<number, number>(
  HTTP_STATUS_OF.flatMap(([status, codes]) =>
    Object.values(codes).map((code): [number, number] => [code, status]),
  ),
);

export function httpStatusForCode(code: number): number {
  return STATUS_BY_CODE.get(code) ?? 500;
}

export class ClickHouseException extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    /** The text between `DB::Exception: ` and ` (NAME)`, as ClickHouse would print it. */
    readonly text: string,
  ) {
    super(text);
  }

  render(version: string): string {
    return `Code: ${this.code}. DB::Exception: ${this.text} (${this.codeName}) (version ${version})`;
  }
}

export function raise(name: keyof typeof CODES, text: string): never {
  throw new ClickHouseException(CODES[name], name, text);
}

/** Anything thrown while serving a request, as the exception the client is sent. */
export function toClickHouseException(error: unknown): ClickHouseException {
  return error instanceof ClickHouseException
    ? error
    : new ClickHouseException(
        CODES.UNKNOWN_EXCEPTION,
        'UNKNOWN_EXCEPTION',
        String(error instanceof Error ? error.message : error),
      );
}

/*
 * The embedded engine reports errors the way clickhouse-local prints them, which can wrap the
 * same exception two or three times ("Code: 73. DB::Exception: Code: 73. DB::Exception: … (X)
 * (version v). (X)"). A server says it once and always ends with the version; unwrap to that.
 */
export function normalizeEngineError(
  message: string,
  fallbackCode?: number,
): { code: number; name: string; text: string } {
  let rest = message.trim();
  const head = /^Code: (\d+)\. DB::Exception: /;
  let match = head.exec(rest);
  if (!match) {
    return { code: fallbackCode ?? CODES.UNKNOWN_EXCEPTION, name: 'UNKNOWN_EXCEPTION', text: rest };
  }
  const code = Number(match[1]);
  let depth = 0;
  while (match && Number(match[1]) === code) {
    rest = rest.slice(match[0].length);
    depth += 1;
    match = head.exec(rest);
  }
  const nameMatch = /\(([A-Z0-9_]+)\)(?: \(version [^)]*\))?$/.exec(rest);
  const name = nameMatch?.[1] ?? 'UNKNOWN_EXCEPTION';
  // A message is printed as "<text>. (NAME) (version v)", the "." added unless <text> already
  // ends with one; each wrapping repeats that around the previous print. Peel the outer layers
  // with their added ".", and the innermost without, so that <text> keeps its own punctuation.
  const outer = new RegExp(`\\. \\(${name}\\)(?: \\(version [^)]*\\))?$`);
  const inner = new RegExp(` \\(${name}\\)(?: \\(version [^)]*\\))?$`);
  for (let layer = depth; layer > 1; layer--) rest = rest.replace(outer, '');
  rest = rest.replace(inner, '');
  if (!rest.endsWith('.')) rest += '.';
  return { code, name, text: rest };
}

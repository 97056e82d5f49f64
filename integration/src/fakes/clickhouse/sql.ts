/*
 * A small SQL tokenizer: just enough structure to find statement boundaries, a top-level FORMAT
 * clause and the pieces of an `INSERT … FORMAT x` header, without ever mistaking the inside of a
 * string, a quoted identifier, a comment or a parenthesis for them. The engine parses the SQL
 * itself; the front only needs to know where INSERT data starts and which format a result is in.
 */
import { raise } from './errors';

interface Token {
  kind: 'word' | 'quoted' | 'string' | 'punct';
  /** Upper-cased for words; the raw character for punctuation. */
  value: string;
  start: number;
  end: number;
  depth: number;
}

function* tokenize(sql: string): Generator<Token> {
  let i = 0;
  let depth = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i += 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i += 1;
    } else if (c === '#' && (sql[i + 1] === ' ' || sql[i + 1] === '!')) {
      while (i < n && sql[i] !== '\n') i += 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const start = i;
      i += 1;
      while (i < n) {
        if (sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i += 1;
      }
      i = Math.min(i + 1, n);
      yield { kind: c === "'" ? 'string' : 'quoted', value: c, start, end: i, depth };
    } else if (/[A-Za-z_]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_$]/.test(sql[i])) i += 1;
      yield { kind: 'word', value: sql.slice(start, i).toUpperCase(), start, end: i, depth };
    } else if (/[0-9]/.test(c)) {
      // Numbers such as 1e5 or 0x1F must not surface as words.
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i])) i += 1;
    } else {
      if (c === '(' || c === '[' || c === '{') depth += 1;
      yield { kind: 'punct', value: c, start: i, end: i + 1, depth };
      if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
      i += 1;
    }
  }
}

export type Analysis =
  | {
      kind: 'insert-data';
      /** `INSERT INTO t (cols)`, up to where SETTINGS or FORMAT starts. */
      headEnd: number;
      settingsStart?: number;
      formatStart: number;
      formatName: string;
      /** Where the data starts in the full request text. */
      dataStart: number;
    }
  | { kind: 'query'; outputFormat?: string };

/*
 * `text` is the whole request text (query parameter + "\n" + body); for a binary body it is the
 * bytes read as latin1, one character per byte, so that positions are byte offsets.
 */
export function analyze(text: string): Analysis {
  const tokens = tokenize(text);
  const first = tokens.next();
  if (first.done) raise('SYNTAX_ERROR', 'Empty query.');
  let previous: Token = first.value;
  const isInsert = first.value.kind === 'word' && first.value.value === 'INSERT';
  if (isInsert) {
    const insert = analyzeInsert(text, tokens);
    if ('kind' in insert) return insert;
    // INSERT … VALUES or INSERT … SELECT: the engine parses the rest as SQL, so do we.
    previous = insert.last;
  }
  let outputFormat: string | undefined;
  let statementEnd: number | undefined;
  for (let next = tokens.next(); !next.done; next = tokens.next()) {
    const token = next.value;
    if (statementEnd !== undefined) {
      raise(
        'SYNTAX_ERROR',
        `Syntax error (Multi-statements are not allowed): failed at position ${statementEnd + 1} (end of query): ${text.slice(statementEnd, statementEnd + 40)}.`,
      );
    }
    if (token.depth === 0 && token.kind === 'punct' && token.value === ';') {
      statementEnd = token.start;
    } else if (token.depth === 0 && token.kind === 'word') {
      checkFileClause(previous, token);
      if (previous.kind === 'word' && previous.value === 'FORMAT' && previous.depth === 0) {
        // In an INSERT … SELECT … FROM input() FORMAT x, what follows is data, not SQL.
        if (isInsert) return { kind: 'query' };
        outputFormat = text.slice(token.start, token.end);
      }
    }
    previous = token;
  }
  return { kind: 'query', outputFormat: isInsert ? undefined : outputFormat };
}

function checkFileClause(previous: Token, token: Token): void {
  // The server runs these as the server's files; it refuses them over HTTP, and so does the front.
  if (previous.kind === 'word' && previous.value === 'INTO' && token.value === 'OUTFILE') {
    raise('INTO_OUTFILE_NOT_ALLOWED', 'INTO OUTFILE is not allowed.');
  }
  if (previous.kind === 'word' && previous.value === 'FROM' && token.value === 'INFILE') {
    raise('NOT_IMPLEMENTED', 'FROM INFILE is a client-side clause; it is not available over HTTP.');
  }
}

function analyzeInsert(text: string, tokens: Generator<Token>): Analysis | { last: Token } {
  let last: Token | undefined;
  const take = (): Token | undefined => {
    const next = tokens.next();
    if (!next.done) last = next.value;
    return next.done ? undefined : next.value;
  };
  const isWord = (t: Token | undefined, value: string): boolean =>
    t?.kind === 'word' && t.value === value;
  // Whatever was consumed when the header turns out not to be `INSERT … FORMAT x <data>`.
  const notData = (): { last: Token } => ({
    last: last ?? { kind: 'word', value: 'INSERT', start: 0, end: 6, depth: 0 },
  });
  let token = take();
  if (!isWord(token, 'INTO')) return notData();
  token = take();
  if (isWord(token, 'TABLE')) token = take();
  if (isWord(token, 'FUNCTION')) {
    token = take(); // the table function's name; its arguments sit deeper and are skipped
    token = take();
    while (token && token.depth > 0) token = take();
  } else {
    // The target: identifier, optionally db-qualified. It may itself be called `format`.
    if (!token || (token.kind !== 'word' && token.kind !== 'quoted')) return notData();
    token = take();
    if (token?.kind === 'punct' && token.value === '.') {
      take();
      token = take();
    }
  }
  let settingsStart: number | undefined;
  for (; token; token = take()) {
    if (token.depth > 0 || token.kind !== 'word') continue;
    if (token.value === 'FROM') {
      const next = take();
      if (next) checkFileClause(token, next);
      return notData();
    }
    if (['VALUES', 'SELECT', 'WITH'].includes(token.value)) return notData();
    if (token.value === 'SETTINGS' && settingsStart === undefined) settingsStart = token.start;
    if (token.value === 'FORMAT') {
      const name = take();
      if (!name || name.kind !== 'word') return notData();
      return {
        kind: 'insert-data',
        headEnd: settingsStart ?? token.start,
        settingsStart,
        formatStart: token.start,
        formatName: text.slice(name.start, name.end),
        dataStart: dataStartAfter(text, name.end),
      };
    }
  }
  return notData();
}

/*
 * ClickHouse's rule for inline INSERT data: it starts after the first newline following the
 * format name, or after the spaces if there is no newline.
 */
function dataStartAfter(text: string, position: number): number {
  let i = position;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) i += 1;
  if (text[i] === '\r') i += 1;
  if (text[i] === '\n') i += 1;
  return i;
}

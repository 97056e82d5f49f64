import { TransformSyntaxError } from './errors';

/** The token kinds of OTTL's lexer (pkg/ottl/grammar.go, buildLexer), in its order of precedence. */
export type TokenKind =
  | 'Bytes'
  | 'Float'
  | 'Int'
  | 'String'
  | 'OpNot'
  | 'OpOr'
  | 'OpAnd'
  | 'OpComparison'
  | 'OpAddSub'
  | 'OpMultDiv'
  | 'Boolean'
  | 'Equal'
  | 'LParen'
  | 'RParen'
  | 'LBrace'
  | 'RBrace'
  | 'Colon'
  | 'Punct'
  | 'Uppercase'
  | 'Lowercase';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset in the statement. */
  offset: number;
  /** Whitespace came right before it: names are only joined from adjacent tokens. */
  spaced: boolean;
}

/*
 * The first rule that matches at a position wins, as in a simple lexer, so the order is part of
 * the language: `-600` after `1000` is an Int, not an operator (OTTL lexes `1000-600` so too).
 */
const RULES: readonly (readonly [TokenKind | 'space', RegExp])[] = [
  ['Bytes', /0x[a-fA-F0-9]+/y],
  ['Float', /[-+]?\d*\.\d+(?:[eE][-+]?\d+)?/y],
  ['Int', /[-+]?\d+/y],
  ['String', /"(?:\\.|[^\\"])*"/y],
  ['OpNot', /\bnot\b/y],
  ['OpOr', /\bor\b/y],
  ['OpAnd', /\band\b/y],
  ['OpComparison', /==|!=|>=|<=|>|</y],
  ['OpAddSub', /[+-]/y],
  ['OpMultDiv', /[/*]/y],
  ['Boolean', /\b(?:true|false)\b/y],
  ['Equal', /=/y],
  ['LParen', /\(/y],
  ['RParen', /\)/y],
  ['LBrace', /\{/y],
  ['RBrace', /\}/y],
  ['Colon', /:/y],
  ['Punct', /[,.[\]]/y],
  ['Uppercase', /[A-Z][A-Z0-9_]*/y],
  ['Lowercase', /[a-z][a-z0-9_]*/y],
  ['space', /\s+/y],
];

/** Splits one statement into tokens; a character no rule takes is a syntax error at its column. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let offset = 0;
  let spaced = false;
  next: while (offset < source.length) {
    for (const [kind, pattern] of RULES) {
      pattern.lastIndex = offset;
      const match = pattern.exec(source);
      if (!match || match[0].length === 0) continue;
      if (kind === 'space') {
        spaced = true;
      } else {
        tokens.push({ kind, text: match[0], offset, spaced });
        spaced = false;
      }
      offset += match[0].length;
      continue next;
    }
    const rest = source.slice(offset);
    throw new TransformSyntaxError(
      rest.startsWith('"') ? 'unterminated string' : `unexpected character '${source[offset]}'`,
      offset,
    );
  }
  return tokens;
}

/** A string literal's value: Go's escapes (\" \\ \n \t \r and \uXXXX) are read. */
export function stringValue(token: Token): string {
  const body = token.text.slice(1, -1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (whole, escape: string) => {
    switch (escape[0]) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '"':
      case '\\':
        return escape;
      case 'u':
        return String.fromCharCode(Number.parseInt(escape.slice(1), 16));
      default:
        // Other escapes stay as written, so a regular expression's `\d` reaches the regex.
        return whole;
    }
  });
}

export function bytesValue(token: Token): Uint8Array {
  const hex = token.text.slice(2);
  if (hex.length % 2 !== 0) {
    throw new TransformSyntaxError('bytes need an even number of hex digits', token.offset);
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

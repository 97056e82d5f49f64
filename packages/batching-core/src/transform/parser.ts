import type {
  ArgNode,
  BoolNode,
  CallNode,
  ComparisonOp,
  Field,
  Key,
  StatementNode,
  ValueNode,
} from './ast';
import { TransformSyntaxError } from './errors';
import { bytesValue, stringValue, tokenize } from './lexer';
import type { Token, TokenKind } from './lexer';

/**
 * OTTL's statement grammar (pkg/ottl/grammar.go) by recursive descent:
 *
 *   statement   = editor ( "where" boolExpr )?
 *   boolExpr    = term ( "or" term )*          term = boolValue ( "and" boolValue )*
 *   boolValue   = "not"? ( value CMP value | Boolean | converter | "(" boolExpr ")" )
 *   value       = "nil" | String | Bytes | Boolean | Enum | map | list | math
 *   math        = product ( [+-] product )*    product = operand ( [*\/] operand )*
 *   operand     = Int | Float | path | converter | "(" math ")"
 *
 * Where the grammar has alternatives that share a prefix (a comparison and a parenthesised
 * condition), the parser tries one and backs up, and reports the error that got furthest.
 */
export function parseStatement(source: string): StatementNode {
  const parser = new Parser(source, tokenize(source));
  const statement = parser.statement();
  return statement;
}

/** A condition alone (the `where` part), for conditions given without an editor. */
export function parseCondition(source: string): BoolNode {
  const parser = new Parser(source, tokenize(source));
  const condition = parser.boolExpr();
  parser.end();
  return condition;
}

class Parser {
  private position = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  statement(): StatementNode {
    const first = this.peek();
    if (first?.kind === 'Uppercase') {
      const name = this.functionName();
      throw new TransformSyntaxError(
        `editor names must start with a lowercase letter but got '${name}'`,
        first.offset,
      );
    }
    if (first?.kind !== 'Lowercase') {
      throw first ? this.unexpected(first, 'an editor such as set(…)') : this.atEnd('an editor');
    }
    const editor = this.call();
    if (editor.keys.length > 0) {
      throw new TransformSyntaxError(
        `only paths and converters may be indexed, not editors, but got ${editor.name}`,
        editor.keys[0].offset,
      );
    }
    let where: BoolNode | undefined;
    const next = this.peek();
    if (next?.kind === 'Lowercase' && next.text === 'where') {
      this.position++;
      where = this.boolExpr();
    }
    this.end();
    return { editor, where };
  }

  end(): void {
    const token = this.peek();
    if (token) throw this.unexpected(token, 'the end of the statement');
  }

  boolExpr(): BoolNode {
    const items = [this.term()];
    while (this.peek()?.kind === 'OpOr') {
      this.position++;
      items.push(this.term());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private term(): BoolNode {
    const items = [this.boolValue()];
    while (this.peek()?.kind === 'OpAnd') {
      this.position++;
      items.push(this.boolValue());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private boolValue(): BoolNode {
    if (this.peek()?.kind === 'OpNot') {
      this.position++;
      return { kind: 'not', item: this.boolValueBody() };
    }
    return this.boolValueBody();
  }

  private boolValueBody(): BoolNode {
    const start = this.position;
    const startToken = this.peek();
    if (!startToken) throw this.atEnd('a condition');
    let furthest: TransformSyntaxError | undefined;
    // A comparison first, as the grammar orders it.
    try {
      const left = this.value();
      const op = this.peek();
      if (op?.kind === 'OpComparison') {
        this.position++;
        const right = this.value();
        return {
          kind: 'compare',
          op: op.text as ComparisonOp,
          left,
          right,
          offset: startToken.offset,
        };
      }
      if (left.kind === 'bool' || (left.kind === 'call' && !left.editor)) {
        return { kind: 'const', value: left, offset: startToken.offset };
      }
      furthest = op
        ? this.unexpected(op, 'a comparison operator')
        : this.atEnd('a comparison operator');
    } catch (error) {
      if (!(error instanceof TransformSyntaxError)) throw error;
      furthest = error;
    }
    this.position = start;
    if (startToken.kind === 'LParen') {
      this.position++;
      try {
        const inner = this.boolExpr();
        this.expect('RParen', "')'");
        return inner;
      } catch (error) {
        if (!(error instanceof TransformSyntaxError)) throw error;
        if (error.offset >= furthest.offset) furthest = error;
      }
    }
    throw furthest;
  }

  /** `functionName`: in an argument, a converter may be named without a call (`SHA256`, `Hash`). */
  private value(functionName = false): ValueNode {
    const token = this.peek();
    if (!token) throw this.atEnd('a value');
    switch (token.kind) {
      case 'Lowercase':
        if (token.text === 'nil') {
          this.position++;
          return { kind: 'nil', offset: token.offset };
        }
        return this.math();
      case 'String':
        this.position++;
        return { kind: 'string', value: stringValue(token), offset: token.offset };
      case 'Bytes':
        this.position++;
        return { kind: 'bytes', value: bytesValue(token), offset: token.offset };
      case 'Boolean':
        this.position++;
        return { kind: 'bool', value: token.text === 'true', offset: token.offset };
      case 'LBrace':
        return this.map();
      case 'Punct':
        if (token.text === '[') return this.list();
        throw this.unexpected(token, 'a value');
      case 'Uppercase': {
        // A name without '(' is an enum symbol, or a function given by name (`SHA256`, `Hash`).
        const end = this.nameEnd();
        if (this.tokens[end]?.kind === 'LParen') return this.math();
        if (functionName || end === this.position + 1) {
          return { kind: 'enum', name: this.functionName(), offset: token.offset };
        }
        throw new TransformSyntaxError(
          `expected an enum symbol (all uppercase) or a converter call, got '${this.functionName()}'`,
          token.offset,
        );
      }
      default:
        return this.math();
    }
  }

  private math(): ValueNode {
    let left = this.product();
    for (let op = this.peek(); op?.kind === 'OpAddSub'; op = this.peek()) {
      this.position++;
      left = {
        kind: 'math',
        op: op.text as '+' | '-',
        left,
        right: this.product(),
        offset: op.offset,
      };
    }
    return left;
  }

  private product(): ValueNode {
    let left = this.operand();
    for (let op = this.peek(); op?.kind === 'OpMultDiv'; op = this.peek()) {
      this.position++;
      left = {
        kind: 'math',
        op: op.text as '*' | '/',
        left,
        right: this.operand(),
        offset: op.offset,
      };
    }
    return left;
  }

  private operand(): ValueNode {
    const token = this.peek();
    if (!token) throw this.atEnd('a value');
    switch (token.kind) {
      case 'Int':
        this.position++;
        return { kind: 'int', value: Number.parseInt(token.text, 10), offset: token.offset };
      case 'Float':
        this.position++;
        return { kind: 'float', value: Number.parseFloat(token.text), offset: token.offset };
      case 'LParen': {
        this.position++;
        const inner = this.math();
        this.expect('RParen', "')'");
        return inner;
      }
      case 'Uppercase':
        return this.call();
      case 'Lowercase': {
        // A lowercase name followed by '(' is an editor, which a value may not be.
        const end = this.nameEnd();
        if (this.tokens[end]?.kind === 'LParen') {
          const name = this.functionName();
          throw new TransformSyntaxError(
            `converter names must start with an uppercase letter but got '${name}'`,
            token.offset,
          );
        }
        return this.path();
      }
      default:
        throw this.unexpected(token, 'a value');
    }
  }

  private path(): ValueNode {
    const offset = this.peek()?.offset ?? this.source.length;
    const fields: Field[] = [this.field()];
    while (this.peek()?.kind === 'Punct' && this.peek()?.text === '.') {
      this.position++;
      fields.push(this.field());
    }
    return { kind: 'path', fields, offset };
  }

  private field(): Field {
    const token = this.expect('Lowercase', 'a path field');
    return { name: token.text, keys: this.keys() };
  }

  private keys(): Key[] {
    const keys: Key[] = [];
    while (this.peek()?.kind === 'Punct' && this.peek()?.text === '[') {
      const open = this.tokens[this.position++];
      const key = this.peek();
      if (key?.kind === 'String') {
        keys.push({ kind: 'string', value: stringValue(key), offset: open.offset });
      } else if (key?.kind === 'Int') {
        keys.push({ kind: 'int', value: Number.parseInt(key.text, 10), offset: open.offset });
      } else {
        throw key ? this.unexpected(key, 'a string or integer key') : this.atEnd('a key');
      }
      this.position++;
      this.expectPunct(']');
    }
    return keys;
  }

  private call(): CallNode {
    const token = this.peek();
    if (!token) throw this.atEnd('a function');
    const name = this.functionName();
    this.expect('LParen', "'('");
    const args: ArgNode[] = [];
    if (this.peek()?.kind !== 'RParen') {
      args.push(this.argument());
      while (this.peek()?.kind === 'Punct' && this.peek()?.text === ',') {
        this.position++;
        args.push(this.argument());
      }
    }
    this.expect('RParen', "')' or ','");
    return {
      kind: 'call',
      name,
      editor: token.kind === 'Lowercase',
      args,
      keys: this.keys(),
      offset: token.offset,
    };
  }

  private argument(): ArgNode {
    const token = this.peek();
    if (!token) throw this.atEnd('an argument');
    if (token.kind === 'Lowercase' && this.tokens[this.nameEnd()]?.kind === 'Equal') {
      const name = this.functionName();
      this.position++;
      return { name, value: this.value(true), offset: token.offset };
    }
    return { value: this.value(true), offset: token.offset };
  }

  private map(): ValueNode {
    const open = this.expect('LBrace', "'{'");
    const entries: { key: string; value: ValueNode }[] = [];
    while (this.peek()?.kind === 'String') {
      const key = this.tokens[this.position++];
      this.expect('Colon', "':'");
      entries.push({ key: stringValue(key), value: this.value() });
      if (this.peek()?.kind === 'Punct' && this.peek()?.text === ',') this.position++;
    }
    this.expect('RBrace', "'}' or a string key");
    return { kind: 'map', entries, offset: open.offset };
  }

  private list(): ValueNode {
    const open = this.expectPunct('[');
    const items: ValueNode[] = [];
    if (!(this.peek()?.kind === 'Punct' && this.peek()?.text === ']')) {
      items.push(this.value());
      while (this.peek()?.kind === 'Punct' && this.peek()?.text === ',') {
        this.position++;
        items.push(this.value());
      }
    }
    this.expectPunct(']');
    return { kind: 'list', items, offset: open.offset };
  }

  /** Where a function name made of adjacent Lowercase/Uppercase tokens ends (`replace_pattern`, `IsMatch`). */
  private nameEnd(): number {
    let end = this.position + 1;
    while (
      end < this.tokens.length &&
      !this.tokens[end].spaced &&
      (this.tokens[end].kind === 'Lowercase' || this.tokens[end].kind === 'Uppercase')
    ) {
      end++;
    }
    return end;
  }

  private functionName(): string {
    const end = this.nameEnd();
    const name = this.tokens
      .slice(this.position, end)
      .map((t) => t.text)
      .join('');
    this.position = end;
    return name;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private expect(kind: TokenKind, what: string): Token {
    const token = this.peek();
    if (token?.kind !== kind) throw token ? this.unexpected(token, what) : this.atEnd(what);
    this.position++;
    return token;
  }

  private expectPunct(text: string): Token {
    const token = this.peek();
    if (token?.kind !== 'Punct' || token.text !== text) {
      throw token ? this.unexpected(token, `'${text}'`) : this.atEnd(`'${text}'`);
    }
    this.position++;
    return token;
  }

  private unexpected(token: Token, what: string): TransformSyntaxError {
    return new TransformSyntaxError(`expected ${what} but found '${token.text}'`, token.offset);
  }

  private atEnd(what: string): TransformSyntaxError {
    return new TransformSyntaxError(`expected ${what} but the statement ended`, this.source.length);
  }
}

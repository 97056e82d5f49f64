import type { ArgNode, BoolNode, CallNode, ValueNode } from './ast';
import { resolvePath } from './contexts';
import type { ContextName, Frame, Ref } from './contexts';
import { ENUMS } from './enums';
import { TransformSyntaxError } from './errors';
import { compileRegex } from './regex';
import { asText, compareValues, typeName } from './values';

/** Reads a value while a statement runs on one item. */
export type Getter = (frame: Frame) => unknown;
export type Condition = (frame: Frame) => boolean;
/** What an editor does to one item; `DROP` when it drops the item. */
export type Action = (frame: Frame) => void | typeof DROP;
export const DROP = Symbol('drop');

/** An error while a statement runs on one item: error_mode decides what follows. */
export class TransformRuntimeError extends Error {}

export type ParamKind =
  | 'any'
  | 'string'
  | 'int'
  | 'target'
  | 'map'
  | 'pattern'
  | 'literalString'
  | 'literalInt'
  | 'literalBool'
  | 'strings'
  | 'function'
  | 'list';

export interface Param {
  name: string;
  kind: ParamKind;
  optional?: boolean;
}

/** The arguments a function receives, checked and compiled, by parameter name. */
export type Bound = Record<string, unknown>;

export interface FunctionSpec<T> {
  params: readonly Param[];
  /** Makes the function from its arguments; may throw TransformSyntaxError for a bad literal. */
  make(args: Bound, call: CallNode): T;
}

export interface Library {
  editors: Record<string, FunctionSpec<Action>>;
  converters: Record<string, FunctionSpec<Getter>>;
}

/** Compiles the parts of one statement for one context. */
export class Compiler {
  constructor(
    readonly context: ContextName,
    private readonly library: Library,
  ) {}

  editor(call: CallNode): Action {
    const spec = this.library.editors[call.name];
    if (!spec) {
      throw new TransformSyntaxError(
        `unknown editor '${call.name}' (editors: ${Object.keys(this.library.editors).join(', ')})`,
        call.offset,
      );
    }
    return spec.make(this.bind(call, spec.params), call);
  }

  condition(node: BoolNode): Condition {
    switch (node.kind) {
      case 'or': {
        const items = node.items.map((item) => this.condition(item));
        return (f) => items.some((item) => item(f));
      }
      case 'and': {
        const items = node.items.map((item) => this.condition(item));
        return (f) => items.every((item) => item(f));
      }
      case 'not': {
        const item = this.condition(node.item);
        return (f) => !item(f);
      }
      case 'compare': {
        const left = this.value(node.left);
        const right = this.value(node.right);
        const op = node.op;
        if (op === '==' || op === '!=') {
          // A string, number or boolean equals only the same value of its type, which is what
          // `===` says (NaN included); nil, bytes, maps and lists go by OTTL's rules.
          const equal = op === '==';
          return (f) => {
            const a = left(f);
            const b = right(f);
            const kind = typeof a;
            if (kind === 'string' || kind === 'number' || kind === 'boolean') {
              return (a === b) === equal;
            }
            return compareValues(a, op, b);
          };
        }
        return (f) => compareValues(left(f), op, right(f));
      }
      case 'const': {
        if (node.value.kind === 'bool') {
          const constant = node.value.value;
          return () => constant;
        }
        const get = this.value(node.value);
        return (f) => {
          const result = get(f);
          if (typeof result !== 'boolean') {
            throw new TransformRuntimeError(
              `a condition must be a boolean, got ${typeName(result)}`,
            );
          }
          return result;
        };
      }
    }
  }

  value(node: ValueNode): Getter {
    switch (node.kind) {
      case 'nil':
        return () => undefined;
      case 'string':
      case 'int':
      case 'float':
      case 'bool':
      case 'bytes': {
        const constant = node.value;
        return () => constant;
      }
      case 'enum': {
        const value = ENUMS[node.name];
        if (value === undefined) {
          throw new TransformSyntaxError(`unknown enum symbol '${node.name}'`, node.offset);
        }
        return () => value;
      }
      case 'path':
        return this.ref(node).get;
      case 'call':
        return this.converter(node);
      case 'math':
        return this.math(node);
      case 'map': {
        const entries = node.entries.map(({ key, value }) => [key, this.value(value)] as const);
        return (f) => Object.fromEntries(entries.map(([key, get]) => [key, get(f)]));
      }
      case 'list': {
        const items = node.items.map((item) => this.value(item));
        return (f) => items.map((item) => item(f));
      }
    }
  }

  ref(node: Extract<ValueNode, { kind: 'path' }>): Ref {
    return resolvePath(this.context, node.fields, node.offset);
  }

  private converter(call: CallNode): Getter {
    if (call.editor) {
      throw new TransformSyntaxError(
        `converter names must start with an uppercase letter but got '${call.name}'`,
        call.offset,
      );
    }
    const spec = this.library.converters[call.name];
    if (!spec) {
      throw new TransformSyntaxError(
        `unknown converter '${call.name}' (converters: ${Object.keys(this.library.converters).join(', ')})`,
        call.offset,
      );
    }
    const get = spec.make(this.bind(call, spec.params), call);
    if (call.keys.length === 0) return get;
    const keys = call.keys;
    return (f) => {
      let value = get(f);
      for (const key of keys) {
        value =
          key.kind === 'string'
            ? value && typeof value === 'object' && !Array.isArray(value)
              ? (value as Record<string, unknown>)[key.value]
              : undefined
            : Array.isArray(value)
              ? value[key.value]
              : undefined;
      }
      return value;
    };
  }

  private math(node: Extract<ValueNode, { kind: 'math' }>): Getter {
    const left = this.value(node.left);
    const right = this.value(node.right);
    const op = node.op;
    return (f) => {
      const a = left(f);
      const b = right(f);
      if (typeof a !== 'number' || typeof b !== 'number') {
        throw new TransformRuntimeError(
          `${typeName(a)} ${op} ${typeName(b)}: math needs two numbers`,
        );
      }
      switch (op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          if (b === 0) throw new TransformRuntimeError('attempted to divide by 0');
          // Two integers divide as OTTL's int64s do: the quotient is truncated.
          return Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(a / b) : a / b;
      }
    };
  }

  /** Checks a call's arguments against the function's parameters, positional then named. */
  private bind(call: CallNode, params: readonly Param[]): Bound {
    const bound: Bound = {};
    const given = new Map<string, ArgNode>();
    let named = false;
    call.args.forEach((arg, index) => {
      if (arg.name !== undefined) {
        named = true;
        const param = params.find((p) => p.name === arg.name);
        if (!param) {
          throw new TransformSyntaxError(
            `${call.name} has no parameter '${arg.name}' (parameters: ${params.map((p) => p.name).join(', ') || 'none'})`,
            arg.offset,
          );
        }
        if (given.has(arg.name)) {
          throw new TransformSyntaxError(`${call.name}: '${arg.name}' given twice`, arg.offset);
        }
        given.set(arg.name, arg);
        return;
      }
      if (named) {
        throw new TransformSyntaxError(
          `${call.name}: a positional argument cannot follow a named one`,
          arg.offset,
        );
      }
      if (index >= params.length) {
        throw new TransformSyntaxError(
          `${call.name} takes ${params.length === 0 ? 'no arguments' : `at most ${params.length} arguments`}, got ${call.args.length}`,
          arg.offset,
        );
      }
      given.set(params[index].name, arg);
    });
    for (const param of params) {
      const arg = given.get(param.name);
      if (!arg) {
        if (!param.optional) {
          throw new TransformSyntaxError(
            `${call.name} needs its '${param.name}' argument (${describeParams(params)})`,
            call.offset,
          );
        }
        continue;
      }
      bound[param.name] = this.argument(call.name, param, arg.value);
    }
    return bound;
  }

  private argument(fn: string, param: Param, node: ValueNode): unknown {
    const wrong = (expected: string) =>
      new TransformSyntaxError(
        `wrong argument type for '${param.name}' of ${fn}: expected ${expected}, got ${describeNode(node)}`,
        node.offset,
      );
    switch (param.kind) {
      case 'any':
        return this.value(node);
      case 'string':
        if (isLiteral(node) && node.kind !== 'string') throw wrong('a string');
        return this.value(node);
      case 'int':
        if (isLiteral(node) && node.kind !== 'int') throw wrong('an integer');
        return this.value(node);
      case 'target': {
        if (node.kind !== 'path') throw wrong('a path');
        const ref = this.ref(node);
        if (!ref.set) throw new TransformSyntaxError(`${ref.text} is read-only`, node.offset);
        return ref;
      }
      case 'map': {
        if (node.kind !== 'path') throw wrong('a map path such as attributes');
        const ref = this.ref(node);
        if (!ref.writableMap) {
          throw new TransformSyntaxError(
            `${ref.text} is not a map that can be changed`,
            node.offset,
          );
        }
        return ref;
      }
      case 'pattern':
        if (node.kind !== 'string') throw wrong('a regular expression in a string');
        return compileRegex(node.value, node.offset);
      case 'literalString':
        if (node.kind !== 'string') throw wrong('a string');
        return node.value;
      case 'literalInt':
        if (node.kind !== 'int') throw wrong('an integer');
        return node.value;
      case 'literalBool':
        if (node.kind !== 'bool') throw wrong('true or false');
        return node.value;
      case 'strings':
        if (node.kind !== 'list' || node.items.some((item) => item.kind !== 'string')) {
          throw wrong('a list of strings');
        }
        return node.items.map((item) => (item as { value: string }).value);
      case 'list':
        if (node.kind !== 'list') throw wrong('a list');
        return node.items.map((item) => this.value(item));
      case 'function': {
        if (node.kind !== 'enum') throw wrong('a converter name such as SHA256');
        const spec = this.library.converters[node.name];
        if (!spec || spec.params.filter((p) => !p.optional).length !== 1) {
          throw new TransformSyntaxError(
            `${node.name} is not a converter of one argument (e.g. SHA256, MD5, ToLowerCase)`,
            node.offset,
          );
        }
        // The converter is made once over a slot that each call fills.
        let slot: unknown;
        const call: CallNode = {
          kind: 'call',
          name: node.name,
          editor: false,
          args: [],
          keys: [],
          offset: node.offset,
        };
        const made = spec.make({ [spec.params[0].name]: () => slot }, call);
        return (value: unknown) => {
          slot = value;
          return made(FRAME_UNUSED);
        };
      }
    }
  }
}

const FRAME_UNUSED = {} as Frame;

function isLiteral(node: ValueNode): boolean {
  return ['string', 'int', 'float', 'bool', 'bytes', 'nil', 'map', 'list'].includes(node.kind);
}

function describeNode(node: ValueNode): string {
  switch (node.kind) {
    case 'string':
      return 'a string';
    case 'int':
      return 'an integer';
    case 'float':
      return 'a float';
    case 'bool':
      return 'a boolean';
    case 'nil':
      return 'nil';
    case 'bytes':
      return 'bytes';
    case 'map':
      return 'a map';
    case 'list':
      return 'a list';
    case 'path':
      return 'a path';
    case 'call':
      return `the converter ${node.name}`;
    case 'math':
      return 'a math expression';
    case 'enum':
      return `the name ${node.name}`;
  }
}

function describeParams(params: readonly Param[]): string {
  return params.map((p) => (p.optional ? `${p.name}?` : p.name)).join(', ');
}

/** A string argument's value at run time: OTTL's StringGetter refuses other types. */
export function stringArg(get: Getter, frame: Frame, name: string): string {
  const value = get(frame);
  if (typeof value !== 'string') {
    throw new TransformRuntimeError(`expected string but got ${typeName(value)} for ${name}`);
  }
  return value;
}

/** A value as StringLikeGetter reads it (numbers and booleans as text; nil stays nil). */
export function stringLike(get: Getter, frame: Frame): string | undefined {
  return asText(get(frame));
}

import { InvalidConfigError } from '../errors';
import { Compiler } from './compiler';
import type { Action, Condition, Library } from './compiler';
import { CONTEXT_NAMES } from './contexts';
import type { ContextName } from './contexts';
import { CONVERTERS } from './converters';
import { EDITORS } from './editors';
import { TransformSyntaxError, statementError } from './errors';
import { parseStatement } from './parser';
import { compileRedaction } from './redaction';
import type { RedactionOptions, Redactor } from './redaction';

/** What happens when a statement fails on one item (OTTL's error_mode). */
export type ErrorMode = 'ignore' | 'silent' | 'propagate';

/**
 * The `transform` option: OTTL statements per context, in the order they run (resource, scope,
 * then the item's own context, then span events), and the redaction preset, which runs last.
 */
export interface TransformStatements {
  /** `ignore` (default: the statement is skipped for that item, and said at WARN once a minute), `silent`, or `propagate` (the item is dropped as `transform_error`). */
  errorMode?: ErrorMode;
  resource?: readonly string[];
  scope?: readonly string[];
  span?: readonly string[];
  spanevent?: readonly string[];
  log?: readonly string[];
  datapoint?: readonly string[];
  redaction?: RedactionOptions | boolean;
}

export interface CompiledStatement {
  text: string;
  context: ContextName;
  action: Action;
  where?: Condition;
}

export interface TransformProgram {
  errorMode: ErrorMode;
  statements: Record<ContextName, CompiledStatement[]>;
  redaction: Redactor | undefined;
}

export const LIBRARY: Library = { editors: EDITORS, converters: CONVERTERS };

const KEYS = new Set<string>(['errorMode', 'redaction', ...CONTEXT_NAMES]);

/**
 * Parses and compiles every statement once, at construction. A syntax error, an unknown function
 * or path, or an argument of the wrong type is an InvalidConfigError naming the statement
 * (`transform.span[1]`), its text and the column.
 */
export function compileProgram(option: TransformStatements, name = 'transform'): TransformProgram {
  for (const key of Object.keys(option)) {
    if (!KEYS.has(key)) {
      throw new InvalidConfigError(
        `${name}.${key}`,
        `unknown key (expected ${[...KEYS].join(', ')}, or a function (item, signal) => item | undefined)`,
      );
    }
  }
  const errorMode = option.errorMode ?? 'ignore';
  if (!['ignore', 'silent', 'propagate'].includes(errorMode)) {
    throw new InvalidConfigError(
      `${name}.errorMode`,
      `expected ignore, silent or propagate, got ${JSON.stringify(errorMode)}`,
    );
  }
  const statements = {} as Record<ContextName, CompiledStatement[]>;
  for (const context of CONTEXT_NAMES) {
    const list = option[context] ?? [];
    if (!Array.isArray(list)) {
      throw new InvalidConfigError(`${name}.${context}`, 'expected a list of OTTL statements');
    }
    const compiler = new Compiler(context, LIBRARY);
    statements[context] = list.map((text: unknown, index) => {
      const where = `${name}.${context}[${index}]`;
      if (typeof text !== 'string')
        throw new InvalidConfigError(where, 'expected an OTTL statement in a string');
      return compileStatement(compiler, text, where);
    });
  }
  const redaction =
    option.redaction === undefined || option.redaction === false
      ? undefined
      : compileRedaction(option.redaction === true ? {} : option.redaction, `${name}.redaction`);
  return { errorMode, statements, redaction };
}

function compileStatement(compiler: Compiler, text: string, where: string): CompiledStatement {
  try {
    const parsed = parseStatement(text);
    return {
      text,
      context: compiler.context,
      action: compiler.editor(parsed.editor),
      where: parsed.where ? compiler.condition(parsed.where) : undefined,
    };
  } catch (error) {
    if (error instanceof TransformSyntaxError) throw statementError(where, text, error);
    throw error;
  }
}

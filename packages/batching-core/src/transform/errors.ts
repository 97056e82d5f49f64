import { InvalidConfigError } from '../errors';

/** A problem at one place of one statement, before the statement is known (lexer, parser). */
export class TransformSyntaxError extends Error {
  constructor(
    readonly detail: string,
    /** 0-based offset in the statement. */
    readonly offset: number,
  ) {
    super(detail);
    this.name = 'TransformSyntaxError';
  }
}

/**
 * A statement that cannot be used: a construction error naming the option, the statement (its
 * context and position in the list, and its text) and the 1-based column.
 */
export function statementError(
  option: string,
  statement: string,
  error: TransformSyntaxError,
): InvalidConfigError {
  const column = error.offset + 1;
  return new InvalidConfigError(
    option,
    `${error.detail} at column ${column} of ${JSON.stringify(statement)}`,
  );
}

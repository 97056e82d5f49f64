import { InvalidConfigError } from '../errors';
import type { Signal } from '../types';
import { FunctionStage } from './function-stage';
import type { TransformFunction } from './function-stage';
import { compileProgram } from './program';
import type { TransformStatements } from './program';
import { ProgramStage } from './stage';
import type { StageResult } from './stage';

/** The `transform` option every exporter takes: OTTL statements, or a function. */
export type TransformOption = TransformStatements | TransformFunction;

/** What the kit runs on each export's SDK items before mapping them. */
export interface TransformStage {
  touches(signal: Signal): boolean;
  apply(signal: Signal, items: readonly unknown[]): StageResult<unknown>;
}

/** Compiles the option once, at construction: every error in it is thrown now. */
export function createTransformStage(
  option: unknown,
  exporterName: string,
  source = 'transform',
): TransformStage | undefined {
  if (option === undefined || option === null) return undefined;
  if (typeof option === 'function') return new FunctionStage(option as TransformFunction);
  if (typeof option !== 'object' || Array.isArray(option)) {
    throw new InvalidConfigError(
      source,
      'expected OTTL statements by context ({ span: [...], log: [...], redaction: {...} }) or a function (item, signal) => item | undefined',
    );
  }
  return new ProgramStage(compileProgram(option as TransformStatements, source), exporterName);
}

export { createTransformStage } from './create';
export type { TransformOption, TransformStage } from './create';
export type { ErrorMode, TransformStatements } from './program';
export type { RedactionOptions } from './redaction';
export type { TransformFunction } from './function-stage';
export type { StageResult } from './stage';

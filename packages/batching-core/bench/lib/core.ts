/** The core under measurement: dist/ or src/, as chosen by core-build.ts. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Core from '../../src';
import { chooseCoreBuild, PACKAGE_DIR } from './core-build';
import type { CoreBuild } from './core-build';

export const CORE_BUILD: CoreBuild = chooseCoreBuild().build;

/**
 * BENCH_CORE_DIR: measure another build of the core instead (the dist/ of an older checkout, as
 * compare.ts prepares it), so that two versions are compared within one run.
 */
export const CORE_DIR = process.env.BENCH_CORE_DIR ?? join(PACKAGE_DIR, CORE_BUILD);

// A plain require keeps one instance per process and lets the choice be made at run time.
const load = createRequire(__filename);
const core = load(CORE_DIR) as typeof Core;

export const Pipeline = core.Pipeline;
export const PIPELINE_OPTION_NAMES = core.PIPELINE_OPTION_NAMES;
export const HttpTransport = core.HttpTransport;
export const defineExporter = core.defineExporter;
export const defineExporterOptions = core.defineExporterOptions;
export const mapEach = core.mapEach;
export const createTransformStage = core.createTransformStage;
export const stringSpoolCodec = core.stringSpoolCodec;

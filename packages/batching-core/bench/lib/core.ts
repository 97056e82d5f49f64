/** The core under measurement: dist/ or src/, as chosen by core-build.ts. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Core from '../../src';
import { chooseCoreBuild, PACKAGE_DIR } from './core-build';
import type { CoreBuild } from './core-build';

export const CORE_BUILD: CoreBuild = chooseCoreBuild().build;

// A plain require keeps one instance per process and lets the choice be made at run time.
const load = createRequire(__filename);
const core = load(join(PACKAGE_DIR, CORE_BUILD)) as typeof Core;

export const Pipeline = core.Pipeline;
export const HttpTransport = core.HttpTransport;

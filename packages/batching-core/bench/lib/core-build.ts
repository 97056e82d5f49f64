/**
 * The core under measurement. Users run the compiled dist/, and the same source runs measurably
 * slower through tsx's on-the-fly transform, so dist/ is measured whenever it is at least as new
 * as every file of src/ (root `npm run bench` builds first). Otherwise src/ is measured, and the
 * report says so. BENCH_CORE=src|dist forces one; run.ts decides once and its children inherit.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const PACKAGE_DIR = resolve(__dirname, '..', '..');

export type CoreBuild = 'dist' | 'src';

/**
 * The first src/ file whose compiled .js is missing or older than it, if any. File by file:
 * an incremental `tsc -b` rewrites only what changed, so no single output's time tells.
 */
function staleSource(srcDir: string, distDir: string): string | undefined {
  for (const entry of readdirSync(srcDir, { withFileTypes: true })) {
    const source = join(srcDir, entry.name);
    if (entry.isDirectory()) {
      const stale = staleSource(source, join(distDir, entry.name));
      if (stale) return stale;
      continue;
    }
    if (!entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
    const output = join(distDir, entry.name.replace(/\.ts$/, '.js'));
    let outputMs: number;
    try {
      outputMs = statSync(output).mtimeMs;
    } catch {
      return source;
    }
    if (outputMs < statSync(source).mtimeMs) return source;
  }
  return undefined;
}

export function chooseCoreBuild(): { build: CoreBuild; why: string } {
  const forced = process.env.BENCH_CORE;
  if (forced === 'src' || forced === 'dist') return { build: forced, why: 'BENCH_CORE' };
  const stale = staleSource(join(PACKAGE_DIR, 'src'), join(PACKAGE_DIR, 'dist'));
  return stale === undefined
    ? { build: 'dist', why: 'dist/ is up to date with src/' }
    : {
        build: 'src',
        why: `dist/ is stale (${relative(PACKAGE_DIR, stale)}); run npm run build to measure what ships`,
      };
}

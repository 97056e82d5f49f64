import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageEntryPoints } from './declared-exports';
import { describeExit, outputTail, runCommand } from './commands';
import { appEnv } from './paths';

/*
 * The CommonJS app and the ES module app: the programs in compat/packed/app/, copied into the
 * temporary install, run on the SDK major's Node against a manifest of every entry point.
 */

export interface ExporterFacts {
  name: string;
  /** The exporter classes that constructed and shut down. */
  constructed: string[];
  /** The id of its backend, from its options definition (`victoriametrics`). */
  backend?: string;
  /** The environment variable its URL is read from (`ELASTICSEARCH_URL`). */
  urlVariable?: string;
}

export interface RuntimeReport {
  problems: string[];
  exporters: ExporterFacts[];
}

interface ManifestPackage {
  name: string;
  exporter: boolean;
  entries: { specifier: string; values: string[]; classes: string[] }[];
}

const APP_SOURCES = join(__dirname, 'app');
const CHECK_TIMEOUT_MS = 60_000;

/** Exporter packages are named as OpenTelemetry's own are: `…/exporter-<backend>`. */
export function isExporterPackage(name: string): boolean {
  return /(^|\/)exporter-[^/]+$/.test(name);
}

export function writeRuntimeApps(appRoot: string, packages: PackageEntryPoints[]): void {
  const manifest: { packages: ManifestPackage[] } = {
    packages: packages.map((p) => ({
      name: p.name,
      exporter: isExporterPackage(p.name),
      entries: p.entries.map((e) => ({
        specifier: e.specifier,
        values: e.values,
        classes: e.classes,
      })),
    })),
  };
  writeFileSync(join(appRoot, 'manifest.json'), JSON.stringify(manifest, null, 2));
  copyFileSync(join(APP_SOURCES, 'module-checks.cjs'), join(appRoot, 'module-checks.cjs'));
  for (const [folder, type, program] of [
    ['cjs', 'commonjs', 'check-cjs.cjs'],
    ['esm', 'module', 'check-esm.mjs'],
  ]) {
    mkdirSync(join(appRoot, folder));
    writeFileSync(
      join(appRoot, folder, 'package.json'),
      JSON.stringify({ name: `smoke-${folder}`, private: true, type }, null, 2),
    );
    copyFileSync(join(APP_SOURCES, program), join(appRoot, folder, program));
  }
}

/** Runs one of the two apps (`cjs`, `esm`) and returns its report, or a problem saying why not. */
export async function runRuntimeApp(
  appRoot: string,
  folder: 'cjs' | 'esm',
  node: string,
): Promise<RuntimeReport> {
  const program = folder === 'cjs' ? 'check-cjs.cjs' : 'check-esm.mjs';
  const reportPath = join(appRoot, `report-${folder}.json`);
  const result = await runCommand(node, [program, join(appRoot, 'manifest.json'), reportPath], {
    cwd: join(appRoot, folder),
    env: appEnv(),
    timeoutMs: CHECK_TIMEOUT_MS,
  });
  const problems: string[] = [];
  if (result.code !== 0 || result.timedOut || !existsSync(reportPath)) {
    problems.push(
      `the ${folder} app failed (${describeExit(result, CHECK_TIMEOUT_MS)}):\n${outputTail(result)}`,
    );
  }
  if (result.leftRunning) problems.push(`the ${folder} app left a process running`);
  if (!existsSync(reportPath)) return { problems, exporters: [] };
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RuntimeReport;
  return { problems: [...problems, ...report.problems], exporters: report.exporters };
}

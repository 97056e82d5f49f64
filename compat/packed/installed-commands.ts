import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { describeExit, outputTail, runCommand } from './commands';
import type { PackedTarball } from './install';
import { childEnv } from './paths';

const COMMAND_TIMEOUT_MS = 30_000;

/**
 * Every command a packed package declares (`bin`) as a user gets it: linked into the app's
 * `node_modules/.bin` by the install (npm links the commands of every package at the top of
 * `node_modules`, so an exporter's user gets the core's), executable, and running: without arguments it prints its usage and exits 2, the convention
 * the package's commands follow. Returns what is wrong, and says what ran.
 */
export async function installedCommandProblems(
  appRoot: string,
  tarballs: readonly PackedTarball[],
  node: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (const { name } of tarballs) {
    const manifest = JSON.parse(
      readFileSync(join(appRoot, 'node_modules', name, 'package.json'), 'utf8'),
    ) as { bin?: string | Record<string, string> };
    const bins =
      typeof manifest.bin === 'string'
        ? { [name.replace(/^@[^/]+\//, '')]: manifest.bin }
        : (manifest.bin ?? {});
    for (const command of Object.keys(bins)) {
      const link = join(appRoot, 'node_modules', '.bin', command);
      if (!existsSync(link)) {
        problems.push(`${name}: its command ${command} is not in node_modules/.bin after install`);
        continue;
      }
      try {
        accessSync(link, constants.X_OK);
      } catch {
        problems.push(`${name}: its command ${command} is not executable after install`);
        continue;
      }
      // As a shell runs it: the link, its shebang (`env node`), with the Node under test first
      // on the PATH.
      const env = childEnv();
      env.PATH = `${dirname(node)}${delimiter}${env.PATH ?? ''}`;
      const result = await runCommand(link, [], {
        cwd: appRoot,
        env,
        timeoutMs: COMMAND_TIMEOUT_MS,
      });
      if (result.code !== 2 || !/usage:/.test(result.output)) {
        problems.push(
          `${name}: ${command} without arguments should print its usage and exit 2: ${describeExit(result, COMMAND_TIMEOUT_MS)}\n${outputTail(result)}`,
        );
        continue;
      }
      process.stdout.write(`  ${command} (${name}): linked, executable, prints its usage\n`);
    }
  }
  return problems;
}

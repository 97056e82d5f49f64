import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, outputTail } from './commands';
import { REPO_ROOT, childEnv } from './paths';

/*
 * The two OpenTelemetry JS SDK majors a user may pair the packages with, each with the Node it
 * runs on. The SDK versions are the ones the repository already tests with, never a second list:
 * SDK 2.x is what the root's unit tests installed (with @opentelemetry/api 1.9), SDK 3.x is what
 * compat/sdk3 pins (with api 1.10), and Node 24 comes from compat/sdk3 too (node24.sh).
 */

export interface SdkMajor {
  /** The README snippet tag that selects the snippets of this major. */
  tag: 'sdk2' | 'sdk3';
  title: string;
  /** The absolute path of the Node binary the apps and snippets run on. */
  node(): Promise<string>;
  /** npm install specs, exact versions: the SDK's packages and @opentelemetry/api. */
  packages(): string[];
}

const NODE24_TIMEOUT_MS = 180_000;

function readManifest(path: string): { devDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function openTelemetryNames(manifestPath: string): string[] {
  return Object.keys(readManifest(manifestPath).devDependencies ?? {}).filter((name) =>
    name.startsWith('@opentelemetry/'),
  );
}

export const SDK2: SdkMajor = {
  tag: 'sdk2',
  title: 'SDK 2.x on Node 20',
  // The repository's own Node (20 on CI), which runs this script.
  node: async () => process.execPath,
  packages: () =>
    openTelemetryNames(join(REPO_ROOT, 'package.json')).map((name) => {
      // The version the root's lockfile installed, not the range package.json allows.
      const installed = JSON.parse(
        readFileSync(join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8'),
      ) as { version: string };
      return `${name}@${installed.version}`;
    }),
};

const SDK3_DIR = join(REPO_ROOT, 'compat', 'sdk3');

export const SDK3: SdkMajor = {
  tag: 'sdk3',
  title: 'SDK 3.x on Node 24',
  node: async () => {
    const found = await runCommand('bash', [join(SDK3_DIR, 'node24.sh')], {
      cwd: SDK3_DIR,
      env: childEnv(),
      timeoutMs: NODE24_TIMEOUT_MS,
    });
    const path = found.output.trim().split('\n').at(-1) ?? '';
    if (found.code !== 0 || !path.startsWith('/')) {
      throw new Error(`compat/sdk3/node24.sh found no Node 24:\n${outputTail(found)}`);
    }
    return path;
  },
  packages: () => {
    const pins = readManifest(join(SDK3_DIR, 'package.json')).devDependencies ?? {};
    return openTelemetryNames(join(SDK3_DIR, 'package.json')).map(
      (name) => `${name}@${pins[name]}`,
    );
  },
};

export function sdkMajor(argument: string | undefined): SdkMajor {
  const major = [SDK2, SDK3].find((m) => m.tag === argument);
  if (!major) throw new Error(`usage: compat/packed/main.ts sdk2|sdk3 [--keep] (got ${argument})`);
  return major;
}

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envVarFor } from './backend';
import { BACKENDS } from './backends';
import { PACKAGE_DIR, startBackend, stopBackend } from './launcher';
import type { RunningBackend } from './launcher';

/*
 * `npm run backends:up` starts every available backend natively and leaves it running, writing
 * what it started to integration/.backends.json and printing the environment to export;
 * `npm run backends:down` stops what that file lists.
 */

const STATE = join(PACKAGE_DIR, '.backends.json');

async function up(): Promise<number> {
  if (existsSync(STATE)) {
    process.stderr.write(`${STATE} exists: run \`npm run backends:down\` first\n`);
    return 1;
  }
  const started: RunningBackend[] = [];
  let failures = 0;
  for (const definition of BACKENDS) {
    const availability = await definition.available();
    if (!availability.ok) {
      process.stdout.write(
        `# ${definition.id}: not available (${availability.reason}); install: ${availability.install}\n`,
      );
      continue;
    }
    try {
      const backend = await startBackend(definition);
      started.push(backend);
      writeFileSync(STATE, JSON.stringify(started, null, 2));
      process.stdout.write(
        `export ${envVarFor(definition.id)}=${backend.url}  # ${definition.kind}: ${definition.description}\n`,
      );
    } catch (error) {
      failures++;
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  return failures > 0 ? 1 : 0;
}

async function down(): Promise<number> {
  if (!existsSync(STATE)) {
    process.stdout.write('no backends recorded as running\n');
    return 0;
  }
  const started = JSON.parse(readFileSync(STATE, 'utf8')) as RunningBackend[];
  await Promise.all(started.map((backend) => stopBackend(backend)));
  rmSync(STATE, { force: true });
  process.stdout.write(`stopped ${started.map((b) => b.id).join(', ') || 'nothing'}\n`);
  return 0;
}

const command = process.argv[2];
(command === 'up' ? up() : command === 'down' ? down() : Promise.resolve(2)).then((code) => {
  if (code === 2) process.stderr.write('usage: backends-cli (up|down)\n');
  process.exit(code);
});

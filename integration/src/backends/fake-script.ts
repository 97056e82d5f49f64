import { join } from 'node:path';
import type { BackendDefinition } from '../backend';

/**
 * The parts every labelled fake that is a Node script under src/fakes/ shares: it can always
 * run, and is started as `node --import tsx src/fakes/<script> --port <port>`.
 */
export function fakeScript(
  script: string,
): Pick<BackendDefinition, 'kind' | 'available' | 'command'> {
  return {
    kind: 'fake',
    async available() {
      return { ok: true };
    },
    command({ port, packageDir }) {
      return {
        command: process.execPath,
        args: ['--import', 'tsx', join(packageDir, 'src', 'fakes', script), '--port', String(port)],
      };
    },
  };
}

import { join } from 'node:path';
import type { BackendDefinition } from '../backend';
import { probe } from '../launcher';

/**
 * A protocol fake that is a script of this package (src/fakes/<script>), started with tsx on the
 * harness's port and ready once its `GET /` names it (or as `ready` says).
 */
export function scriptFake(
  definition: Pick<
    BackendDefinition,
    'id' | 'description' | 'composeService' | 'composeUrl' | 'clientEnvironment'
  > & {
    script: string;
  } & (
      | {
          /** Text its `GET /` answer contains. */
          banner: string;
        }
      | Pick<BackendDefinition, 'ready'>
    ),
): BackendDefinition {
  const { script, ...rest } = definition;
  const banner = 'banner' in definition ? definition.banner : undefined;
  const ready =
    'ready' in definition
      ? definition.ready
      : async (url: string) => {
          const answer = await probe(url);
          return answer?.status === 200 && answer.text.includes(banner!);
        };
  return {
    ...rest,
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
    ready,
  };
}

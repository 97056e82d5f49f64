import type { TransformOption } from './create';

/** Options the kit takes for every exporter, beside the core's pipeline options. */
export interface KitOptions {
  /**
   * OTTL statements by context (`resource`, `scope`, `span`, `spanevent`, `log`, `datapoint`),
   * `errorMode` and the `redaction` preset, or a function `(item, signal) => item | undefined`:
   * run on the SDK's items before mapping, on copies. See the batching-core README.
   */
  transform?: TransformOption;
}

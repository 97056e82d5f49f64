import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SinkFault } from '@otelpack/batching-core/testing';
import { readBody, sendJson } from '../http-util';

/*
 * The faults the OTLP fake can be told to serve, posted as JSON to `/_otelpack_fake/faults`.
 * The kinds the test kit's FaultSink has (status with Retry-After, reset, stall, slow) keep its
 * names and meaning; OTLP adds a partial success. Faults are scoped: a rule applies only to
 * requests whose `x-otelpack-fault-scope` header names its scope, so that tests running at the
 * same time do not take each other's faults.
 *
 *   { "scope": "run-1", "rules": [ { "fault": { "kind": "status", "status": 503, "retryAfter": "1" }, "times": 2 },
 *                                  { "fault": { "kind": "partial_success", "rejected": 2, "message": "…" } } ],
 *     "maxRequestBytes": 50000 }
 *
 * A rule without `times` applies until the scope's faults are cleared. `maxRequestBytes` makes
 * the scope's requests with a larger (decompressed) body answer 413, as a receiver's size limit.
 */

export type OtlpFault =
  | Extract<SinkFault, { kind: 'status' | 'reset' | 'stall' | 'slow' }>
  | { kind: 'partial_success'; rejected: number; message: string };

export interface FaultRule {
  fault: OtlpFault;
  times?: number;
}

export interface ScopeFaults {
  rules: { fault: OtlpFault; remaining: number | undefined }[];
  maxRequestBytes?: number;
}

export const SCOPE_HEADER = 'x-otelpack-fault-scope';

const KINDS = new Set(['status', 'reset', 'stall', 'slow', 'partial_success']);

/** A posted faults body, checked: throws with what is wrong. */
export function parseFaults(body: unknown): { scope: string; faults: ScopeFaults } {
  const spec = body as { scope?: unknown; rules?: unknown; maxRequestBytes?: unknown };
  if (!spec || typeof spec !== 'object') throw new Error('expected a JSON object');
  if (typeof spec.scope !== 'string' || spec.scope === '')
    throw new Error('scope: expected a non-empty string');
  const rules = spec.rules ?? [];
  if (!Array.isArray(rules)) throw new Error('rules: expected an array');
  const parsed = rules.map((rule: FaultRule, i) => {
    if (!rule?.fault || !KINDS.has(rule.fault.kind)) {
      throw new Error(`rules[${i}].fault.kind: expected one of ${[...KINDS].join(', ')}`);
    }
    if (rule.fault.kind === 'status' && !(rule.fault.status >= 100 && rule.fault.status <= 599)) {
      throw new Error(`rules[${i}].fault.status: expected an HTTP status`);
    }
    if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times > 0)) {
      throw new Error(`rules[${i}].times: expected a positive integer`);
    }
    return { fault: rule.fault, remaining: rule.times };
  });
  const maxRequestBytes = spec.maxRequestBytes;
  if (
    maxRequestBytes !== undefined &&
    !(Number.isInteger(maxRequestBytes) && (maxRequestBytes as number) > 0)
  ) {
    throw new Error('maxRequestBytes: expected a positive integer');
  }
  return {
    scope: spec.scope,
    faults: {
      rules: parsed,
      ...(maxRequestBytes !== undefined ? { maxRequestBytes: maxRequestBytes as number } : {}),
    },
  };
}

/** The next fault of a scope's script, used up by one request. */
export function takeFault(faults: ScopeFaults | undefined): OtlpFault | undefined {
  if (!faults) return undefined;
  while (faults.rules.length > 0) {
    const rule = faults.rules[0];
    if (rule.remaining === undefined) return rule.fault;
    if (rule.remaining > 0) {
      rule.remaining--;
      if (rule.remaining === 0) faults.rules.shift();
      return rule.fault;
    }
    faults.rules.shift();
  }
  return undefined;
}

/**
 * The control endpoints every OTLP-speaking fake serves over its scripts: POST
 * `/_otelpack_fake/faults` (a script for one scope) and DELETE `/_otelpack_fake/faults?scope=`
 * (that scope's, or all, cleared). False for any other request.
 */
export async function serveFaultControl(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  faults: Map<string, ScopeFaults>,
): Promise<boolean> {
  if (url.pathname !== '/_otelpack_fake/faults') return false;
  if (req.method === 'POST') {
    const { body } = await readBody(req, 1024 * 1024);
    try {
      const { scope, faults: script } = parseFaults(JSON.parse(body.toString('utf8')));
      faults.set(scope, script);
      sendJson(res, 200, { scope, rules: script.rules.length });
    } catch (error) {
      sendJson(res, 400, { error: String(error) });
    }
    return true;
  }
  if (req.method === 'DELETE') {
    const scope = url.searchParams.get('scope');
    if (scope) faults.delete(scope);
    else faults.clear();
    sendJson(res, 200, { cleared: scope ?? 'all' });
    return true;
  }
  return false;
}

/** The stored requests `?signal=` and `?scope=` (the scope header) select. */
export function selectStored<T extends { signal: string; headers: Record<string, unknown> }>(
  stored: readonly T[],
  url: URL,
): T[] {
  const signal = url.searchParams.get('signal');
  const scope = url.searchParams.get('scope');
  return stored.filter(
    (r) => (!signal || r.signal === signal) && (!scope || r.headers[SCOPE_HEADER] === scope),
  );
}

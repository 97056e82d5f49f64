/*
 * The `_ilm/policy` APIs. Policies are stored, versioned and echoed with what uses them;
 * nothing ages, rolls over or is deleted by them.
 */
import type { Call } from './call';
import { jsonBody } from './call';
import { EsError } from './errors';
import { isObject } from './json';
import type { JsonObject } from './json';
import { lifecyclePolicyOf, resourceNames } from './templates';

export interface PolicyState {
  version: number;
  modifiedDate: string;
  policy: JsonObject;
}

function policyNotFound(name: string): EsError {
  return new EsError(404, 'resource_not_found_exception', `Lifecycle policy not found: ${name}`);
}

export function getPolicies(call: Call): void {
  const { policies, templates, store } = call.state;
  const name = call.params.name;
  // A single plain name has its own message; lists and wildcards share the templates' one.
  if (name !== undefined && !name.includes('*') && !name.includes(',') && !policies.has(name)) {
    throw policyNotFound(name);
  }
  const names = resourceNames(policies, name, 'Lifecycle policy');
  const out: JsonObject = {};
  for (const n of names) {
    const stored = policies.get(n) as PolicyState;
    const users = [...templates.index.values()]
      .filter((t) => lifecyclePolicyOf(t) === n)
      .map((t) => t.name);
    const streams = [...store.dataStreams.values()].filter((s) => users.includes(s.template));
    out[n] = {
      version: stored.version,
      modified_date: stored.modifiedDate,
      policy: stored.policy,
      in_use_by: {
        indices: streams.flatMap((s) => s.backingIndices),
        data_streams: streams.map((s) => s.name),
        composable_templates: users,
      },
    };
  }
  call.reply.json(200, out);
}

export function putPolicy(call: Call): void {
  const { policies } = call.state;
  const body = jsonBody(call);
  if (!body || !isObject(body.policy)) {
    throw new EsError(400, 'x_content_parse_exception', '[1:1] Required [policy]');
  }
  const previous = policies.get(call.params.name);
  policies.set(call.params.name, {
    version: (previous?.version ?? 0) + 1,
    modifiedDate: new Date().toISOString(),
    policy: body.policy,
  });
  call.reply.json(200, { acknowledged: true });
}

export function deletePolicy(call: Call): void {
  if (!call.state.policies.delete(call.params.name)) throw policyNotFound(call.params.name);
  call.reply.json(200, { acknowledged: true });
}

/*
 * Index templates and component templates: what is stored, which template a new name matches
 * (and so whether a write creates a data stream), and the `_index_template` and
 * `_component_template` APIs. Component templates are stored and echoed but not composed.
 */
import type { Call } from './call';
import { jsonBody } from './call';
import { EsError, illegalArgument, validationFailed } from './errors';
import { isObject, settingValue } from './json';
import type { Json, JsonObject } from './json';
import { expandNames, globToRegExp } from './names';

export interface TemplateState {
  name: string;
  body: JsonObject;
}

/*
 * Stand-ins for the templates Elasticsearch installs itself, so that writes to `logs-*-*` and
 * the OpenTelemetry data streams create data streams as they do there.
 */
const BUILT_IN_TEMPLATES: Array<[string, string, number, JsonObject?]> = [
  ['logs', 'logs-*-*', 100],
  ['metrics', 'metrics-*-*', 100],
  ['traces', 'traces-*-*', 100],
  ['synthetics', 'synthetics-*-*', 100],
  ['logs-otel@template', 'logs-*.otel-*', 150],
  // Elasticsearch's OTel metrics are time series data streams (see tsdb.ts).
  [
    'metrics-otel@template',
    'metrics-*.otel-*',
    150,
    { settings: { index: { mode: 'time_series' } } },
  ],
  ['traces-otel@template', 'traces-*.otel-*', 150],
];

const TEMPLATE_KEYS = new Set([
  'index_patterns',
  'composed_of',
  'template',
  'priority',
  'version',
  '_meta',
  'data_stream',
  'allow_auto_create',
  'ignore_missing_component_templates',
  'deprecated',
]);

export class TemplateRegistry {
  readonly index = new Map<string, TemplateState>();
  readonly component = new Map<string, JsonObject>();

  constructor() {
    this.installBuiltIns();
  }

  /** Back to a fresh cluster's: only the built-in templates. */
  reset(): void {
    this.index.clear();
    this.component.clear();
    this.installBuiltIns();
  }

  /** The matching template with the highest priority; the first one stored wins a tie. */
  match(name: string): TemplateState | undefined {
    let best: TemplateState | undefined;
    let bestPriority = -1;
    for (const template of this.index.values()) {
      const patterns = template.body.index_patterns as string[];
      if (!patterns.some((p) => globToRegExp(p).test(name))) continue;
      const priority = typeof template.body.priority === 'number' ? template.body.priority : 0;
      if (priority > bestPriority) {
        best = template;
        bestPriority = priority;
      }
    }
    return best;
  }

  private installBuiltIns(): void {
    for (const [name, pattern, priority, template] of BUILT_IN_TEMPLATES) {
      this.index.set(name, {
        name,
        body: {
          index_patterns: [pattern],
          composed_of: [],
          priority,
          ...(template ? { template } : {}),
          data_stream: { hidden: false, allow_custom_routing: false },
          allow_auto_create: true,
          _meta: {
            description: "otelpack fake's stand-in for an Elasticsearch built-in template",
            managed: true,
          },
        },
      });
    }
  }
}

/** The ILM policy a template's settings name (`index.lifecycle.name`), if any. */
export function lifecyclePolicyOf(template: TemplateState | undefined): Json | undefined {
  return settingValue(
    isObject(template?.body.template) ? template.body.template.settings : undefined,
    'index.lifecycle.name',
  );
}

/** Name expressions for the template and policy APIs: a missing plain name is a 404. */
export function resourceNames(
  known: ReadonlyMap<string, unknown>,
  expression: string | undefined,
  kind: string,
): string[] {
  return expandNames(
    known,
    expression,
    (part) =>
      new EsError(404, 'resource_not_found_exception', `${kind} matching [${part}] not found`),
  );
}

export function getIndexTemplates(call: Call): void {
  const templates = call.state.templates.index;
  if (call.method === 'HEAD') {
    call.reply.empty(templates.has(call.params.name) ? 200 : 404);
    return;
  }
  const names = resourceNames(templates, call.params.name, 'index template');
  call.reply.json(200, {
    index_templates: names.map((name) => ({
      name,
      index_template: (templates.get(name) as TemplateState).body,
    })),
  });
}

export function putIndexTemplate(call: Call): void {
  const templates = call.state.templates.index;
  const name = call.params.name;
  const body = jsonBody(call);
  if (!body) throw new EsError(400, 'parse_exception', 'request body is required');
  for (const key of Object.keys(body)) {
    if (!TEMPLATE_KEYS.has(key)) {
      throw new EsError(
        400,
        'x_content_parse_exception',
        `[1:2] [index_template] unknown field [${key}]`,
      );
    }
  }
  const patterns =
    typeof body.index_patterns === 'string' ? [body.index_patterns] : body.index_patterns;
  if (
    !Array.isArray(patterns) ||
    patterns.length === 0 ||
    patterns.some((p) => typeof p !== 'string')
  ) {
    throw validationFailed(['index patterns are missing']);
  }
  if (
    body.priority !== undefined &&
    (typeof body.priority !== 'number' || !Number.isInteger(body.priority) || body.priority < 0)
  ) {
    throw validationFailed(['index template priority must be >= 0']);
  }
  if (body.data_stream !== undefined && !isObject(body.data_stream)) {
    throw new EsError(
      400,
      'x_content_parse_exception',
      '[1:2] [index_template] failed to parse field [data_stream]',
    );
  }
  if (call.query.get('create') === 'true' && templates.has(name)) {
    throw illegalArgument(`index template [${name}] already exists`);
  }
  const stored: JsonObject = {
    ...body,
    index_patterns: patterns,
    composed_of: body.composed_of ?? [],
  };
  if (isObject(body.data_stream)) {
    stored.data_stream = { hidden: false, allow_custom_routing: false, ...body.data_stream };
  }
  templates.set(name, { name, body: stored });
  call.reply.json(200, { acknowledged: true });
}

/** Refused while a data stream created from the template exists, as in Elasticsearch. */
export function deleteIndexTemplate(call: Call): void {
  const { templates, store } = call.state;
  const name = call.params.name;
  if (!templates.index.has(name)) {
    throw new EsError(404, 'resource_not_found_exception', `index_template [${name}] missing`);
  }
  const users = [...store.dataStreams.values()]
    .filter((s) => s.template === name)
    .map((s) => s.name);
  if (users.length > 0) {
    throw illegalArgument(
      `unable to remove composable templates [${name}] as they are in use by a data streams [${users.join(', ')}]`,
    );
  }
  templates.index.delete(name);
  call.reply.json(200, { acknowledged: true });
}

export function getComponentTemplates(call: Call): void {
  const components = call.state.templates.component;
  if (call.method === 'HEAD') {
    call.reply.empty(components.has(call.params.name) ? 200 : 404);
    return;
  }
  const names = resourceNames(components, call.params.name, 'component template');
  call.reply.json(200, {
    component_templates: names.map((name) => ({
      name,
      component_template: components.get(name) as JsonObject,
    })),
  });
}

export function putComponentTemplate(call: Call): void {
  const components = call.state.templates.component;
  const body = jsonBody(call);
  if (!body || !isObject(body.template)) throw validationFailed(['template is missing']);
  if (call.query.get('create') === 'true' && components.has(call.params.name)) {
    throw illegalArgument(`component template [${call.params.name}] already exists`);
  }
  components.set(call.params.name, body);
  call.reply.json(200, { acknowledged: true });
}

export function deleteComponentTemplate(call: Call): void {
  if (!call.state.templates.component.delete(call.params.name)) {
    throw new EsError(
      404,
      'resource_not_found_exception',
      `component template matching [${call.params.name}] not found`,
    );
  }
  call.reply.json(200, { acknowledged: true });
}

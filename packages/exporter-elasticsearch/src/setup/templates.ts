import type { IlmSettings, SetupSettings } from '../config';
import type { DataStreamType, MappingMode } from '../mapping/types';

/*
 * Index template and ILM policy bodies for users who index into plain indices (data streams
 * already get Elasticsearch's own templates). Pure: the setup runner sends them.
 */

/** Above the built-in templates (priority 100, e.g. `logs`), so ours applies to its pattern. */
export const TEMPLATE_PRIORITY = 200;

export function setupResourceName(index: string): string {
  return `otelpack-${index}`;
}

const KEYWORD = { type: 'keyword' };
const DATE_NANOS = { type: 'date_nanos' };
const LONG = { type: 'long' };
/** Strings not mapped otherwise: keyword, up to 1024 characters indexed (Elastic's own default). */
const STRINGS_AS_KEYWORD = {
  strings_as_keyword: {
    match_mapping_type: 'string',
    mapping: { type: 'keyword', ignore_above: 1024 },
  },
};
/** Attribute maps keep dotted keys as they are, so `a` and `a.b` can both be present. */
const FLAT_OBJECT = { type: 'object', subobjects: false };

function otelMappings(signal: DataStreamType): object {
  const properties: Record<string, object> = {
    '@timestamp': signal === 'metrics' ? { type: 'date' } : DATE_NANOS,
    attributes: FLAT_OBJECT,
    resource: { properties: { attributes: FLAT_OBJECT, schema_url: KEYWORD } },
    scope: {
      properties: { attributes: FLAT_OBJECT, name: KEYWORD, version: KEYWORD, schema_url: KEYWORD },
    },
  };
  if (signal === 'traces') {
    Object.assign(properties, {
      trace_id: KEYWORD,
      span_id: KEYWORD,
      parent_span_id: KEYWORD,
      trace_state: KEYWORD,
      name: KEYWORD,
      kind: KEYWORD,
      duration: LONG,
      status: { properties: { code: KEYWORD, message: { type: 'text' } } },
      links: {
        properties: {
          trace_id: KEYWORD,
          span_id: KEYWORD,
          trace_state: KEYWORD,
          attributes: FLAT_OBJECT,
        },
      },
    });
  } else if (signal === 'logs') {
    // Span events arrive here too (the span exporter's event documents).
    Object.assign(properties, {
      observed_timestamp: DATE_NANOS,
      trace_id: KEYWORD,
      span_id: KEYWORD,
      severity_text: KEYWORD,
      severity_number: LONG,
      event_name: KEYWORD,
      body: { properties: { text: { type: 'text' }, structured: { type: 'flattened' } } },
    });
  } else {
    Object.assign(properties, {
      start_timestamp: { type: 'date' },
      unit: KEYWORD,
      _metric_names_hash: KEYWORD,
      metrics: FLAT_OBJECT,
    });
  }
  return { dynamic_templates: [STRINGS_AS_KEYWORD], properties };
}

function ecsMappings(): object {
  return {
    dynamic_templates: [STRINGS_AS_KEYWORD],
    properties: {
      '@timestamp': DATE_NANOS,
      message: { type: 'text' },
      event: { properties: { created: DATE_NANOS, duration: LONG, severity: LONG } },
      trace: { properties: { id: KEYWORD } },
      span: { properties: { id: KEYWORD, name: KEYWORD, kind: KEYWORD } },
      parent: { properties: { id: KEYWORD } },
      error: { properties: { message: { type: 'text' }, stacktrace: { type: 'text' } } },
    },
  };
}

function rawMappings(): object {
  return {
    dynamic_templates: [
      {
        body_as_text: {
          path_match: 'Body',
          match_mapping_type: 'string',
          mapping: { type: 'text' },
        },
      },
      STRINGS_AS_KEYWORD,
    ],
    properties: {
      '@timestamp': DATE_NANOS,
      EndTimestamp: DATE_NANOS,
      ObservedTimestamp: DATE_NANOS,
      StartTimestamp: DATE_NANOS,
      TraceId: KEYWORD,
      SpanId: KEYWORD,
      ParentSpanId: KEYWORD,
      Duration: LONG,
      Link: { type: 'text' },
    },
  };
}

export function indexTemplateBody(
  signal: DataStreamType,
  mode: MappingMode,
  setup: SetupSettings,
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  if (setup.ilm) settings['index.lifecycle.name'] = setupResourceName(setup.index);
  return {
    index_patterns: [setup.index, `${setup.index}-*`],
    priority: TEMPLATE_PRIORITY,
    template: {
      settings,
      mappings:
        mode === 'otel' ? otelMappings(signal) : mode === 'ecs' ? ecsMappings() : rawMappings(),
    },
    _meta: { managed_by: 'otelpack', mapping_mode: mode, signal },
  };
}

/**
 * Hot from creation; warm (lower recovery priority, force-merged to one segment) after
 * `warmAfter`; deleted after `deleteAfter`. No rollover: the indices are date-suffixed.
 */
export function ilmPolicyBody(ilm: IlmSettings): Record<string, unknown> {
  const phases: Record<string, unknown> = {
    hot: { min_age: '0ms', actions: { set_priority: { priority: 100 } } },
  };
  if (ilm.warmAfter !== undefined) {
    phases.warm = {
      min_age: ilm.warmAfter,
      actions: { set_priority: { priority: 50 }, forcemerge: { max_num_segments: 1 } },
    };
  }
  phases.delete = { min_age: ilm.deleteAfter, actions: { delete: {} } };
  return { policy: { _meta: { managed_by: 'otelpack' }, phases } };
}

import { diag } from '@opentelemetry/api';
import type {
  InstrumentationScopeLike,
  MetricDataLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  ResourceMetricsLike,
} from '../sdk/types';
import type { Signal } from '../types';
import { DROP, TransformRuntimeError } from './compiler';
import type { ContextName, Frame } from './contexts';
import type { CompiledStatement, TransformProgram } from './program';
import { setOwnField } from '../sdk/own-field';
import type { ValueMap } from './values';
import { DataPointView, LogView, ResourceView, ScopeView, SpanView } from './views';
import type { MapView } from './views';

/** What the stage made of one export's items. */
export interface StageResult<I> {
  items: I[];
  /** Records left out by `drop` (for metrics: data points). */
  filtered: number;
  /** Records dropped because a statement failed on them (errorMode propagate). */
  failed: number;
  /** Statement errors, ignored ones included. */
  errors: number;
  /** Values the redaction removed, masked or hashed. */
  redacted: number;
  firstError?: string;
}

type Outcome = 'keep' | 'drop' | 'fail';

/**
 * Runs a compiled program over one export's SDK items. Resource and scope statements run once
 * per resource and scope object of the export (the SDK shares them between items); item
 * statements then, span events after their span, the redaction last, so that nothing a
 * statement wrote escapes it.
 */
export class ProgramStage {
  #lastWarningMs: number | undefined;
  #errorsSinceWarning = 0;

  constructor(
    private readonly program: TransformProgram,
    private readonly name: string,
  ) {}

  /** Whether the program does anything to this signal's items. */
  touches(signal: Signal): boolean {
    const s = this.program.statements;
    if (this.program.redaction || s.resource.length > 0 || s.scope.length > 0) return true;
    if (signal === 'traces') return s.span.length > 0 || s.spanevent.length > 0;
    if (signal === 'logs') return s.log.length > 0;
    return s.datapoint.length > 0;
  }

  apply(signal: Signal, items: readonly unknown[]): StageResult<unknown> {
    const run = new Run(this.program);
    let result: StageResult<unknown>;
    if (signal === 'traces') result = run.spans(items as ReadableSpanLike[]);
    else if (signal === 'logs') result = run.logs(items as ReadableLogRecordLike[]);
    else result = run.metrics(items as ResourceMetricsLike[]);
    if (result.errors > 0 && this.program.errorMode === 'ignore') this.warn(result);
    return result;
  }

  private warn(result: StageResult<unknown>): void {
    this.#errorsSinceWarning += result.errors;
    const nowMs = Date.now();
    if (this.#lastWarningMs !== undefined && nowMs - this.#lastWarningMs < 60_000) return;
    diag.warn(
      `otelpack ${this.name}: ${this.#errorsSinceWarning} transform statement errors ignored (errorMode ignore), e.g.: ${result.firstError}`,
    );
    this.#lastWarningMs = nowMs;
    this.#errorsSinceWarning = 0;
  }
}

/** One export's run: the resource and scope views it shares between items. */
class Run {
  readonly result: StageResult<unknown> = {
    items: [],
    filtered: 0,
    failed: 0,
    errors: 0,
    redacted: 0,
  };
  private readonly resources = new Map<ResourceLike, { view: ResourceView; outcome: Outcome }>();
  private readonly scopes = new Map<
    InstrumentationScopeLike,
    Map<ResourceView, { view: ScopeView; outcome: Outcome }>
  >();

  /** The last item's resource, scope and frame: an export's items mostly share them. */
  #last:
    | {
        resource: ResourceLike;
        scope: InstrumentationScopeLike;
        found: { frame: Frame; outcome: Outcome };
      }
    | undefined;

  constructor(private readonly program: TransformProgram) {}

  /*
   * Results are made once every item ran: a statement of a later item may still write to the
   * resource or scope it shares with an earlier one.
   */
  spans(items: readonly ReadableSpanLike[]): StageResult<unknown> {
    const { span, spanevent } = this.program.statements;
    const views: SpanView[] = [];
    for (const item of items) {
      // Items under a dropped or failed resource or scope go with it.
      const { frame, outcome: parent } = this.frame(item.resource, item.instrumentationScope);
      if (this.count(parent, 1)) continue;
      const view = new SpanView(item, frame.resource, frame.scope);
      frame.span = view;
      let outcome = this.statements(span, frame);
      if (outcome === 'keep' && spanevent.length > 0) {
        for (const event of view.eventViews()) {
          frame.event = event;
          const eventOutcome = this.statements(spanevent, frame);
          if (eventOutcome === 'drop') event.dropped = true;
          else if (eventOutcome === 'fail') outcome = 'fail';
        }
      }
      if (this.count(outcome, 1)) continue;
      this.redact(view.attributes);
      if (this.program.redaction && view.source.events.length > 0) {
        for (const event of view.eventViews()) this.redact(event.attributes);
      }
      views.push(view);
    }
    for (const view of views) this.result.items.push(view.result());
    return this.result;
  }

  logs(items: readonly ReadableLogRecordLike[]): StageResult<unknown> {
    const statements = this.program.statements.log;
    const views: LogView[] = [];
    for (const item of items) {
      // Items under a dropped or failed resource or scope go with it.
      const { frame, outcome: parent } = this.frame(item.resource, item.instrumentationScope);
      if (this.count(parent, 1)) continue;
      const view = new LogView(item, frame.resource, frame.scope);
      frame.log = view;
      if (this.count(this.statements(statements, frame), 1)) continue;
      this.redact(view.attributes);
      const redaction = this.program.redaction;
      const body = view.body();
      if (redaction && typeof body === 'string') {
        const masked = redaction.text(body);
        if (masked.masked) {
          view.setBody(masked.text);
          this.result.redacted++;
        }
      } else if (
        redaction &&
        body !== null &&
        typeof body === 'object' &&
        !Array.isArray(body) &&
        !(body instanceof Uint8Array)
      ) {
        this.redactBodyMap(view);
      }
      views.push(view);
    }
    for (const view of views) this.result.items.push(view.result());
    return this.result;
  }

  metrics(items: readonly ResourceMetricsLike[]): StageResult<unknown> {
    const statements = this.program.statements.datapoint;
    for (const item of items) {
      let changed = false;
      const scopeMetrics = item.scopeMetrics.map((sm) => {
        const points = sm.metrics.reduce((n, m) => n + m.dataPoints.length, 0);
        const { frame, outcome: parent } = this.frame(item.resource, sm.scope);
        if (this.count(parent, points)) {
          changed = true;
          return undefined;
        }
        const metrics: MetricDataLike[] = [];
        for (const metric of sm.metrics) {
          const kept: unknown[] = [];
          let metricChanged = false;
          for (const point of metric.dataPoints) {
            const view = new DataPointView(point, metric, frame.resource, frame.scope);
            frame.point = view;
            if (this.count(this.statements(statements, frame), 1)) {
              metricChanged = true;
              continue;
            }
            this.redact(view.attributes);
            const out = view.result();
            if (out !== point) metricChanged = true;
            kept.push(out);
          }
          if (kept.length === 0 && metric.dataPoints.length > 0) {
            changed = true;
            continue;
          }
          if (metricChanged) changed = true;
          metrics.push(
            metricChanged ? ({ ...metric, dataPoints: kept } as MetricDataLike) : metric,
          );
        }
        const scope = frame.scope.result();
        if (scope !== sm.scope) changed = true;
        return { scope, metrics };
      });
      const resource = this.resources.get(item.resource)?.view.result() ?? item.resource;
      if (!changed && resource === item.resource) {
        this.result.items.push(item);
        continue;
      }
      this.result.items.push({
        resource,
        scopeMetrics: scopeMetrics.filter((sm) => sm !== undefined && sm.metrics.length > 0),
      });
    }
    return this.result;
  }

  /** The frame of an item, with its resource and scope views (their statements run once each). */
  private frame(
    resource: ResourceLike,
    scope: InstrumentationScopeLike,
  ): { frame: Frame; outcome: Outcome } {
    // One frame for the items in a row under the same resource and scope: each item's own
    // view is set on it before its statements run, and no statement sees another item's.
    const last = this.#last;
    if (last !== undefined && last.resource === resource && last.scope === scope) return last.found;
    const found = this.lookUp(resource, scope);
    this.#last = { resource, scope, found };
    return found;
  }

  private lookUp(
    resource: ResourceLike,
    scope: InstrumentationScopeLike,
  ): { frame: Frame; outcome: Outcome } {
    let r = this.resources.get(resource);
    if (!r) {
      const view = new ResourceView(resource);
      const frame = { resource: view, scope: new ScopeView(scope) };
      r = { view, outcome: this.statements(this.program.statements.resource, frame) };
      if (r.outcome === 'keep') this.redact(view.attributes);
      this.resources.set(resource, r);
    }
    let byResource = this.scopes.get(scope);
    if (!byResource) this.scopes.set(scope, (byResource = new Map()));
    let s = byResource.get(r.view);
    if (!s) {
      const view = new ScopeView(scope);
      s = {
        view,
        outcome:
          r.outcome === 'keep'
            ? this.statements(this.program.statements.scope, { resource: r.view, scope: view })
            : r.outcome,
      };
      byResource.set(r.view, s);
    }
    return { frame: { resource: r.view, scope: s.view }, outcome: s.outcome };
  }

  /** Counts a drop or failure; true when the item is gone. */
  private count(outcome: Outcome, records: number): boolean {
    if (outcome === 'keep') return false;
    if (outcome === 'drop') this.result.filtered += records;
    else this.result.failed += records;
    return true;
  }

  private statements(list: readonly CompiledStatement[], frame: Frame): Outcome {
    for (const statement of list) {
      try {
        if (statement.where && !statement.where(frame)) continue;
        if (statement.action(frame) === DROP) return 'drop';
      } catch (error) {
        this.result.errors++;
        this.result.firstError ??= `${statement.context} statement ${JSON.stringify(statement.text)}: ${error instanceof TransformRuntimeError || error instanceof Error ? error.message : String(error)}`;
        if (this.program.errorMode === 'propagate') return 'fail';
      }
    }
    return 'keep';
  }

  private redact(view: MapView): void {
    const redaction = this.program.redaction;
    if (!redaction) return;
    const counts = redaction.attributes(view, true);
    this.result.redacted += counts.redacted + counts.masked;
  }

  private redactBodyMap(view: LogView): void {
    const redaction = this.program.redaction;
    if (!redaction) return;
    const body = view.body() as Record<string, unknown>;
    let masked = 0;
    // Keys and texts in lists, not an object: a `__proto__` key assigned into one is lost.
    const replacedKeys: string[] = [];
    const replacedTexts: string[] = [];
    for (const key of Object.keys(body)) {
      const value = body[key];
      if (typeof value !== 'string') continue;
      const result = redaction.text(value);
      if (result.masked) {
        replacedKeys.push(key);
        replacedTexts.push(result.text);
        masked++;
      }
    }
    if (masked === 0) return;
    const writable = view.writableBody() as ValueMap;
    for (let i = 0; i < replacedKeys.length; i++)
      setOwnField(writable, replacedKeys[i], replacedTexts[i]);
    this.result.redacted += masked;
  }
}

export type { ContextName };

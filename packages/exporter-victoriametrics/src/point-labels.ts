import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { boundedValue } from '@otelpack/batching-core';
import { sanitizeLabelName } from './names';
import type { Label } from './types';

/*
 * A data point's attributes as labels, through a plan made once per metric and attribute key
 * list. The points of one metric nearly always carry the same keys in the same order, so what
 * depends only on the keys (label names, where each label sorts among the resource's, scope's
 * and series' own labels, which names collide) is worked out once; a point then costs one copy
 * of the plan's label array and a label per attribute value. The mapping takes the plan's labels
 * only when they are what its general path would make, and uses that path otherwise.
 */

/**
 * An attribute value as a label value (the spec's non-OTLP representation); undefined drops it.
 * An array is bounded by the core's `boundedValue` first (a self-containing array written with
 * "[circular]" in place of the repeat), so that no value can make JSON.stringify throw.
 */
export function attributeValueToString(
  value: AttributeValue | undefined | null,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return JSON.stringify(boundedValue(value));
  return String(value);
}

/** Bounded memo of attribute key → label name: keys repeat across every point of every export. */
const labelNameCache = new Map<string, string>();
export function labelNameOf(key: string): string {
  let name = labelNameCache.get(key);
  if (name === undefined) {
    name = sanitizeLabelName(key);
    if (labelNameCache.size >= 8192) labelNameCache.clear();
    labelNameCache.set(key, name);
  }
  return name;
}

/**
 * How an attribute's type enters its signature (see `Mapper.attributesInto`): a string by its
 * key alone, any other type by key and type, so that `1` and `"1"` of one key are told apart.
 */
export function attributeSignature(key: string, type: string): string {
  return type === 'string' ? key : `${key}\u0000${type}`;
}

/** Distinct values of one attribute that share a Label object; past this, each gets its own. */
const SHARED_VALUES_PER_KEY = 256;

/** Where placeholder slots of a plan's label array are filled from the point's attributes. */
const PLACEHOLDER: Label = Object.freeze({ name: '', value: '' });

export interface PointLabelLayers {
  /** External labels and promoted resource attributes: lowest precedence. */
  readonly low: ReadonlyMap<string, Label>;
  /** Scope labels, job and instance: over the point's attributes. */
  readonly high: readonly Label[];
  /** The series' own labels (`__name__` of a counter or gauge): over everything, sorted. */
  readonly own: readonly Label[];
  /** Names the series of this metric add besides `own` (`le`, `quantile`, `vmrange`). */
  readonly reserved: readonly string[];
}

/**
 * The labels of every point with one attribute key list (in its order and with the value types
 * it was made with) under one metric's layers.
 */
export class PointLabelPlan {
  /** Label name of each key. */
  private readonly names: string[];
  /** Index in `template` of each key's label; -1 when a higher layer's label of its name wins. */
  private readonly slots: Int32Array;
  /** The point's sorted labels, with a placeholder in each attribute's slot. */
  private readonly template: Label[];
  /** Per key: value → its shared Label, while the key has few distinct values. */
  private readonly shared: Map<string, Label>[];

  private constructor(
    readonly keys: readonly string[],
    readonly types: readonly string[],
    names: string[],
    slots: Int32Array,
    template: Label[],
    /** A key's label meets a label of a higher layer or of the series itself. */
    readonly collides: boolean,
  ) {
    this.names = names;
    this.slots = slots;
    this.template = template;
    this.shared = keys.map(() => new Map<string, Label>());
  }

  /**
   * The plan for these keys (the point's own key list, in its order) and their values' types,
   * or undefined when the general path is needed for them: a key that sanitises to nothing, or
   * two keys that become one label name.
   */
  static make(
    keys: readonly string[],
    types: readonly string[],
    layers: PointLabelLayers,
  ): PointLabelPlan | undefined {
    const names = keys.map(labelNameOf);
    const attributeNames = new Set(names);
    if (attributeNames.has('') || attributeNames.size !== names.length) return undefined;
    // Name → label (a fixed one from a layer) or key index (the attribute's), as the general
    // path layers them: low, then attributes, then high; empty values are absent.
    const byName = new Map<string, Label | number>();
    for (const [name, label] of layers.low) byName.set(name, label);
    names.forEach((name, i) => byName.set(name, i));
    let collides = false;
    for (const label of layers.high) {
      if (attributeNames.has(label.name)) collides = true;
      byName.set(label.name, label);
    }
    for (const label of layers.own) {
      if (attributeNames.has(label.name)) collides = true;
      byName.set(label.name, label);
    }
    if (layers.reserved.some((name) => attributeNames.has(name))) collides = true;
    const sorted = [...byName.entries()]
      .filter(([, source]) => typeof source === 'number' || source.value !== '')
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const slots = new Int32Array(keys.length).fill(-1);
    const template = sorted.map(([, source], at) => {
      if (typeof source !== 'number') return source;
      slots[source] = at;
      return PLACEHOLDER;
    });
    return new PointLabelPlan(keys, types, names, slots, template, collides);
  }

  /** The plan applies to a point whose attributes have exactly these keys in this order. */
  fits(keys: readonly string[]): boolean {
    const own = this.keys;
    if (keys.length !== own.length) return false;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== own[i]) return false;
    return true;
  }

  /**
   * The point's sorted labels, or undefined when the general path must make them: a value of
   * another type than the plan's, a value that reads as absent or empty, or one that may be cut.
   */
  labels(
    attributes: Attributes,
    keys: readonly string[],
    maxLabelValueBytes: number,
  ): Label[] | undefined {
    const out = this.template.slice();
    const types = this.types;
    for (let i = 0; i < keys.length; i++) {
      const raw = attributes[keys[i]];
      if (typeof raw !== types[i]) return undefined;
      const value = attributeValueToString(raw);
      if (value === undefined || value === '' || value.length * 3 > maxLabelValueBytes) {
        return undefined;
      }
      const at = this.slots[i];
      if (at >= 0) out[at] = this.label(i, value);
    }
    return out;
  }

  private label(i: number, value: string): Label {
    const shared = this.shared[i];
    let label = shared.get(value);
    if (label === undefined) {
      label = { name: this.names[i], value };
      if (shared.size < SHARED_VALUES_PER_KEY) shared.set(value, label);
    }
    return label;
  }
}

/**
 * The plans of one metric, by attribute key list: the last one used is tried first, as points of
 * one metric mostly share their keys.
 */
export class PointLabelPlans {
  private readonly plans: (PointLabelPlan | undefined)[] = [];
  private readonly keyLists: (readonly string[])[] = [];
  private last = -1;
  /**
   * Labels made here may meet another point's as one series: a plan's key met a label of a
   * higher layer, or took a label name that another key or value type had given before (see
   * `Mapper.attributesInto`, whose flag this is for the points planned here).
   */
  collided = false;

  constructor(
    private readonly layers: PointLabelLayers,
    /** The metric's label name → attribute signature, shared with the general path. */
    private readonly signatures: Map<string, string>,
  ) {}

  /** The point's sorted labels, or undefined when the general path must make them. */
  labels(attributes: Attributes, maxLabelValueBytes: number): Label[] | undefined {
    const keys = Object.keys(attributes);
    const plan = this.planFor(attributes, keys);
    const labels = plan?.labels(attributes, keys, maxLabelValueBytes);
    if (labels !== undefined && plan!.collides) this.collided = true;
    return labels;
  }

  private planFor(attributes: Attributes, keys: readonly string[]): PointLabelPlan | undefined {
    if (this.last >= 0 && this.keyLists[this.last].length === keys.length) {
      const plan = this.plans[this.last];
      if (plan ? plan.fits(keys) : sameKeys(this.keyLists[this.last], keys)) return plan;
    }
    for (let i = 0; i < this.keyLists.length; i++) {
      if (sameKeys(this.keyLists[i], keys)) {
        this.last = i;
        return this.plans[i];
      }
    }
    if (this.keyLists.length >= MAX_PLANS_PER_METRIC) return undefined;
    const types = keys.map((key) => typeof attributes[key]);
    const plan = PointLabelPlan.make(keys, types, this.layers);
    if (plan) this.register(plan);
    this.keyLists.push(keys);
    this.plans.push(plan);
    this.last = this.plans.length - 1;
    return plan;
  }

  /** The plan's names take their signatures, as the general path's first point of them would. */
  private register(plan: PointLabelPlan): void {
    plan.keys.forEach((key, i) => {
      const name = labelNameOf(key);
      const signature = attributeSignature(key, plan.types[i]);
      const seen = this.signatures.get(name);
      if (seen === undefined) this.signatures.set(name, signature);
      else if (seen !== signature) this.collided = true;
    });
  }
}

/** Attribute key lists of one metric planned at most; points with others take the general path. */
const MAX_PLANS_PER_METRIC = 16;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/*
 * The data: indices with their documents, and data streams with their backing indices. All in
 * memory, one shard per index, refresh instantaneous. This module owns how names resolve to
 * indices; what may be written where is documents.ts's business.
 */
import { randomBytes } from 'node:crypto';
import { illegalArgument, indexNotFound } from './errors';
import { isObject } from './json';
import type { JsonObject } from './json';
import { globToRegExp } from './names';
import type { TemplateState } from './templates';
import { backingIndexWindow, isTimeSeries } from './tsdb';

export interface StoredDoc {
  id: string;
  /** The source line as received; parsed again when searched, to keep memory down. */
  source: string;
  version: number;
  seqNo: number;
}

export interface IndexState {
  name: string;
  uuid: string;
  created: number;
  docs: Map<string, StoredDoc>;
  nextSeqNo: number;
  settings: JsonObject;
  mappings: JsonObject;
  aliases: JsonObject;
  dataStream?: string;
}

export interface DataStreamState {
  name: string;
  template: string;
  backingIndices: string[];
  generation: number;
}

export function newUuid(): string {
  return randomBytes(16).toString('base64url');
}

function backingIndexDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}.${pad(date.getUTCMonth() + 1)}.${pad(date.getUTCDate())}`;
}

export class Store {
  readonly indices = new Map<string, IndexState>();
  readonly dataStreams = new Map<string, DataStreamState>();

  clear(): void {
    this.indices.clear();
    this.dataStreams.clear();
  }

  /** Settings merge template then body; mappings and aliases come whole from one or the other. */
  newIndex(
    name: string,
    template: TemplateState | undefined,
    body: JsonObject,
    dataStream?: string,
  ): IndexState {
    const fromTemplate = isObject(template?.body.template) ? template.body.template : {};
    const index: IndexState = {
      name,
      uuid: newUuid(),
      created: Date.now(),
      docs: new Map(),
      nextSeqNo: 0,
      settings: {
        ...(isObject(fromTemplate.settings) ? fromTemplate.settings : {}),
        ...(isObject(body.settings) ? body.settings : {}),
      },
      mappings: isObject(body.mappings)
        ? body.mappings
        : isObject(fromTemplate.mappings)
          ? fromTemplate.mappings
          : {},
      aliases: isObject(body.aliases)
        ? body.aliases
        : isObject(fromTemplate.aliases)
          ? fromTemplate.aliases
          : {},
      dataStream,
    };
    this.indices.set(name, index);
    return index;
  }

  /** A data stream with its first backing index, named as Elasticsearch names them. */
  createDataStream(name: string, template: TemplateState): DataStreamState {
    const backing = `.ds-${name}-${backingIndexDate(new Date())}-000001`;
    const index = this.newIndex(backing, template, {}, name);
    // A time series backing index takes the documents of a window around its creation.
    if (isTimeSeries(index.settings)) {
      Object.assign(index.settings, backingIndexWindow(index.settings, Date.now()));
    }
    const stream: DataStreamState = {
      name,
      template: template.name,
      backingIndices: [backing],
      generation: 1,
    };
    this.dataStreams.set(name, stream);
    return stream;
  }

  writeIndexOf(stream: DataStreamState): IndexState {
    const name = stream.backingIndices[stream.backingIndices.length - 1];
    const index = this.indices.get(name);
    if (!index) throw new Error(`data stream ${stream.name} lost its write index ${name}`);
    return index;
  }

  /** Concrete indices for a search-style target: names, data streams, wildcards, `_all`. */
  resolveTargets(expression: string | undefined, query: URLSearchParams): IndexState[] {
    const ignoreUnavailable = query.get('ignore_unavailable') === 'true';
    const allowNoIndices = query.get('allow_no_indices') !== 'false';
    const parts = (expression ?? '_all')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const found = new Map<string, IndexState>();
    const addStream = (stream: DataStreamState) => {
      for (const name of stream.backingIndices) {
        const index = this.indices.get(name);
        if (index) found.set(name, index);
      }
    };
    for (const part of parts) {
      if (part.startsWith('-')) {
        const exclude = globToRegExp(part.slice(1));
        for (const [name, index] of [...found]) {
          if (exclude.test(name) || (index.dataStream && exclude.test(index.dataStream)))
            found.delete(name);
        }
        continue;
      }
      if (part === '_all' || part.includes('*')) {
        const pattern = part === '_all' ? /^.*$/ : globToRegExp(part);
        // Hidden indices (a leading dot, like backing indices) only match patterns that ask.
        const hidden = part.startsWith('.');
        for (const stream of this.dataStreams.values())
          if (pattern.test(stream.name)) addStream(stream);
        for (const index of this.indices.values()) {
          if (!pattern.test(index.name)) continue;
          if (!hidden && (index.dataStream || index.name.startsWith('.'))) continue;
          found.set(index.name, index);
        }
        continue;
      }
      const stream = this.dataStreams.get(part);
      if (stream) {
        addStream(stream);
        continue;
      }
      const index = this.indices.get(part);
      if (index) found.set(part, index);
      else if (!ignoreUnavailable) throw indexNotFound(part);
    }
    if (found.size === 0 && !allowNoIndices) throw indexNotFound(expression ?? '_all');
    return [...found.values()];
  }

  /** Single-index APIs take indices, not data streams, as Elasticsearch insists. */
  concreteIndex(name: string): IndexState {
    if (this.dataStreams.has(name)) {
      throw illegalArgument(
        `The provided expression [${name}] matches a data stream, specify the corresponding concrete indices instead.`,
      );
    }
    const index = this.indices.get(name);
    if (!index) throw indexNotFound(name);
    return index;
  }

  /** Drops the data streams and standalone indices whose names match; returns their names. */
  dropMatching(pattern: RegExp): string[] {
    const removed: string[] = [];
    for (const stream of [...this.dataStreams.values()]) {
      if (!pattern.test(stream.name)) continue;
      for (const backing of stream.backingIndices) this.indices.delete(backing);
      this.dataStreams.delete(stream.name);
      removed.push(stream.name);
    }
    for (const index of [...this.indices.values()]) {
      if (index.dataStream || !pattern.test(index.name)) continue;
      this.indices.delete(index.name);
      removed.push(index.name);
    }
    return removed;
  }
}

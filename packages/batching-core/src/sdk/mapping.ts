import { appendAll } from '../pipeline/entry';

/** An SDK item the mapping left out (for metrics: a data point with its metric), and why. */
export interface UnmappedItem {
  item: unknown;
  detail: string;
}

/** What the mapping made of one export: records, and the items it could not map. */
export interface MappedItems<R> {
  records: R[];
  unmapped: UnmappedItem[];
}

/**
 * Maps one export's SDK items. It may keep state across exports (caches, delta accumulation).
 * If it throws, every item of that export is counted as unmapped, with the error as the reason.
 */
export interface ItemMapping<I, R> {
  map(items: readonly I[]): MappedItems<R>;
}

/** Maps one SDK item to the records the pipeline carries; may throw on input it cannot map. */
export type RecordMapper<I, R> = (item: I) => R | R[] | undefined;

/** A mapping of one item at a time: an item its mapper throws on is unmapped, the rest go on. */
export function mapEach<I, R>(mapper: RecordMapper<I, R>): ItemMapping<I, R> {
  return {
    map(items) {
      const records: R[] = [];
      const unmapped: UnmappedItem[] = [];
      for (const item of items) {
        try {
          const mapped = mapper(item);
          if (Array.isArray(mapped)) appendAll(records, mapped);
          else if (mapped !== undefined) records.push(mapped);
        } catch (error) {
          unmapped.push({ item, detail: error instanceof Error ? error.message : String(error) });
        }
      }
      return { records, unmapped };
    },
  };
}

/**
 * A mapping of one item at a time, where one item yields records and parts it could not map (a
 * metrics export: documents or rows, and the data points left out, each with its metric).
 */
export function mapEachWithUnmapped<I, R>(mapOne: (item: I) => MappedItems<R>): ItemMapping<I, R> {
  return {
    map(items) {
      const records: R[] = [];
      const unmapped: UnmappedItem[] = [];
      for (const item of items) {
        const mapped = mapOne(item);
        for (const record of mapped.records) records.push(record);
        for (const part of mapped.unmapped) unmapped.push(part);
      }
      return { records, unmapped };
    },
  };
}

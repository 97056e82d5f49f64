/**
 * Reading `_bulk` answers: the client's own `Serializer.deserialize` (the anchor) against the
 * exporter's BulkAnswerSerializer, on the answers Elasticsearch gives under BULK_FILTER_PATH for
 * a request of N documents: all created (what nearly every request gets), and one in a hundred
 * refused (the full parse both ways). Rounds alternate anchor and otelpack; a figure is the
 * median over rounds, the ratio anchor time / otelpack time. The sender reads `errors` of every
 * answer, as it does.
 */
import { Serializer } from '@elastic/elasticsearch';
import { BulkAnswerSerializer } from '../src/bulk/answer-serializer';
import { gc, median, round, spread } from './lib/stats';
import { reportToParent } from './lib/child';

const ROUNDS = Number(process.env.BENCH_RUNS ?? 7);
const ANSWERS_PER_RUN = 400;

export interface AnswerParseResult {
  anchor: string;
  rounds: number;
  cases: {
    name: string;
    documents: number;
    anchorNsPerDocument: number;
    otelpackNsPerDocument: number;
    ratio: number;
    spread: number;
  }[];
}

function answer(documents: number, refusedEvery: number): string {
  const items: string[] = [];
  for (let i = 0; i < documents; i++) {
    items.push(
      refusedEvery > 0 && i % refusedEvery === 0
        ? '{"create":{"status":400,"error":{"type":"document_parsing_exception","reason":"[1:20] failed to parse field [n] of type [long]"}}}'
        : '{"create":{"status":201}}',
    );
  }
  return `{"errors":${refusedEvery > 0},"items":[${items.join(',')}]}`;
}

/**
 * Reads the answers in turn, ANSWERS_PER_RUN in all; ns per document read. `fresh`: each text is
 * decoded from its bytes before it is read, as the client hands over a new string per answer
 * (both sides pay the decoding; a reader that keeps texts alive pays for it in collections).
 */
function nsPerDocument(
  serializer: Serializer,
  texts: string[],
  documents: number[],
  fresh: Buffer[] | undefined,
): number {
  gc();
  let errors = 0;
  let read = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ANSWERS_PER_RUN; i++) {
    const text = fresh ? fresh[i % fresh.length].toString('utf8') : texts[i % texts.length];
    if ((serializer.deserialize(text) as { errors: boolean }).errors) errors++;
    read += documents[i % texts.length];
  }
  const ns = Number(process.hrtime.bigint() - start);
  if (errors !== 0 && errors !== ANSWERS_PER_RUN) throw new Error('answers read differently');
  return ns / read;
}

/** `count` sizes around `middle`, as requests cut by bytes carry (each a different count). */
function sizesAround(middle: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => middle - count + 2 * i);
}

async function main(): Promise<AnswerParseResult> {
  const anchor = new Serializer();
  const ours = new BulkAnswerSerializer();
  const cases = [
    { name: 'all created', documents: [1536], refusedEvery: 0 },
    { name: 'all created', documents: [512], refusedEvery: 0 },
    // The exporter's requests are cut at 5 MB: ~4,400 documents of issue 11's spans, a
    // different count nearly every time.
    { name: 'all created, 40 counts around', documents: sizesAround(4_400, 40), refusedEvery: 0 },
    {
      name: 'all created, 40 counts around, each text new',
      documents: sizesAround(4_400, 40),
      refusedEvery: 0,
      fresh: true,
    },
    { name: '1 in 100 refused', documents: [1536], refusedEvery: 100 },
  ];
  const result: AnswerParseResult['cases'] = [];
  for (const c of cases) {
    const texts = c.documents.map((documents) => answer(documents, c.refusedEvery));
    const fresh = 'fresh' in c ? texts.map((text) => Buffer.from(text)) : undefined;
    // Both read the same answers the same way before anything is timed.
    for (const text of texts) {
      const expected = JSON.stringify(anchor.deserialize(text));
      if (JSON.stringify(ours.deserialize(text)) !== expected)
        throw new Error(`${c.name}: differs`);
    }
    for (let w = 0; w < 3; w++) {
      nsPerDocument(anchor, texts, c.documents, fresh);
      nsPerDocument(ours, texts, c.documents, fresh);
    }
    const anchorNs: number[] = [];
    const oursNs: number[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const a = nsPerDocument(anchor, texts, c.documents, fresh);
      const o = nsPerDocument(ours, texts, c.documents, fresh);
      anchorNs.push(a);
      oursNs.push(o);
      ratios.push(a / o);
    }
    result.push({
      name: c.name,
      documents: Math.round(c.documents.reduce((a, b) => a + b, 0) / c.documents.length),
      anchorNsPerDocument: round(median(anchorNs), 1),
      otelpackNsPerDocument: round(median(oursNs), 1),
      ratio: round(median(ratios), 2),
      spread: round(spread(ratios), 2),
    });
  }
  return {
    anchor: "@elastic/transport's Serializer.deserialize (the client's default)",
    rounds: ROUNDS,
    cases: result,
  };
}

reportToParent(main);

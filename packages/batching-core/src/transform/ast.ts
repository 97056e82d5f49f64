/*
 * The statement tree the parser makes. Every node keeps its 0-based offset so that the compiler's
 * errors (unknown function, path, wrong argument) point at the column, as the parser's do.
 */

export type Key = { offset: number } & (
  { kind: 'string'; value: string } | { kind: 'int'; value: number }
);

export interface Field {
  name: string;
  keys: Key[];
}

export type ValueNode =
  | { kind: 'nil'; offset: number }
  | { kind: 'string'; value: string; offset: number }
  | { kind: 'int'; value: number; offset: number }
  | { kind: 'float'; value: number; offset: number }
  | { kind: 'bool'; value: boolean; offset: number }
  | { kind: 'bytes'; value: Uint8Array; offset: number }
  /** An uppercase name alone: an enum (`STATUS_CODE_ERROR`) or a function given by name (`SHA256`). */
  | { kind: 'enum'; name: string; offset: number }
  | { kind: 'path'; fields: Field[]; offset: number }
  | CallNode
  | { kind: 'math'; op: '+' | '-' | '*' | '/'; left: ValueNode; right: ValueNode; offset: number }
  | { kind: 'map'; entries: { key: string; value: ValueNode }[]; offset: number }
  | { kind: 'list'; items: ValueNode[]; offset: number };

export interface CallNode {
  kind: 'call';
  name: string;
  /** Editors start lowercase, converters uppercase. */
  editor: boolean;
  args: ArgNode[];
  keys: Key[];
  offset: number;
}

export interface ArgNode {
  name?: string;
  value: ValueNode;
  offset: number;
}

export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type BoolNode =
  | { kind: 'or'; items: BoolNode[] }
  | { kind: 'and'; items: BoolNode[] }
  | { kind: 'not'; item: BoolNode }
  | { kind: 'compare'; op: ComparisonOp; left: ValueNode; right: ValueNode; offset: number }
  /** `true`, `false`, or a converter returning a boolean. */
  | { kind: 'const'; value: ValueNode; offset: number };

export interface StatementNode {
  editor: CallNode;
  where?: BoolNode;
}

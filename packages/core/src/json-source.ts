/**
 * A document's JSON source: the text a parser read it from, and the fields it set afterwards.
 * A store that keeps documents as text (the embedded engine's bucketed collections) stores the
 * text and those fields rather than encoding the whole document again; everyone else ignores it.
 */

/** The property (a registered symbol, so every copy of this package agrees) that holds it. */
export const JSON_SOURCE: unique symbol = Symbol.for('@edx-data/json-source') as never;

/**
 * What a document is made of: `JSON.parse(text)`, then each of `fields` set, in this order, to
 * the document's current value (an existing field keeps its place, a new one is appended).
 */
export interface JsonSource {
  readonly text: string;
  readonly fields: readonly string[];
}

/** A document that carries its {@link JsonSource}. */
export interface WithJsonSource {
  [JSON_SOURCE]?: JsonSource;
}

/**
 * Record on `doc` that it is `JSON.parse(text)` with `fields` set afterwards (and that nothing
 * else was changed). The property is a non-enumerable symbol: JSON, BSON, the MongoDB driver,
 * deep equality and copies (`{...doc}`) ignore it, so a copy is encoded in full.
 */
export function setJsonSource<T extends object>(
  doc: T,
  text: string,
  fields: readonly string[],
): T {
  const source: JsonSource = { text, fields };
  Object.defineProperty(doc, JSON_SOURCE, { value: source, configurable: true, writable: true });
  return doc;
}

/** The {@link JsonSource} of a document, if it has one. */
export function jsonSourceOf(doc: object): JsonSource | undefined {
  return (doc as WithJsonSource)[JSON_SOURCE];
}

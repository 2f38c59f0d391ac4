/** A typed array of numbers, as the compact tables (model, history, held rows) keep their columns. */
export type NumberColumn = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;

/** `column` copied into a new one of `length` slots (zeros after its own), of the same type. */
export function grown<T extends NumberColumn>(column: T, length: number): T {
  const Type = column.constructor as new (length: number) => T;
  const next = new Type(length);
  next.set(column);
  return next;
}

/** The next capacity for a table that needs `needed` rows: half as large again, so growing is rare. */
export function nextCapacity(capacity: number, needed: number): number {
  let next = Math.max(16, capacity);
  while (next < needed) next = Math.ceil(next * 1.5);
  return next;
}

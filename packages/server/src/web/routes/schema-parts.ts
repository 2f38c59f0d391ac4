/** Pieces the routes' JSON schemas share (web/openapi.ts documents the routes from their schemas). */

export const health = { type: 'string', enum: ['healthy', 'sick', 'dead'] } as const;
export const time = { type: 'string', format: 'date-time' } as const;
export const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const nullableNumber = { type: ['number', 'null'] } as const;
export const nextCursor = {
  type: ['string', 'null'],
  description: 'Pass as `cursor` for the next page; null on the last page.',
} as const;

/** A response schema with what it is in words (the document's response description). */
export const answer = <const S extends object>(description: string, schema: S) =>
  ({ ...schema, description }) as const;

/** A `2xx` answer without a body, as Vigil's protocols have. */
export const emptyAnswer = (description: string) => ({ type: 'null', description }) as const;

/** An object whose every property is always present (`required` lists them all). */
export function record<const P extends Record<string, object>>(properties: P) {
  return {
    type: 'object',
    required: Object.keys(properties) as Array<keyof P & string>,
    properties,
  } as const;
}

import * as z from 'zod';
import { InvalidCursorError } from './errors.ts';

const MAX_CURSOR_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Wraps a list position (DynamoDB's LastEvaluatedKey, string attributes only) for a caller. */
export function encodeCursor(position: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * Reads a cursor back, refusing anything but an object of exactly `fields`, all non-empty
 * strings, whose `partitionField` is `partition`: a cursor forged for another agency's list, or
 * from another list, never reaches the table.
 */
export function decodeCursor(
  cursor: string,
  fields: readonly string[],
  partition: { readonly field: string; readonly value: string },
): Record<string, string> {
  if (cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw new InvalidCursorError();
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new InvalidCursorError({ cause: error });
  }
  const schema = z.strictObject(
    Object.fromEntries(fields.map((f) => [f, z.string().min(1).max(512)])),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InvalidCursorError({ cause: parsed.error });
  const position: Record<string, string> = parsed.data;
  if (position[partition.field] !== partition.value) throw new InvalidCursorError();
  return position;
}

import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '#shared/documents/cursor.ts';
import { InvalidCursorError } from '#shared/documents/errors.ts';

const FIELDS = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
const partition = { field: 'gsi1pk', value: 'ISSUER#000.00.08.H48' };
const position = {
  pk: 'DOC#1',
  sk: 'DOC',
  gsi1pk: 'ISSUER#000.00.08.H48',
  gsi1sk: '2019-06-14T03:00:00.000Z#1',
};

describe('list cursor', () => {
  it('round-trips a position as base64url', () => {
    const cursor = encodeCursor(position);

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, FIELDS, partition)).toEqual(position);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('{pk:').toString('base64url')],
    ['an extra field', encodeCursor({ ...position, status: 'ROUTED' })],
    ['a missing field', encodeCursor({ pk: 'DOC#1', sk: 'DOC', gsi1pk: partition.value })],
    ['a number', encodeCursor({ ...position, gsi1sk: 5 })],
    ['another partition', encodeCursor({ ...position, gsi1pk: 'ISSUER#000.00.09.H48' })],
    ['an oversized cursor', 'A'.repeat(4096)],
  ])('refuses %s', (_, cursor) => {
    expect(() => decodeCursor(cursor, FIELDS, partition)).toThrow(InvalidCursorError);
  });
});

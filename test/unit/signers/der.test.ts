import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { integerOf, oidOf, parseDer } from '#signature/asn1.ts';
import { childrenOf, integer, octetString, oid, readDer, sequence, setOf } from '#signature/der.ts';

const forgeDer = (node: forge.asn1.Asn1) =>
  Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');

describe('der', () => {
  it.each([
    '1.2.840.113549.1.9.16.2.47',
    '2.16.840.1.101.3.4.2.1',
    '0.9.2342.19200300.100.1.1',
    '2.999.1',
  ])('encodes and decodes the OID %s as node-forge does', (dotted) => {
    const encoded = oid(dotted);

    expect(encoded).toEqual(
      forgeDer(
        forge.asn1.create(0, forge.asn1.Type.OID, false, forge.asn1.oidToDer(dotted).getBytes()),
      ),
    );
    expect(oidOf(parseDer(encoded), 'oid')).toBe(dotted);
  });

  it.each([
    [0n, '020100'],
    [127n, '02017f'],
    [128n, '02020080'],
    [256n, '02020100'],
    [0xffffffffffffffffn, '020900ffffffffffffffff'],
  ])('encodes the INTEGER %s minimally, with a sign byte when needed', (value, hex) => {
    expect(integer(value).toString('hex')).toBe(hex);
    expect(integerOf(parseDer(integer(value)), 'integer')).toBe(value);
  });

  it('treats Buffer integers as unsigned and drops leading zeros', () => {
    expect(integer(Buffer.from('0000ff', 'hex')).toString('hex')).toBe('020200ff');
  });

  it('uses long-form lengths from 128 bytes on and reads them back', () => {
    for (const size of [127, 128, 255, 256, 70_000]) {
      const encoded = octetString(Buffer.alloc(size, 7));
      const node = readDer(encoded);
      expect(node.content.length).toBe(size);
      expect(node.raw.length).toBe(encoded.length);
    }
  });

  it('sorts SET OF elements by their encodings', () => {
    const a = octetString(Buffer.from([2]));
    const b = octetString(Buffer.from([1, 0]));
    const c = integer(5);

    const set = readDer(setOf(a, b, c));

    expect(childrenOf(set).map((n) => n.raw)).toEqual([c, a, b]);
  });

  it('refuses content that runs past the end', () => {
    const truncated = sequence(octetString(Buffer.alloc(10))).subarray(0, 8);
    expect(() => readDer(truncated)).toThrow(RangeError);
  });
});

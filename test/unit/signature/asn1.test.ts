import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import {
  Asn1FormatError,
  derOf,
  encodeDer,
  integerHexOf,
  integerOf,
  oidOf,
  parseDer,
  timeOf,
} from '#signature/asn1.ts';

const { create, Class, Type } = forge.asn1;
const der = (node: forge.asn1.Asn1) => Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
const utcTime = (text: string) => create(Class.UNIVERSAL, Type.UTCTIME, false, text);
const generalizedTime = (text: string) =>
  create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, text);
const integer = (hex: string) =>
  create(Class.UNIVERSAL, Type.INTEGER, false, Buffer.from(hex, 'hex').toString('binary'));

describe('parseDer', () => {
  const sequence = der(create(Class.UNIVERSAL, Type.SEQUENCE, true, [integer('05')]));

  it('round-trips a DER object to the same bytes', () => {
    expect(derOf(parseDer(sequence))).toEqual(sequence);
  });

  it('keeps the original bytes of a non-DER encoding that forge would normalise', () => {
    const ber = Buffer.from([0x30, 0x04, 0x02, 0x02, 0x00, 0x05]);
    const node = parseDer(ber);
    expect(derOf(node)).toEqual(ber);
    expect(encodeDer(node)).toEqual(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05]));
  });

  it('accepts zero padding after the object only when asked to', () => {
    const padded = Buffer.concat([sequence, Buffer.alloc(64)]);
    expect(derOf(parseDer(padded, { allowTrailingZeros: true }))).toEqual(sequence);
    expect(() => parseDer(padded)).toThrow(Asn1FormatError);
  });

  it('refuses non-zero bytes after the object even with padding allowed', () => {
    const tail = Buffer.concat([sequence, Buffer.from([0, 0, 1])]);
    expect(() => parseDer(tail, { allowTrailingZeros: true })).toThrow(/bytes follow/);
  });

  it('turns truncated input into an Asn1FormatError that keeps the cause', () => {
    const error = (() => {
      try {
        parseDer(sequence.subarray(0, sequence.length - 1));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(Asn1FormatError);
    expect((error as Asn1FormatError).cause).toBeInstanceOf(Error);
  });

  it('refuses input above the size cap before parsing it', () => {
    expect(() => parseDer(sequence, { maxBytes: 4 })).toThrow(/exceeds/);
  });

  it('refuses deeply nested input instead of exhausting the stack', () => {
    let nested = Buffer.from([0x05, 0x00]);
    for (let i = 0; i < 200; i++) {
      nested = Buffer.concat([Buffer.from([0x30, 0x84]), u32(nested.length), nested]);
    }
    expect(() => parseDer(nested)).toThrow(Asn1FormatError);
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

describe('timeOf', () => {
  it('reads UTCTime with the RFC 5280 century rule', () => {
    expect(timeOf(utcTime('490101000000Z'), 't').toISOString()).toBe('2049-01-01T00:00:00.000Z');
    expect(timeOf(utcTime('500101000000Z'), 't').toISOString()).toBe('1950-01-01T00:00:00.000Z');
  });

  it('applies a UTCTime zone offset', () => {
    expect(timeOf(utcTime('190416080000+0700'), 't').toISOString()).toBe(
      '2019-04-16T01:00:00.000Z',
    );
  });

  it('reads GeneralizedTime with fractional seconds', () => {
    expect(timeOf(generalizedTime('20190416010203.5Z'), 't').toISOString()).toBe(
      '2019-04-16T01:02:03.500Z',
    );
  });

  it('refuses impossible dates and foreign types', () => {
    expect(() => timeOf(generalizedTime('20190230000000Z'), 't')).toThrow(/impossible/);
    expect(() => timeOf(utcTime('2019'), 't')).toThrow(Asn1FormatError);
    expect(() => timeOf(integer('01'), 't')).toThrow(/expected UTCTime/);
  });
});

describe('integers and OIDs', () => {
  it('gives serial numbers as minimal hex, dropping redundant padding', () => {
    expect(integerHexOf(integer('00ff10'), 'n')).toBe('00ff10');
    expect(integerHexOf(integer('00005051'), 'n')).toBe('5051');
    expect(integerHexOf(integer('ffff80'), 'n')).toBe('80');
  });

  it('reads negative values', () => {
    expect(integerOf(integer('ff'), 'n')).toBe(-1n);
    expect(integerOf(integer('00ff'), 'n')).toBe(255n);
  });

  it('reads an OID and refuses a truncated one', () => {
    const oid = create(
      Class.UNIVERSAL,
      Type.OID,
      false,
      forge.asn1.oidToDer('1.2.840.113549.1.7.2').getBytes(),
    );
    expect(oidOf(oid, 'oid')).toBe('1.2.840.113549.1.7.2');
    const truncated = create(Class.UNIVERSAL, Type.OID, false, '\x2a\x86');
    expect(() => oidOf(truncated, 'oid')).toThrow(/malformed OID/);
  });
});

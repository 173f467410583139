import { createHash } from 'node:crypto';
import type { Signer } from '#ports/signer.ts';
import { DomainError } from '#shared/errors.ts';
import { bitString, integer, oid, readDer, sequence, setOf, Tag, tlv, utf8String } from './der.ts';
import { hashOf, signatureAlgorithmIdentifier } from './signers/algorithms.ts';

/** The subject string cannot be read as a distinguished name. */
export class InvalidSubjectError extends DomainError {}

const attributeTypes: Record<string, string> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  TITLE: '2.5.4.12',
  GN: '2.5.4.42',
  UID: '0.9.2342.19200300.100.1.1',
  DC: '0.9.2342.19200300.100.1.25',
  E: '1.2.840.113549.1.9.1',
  EMAILADDRESS: '1.2.840.113549.1.9.1',
};

const printableOnly = new Set(['2.5.4.6', '2.5.4.5']);
const ia5Only = new Set(['1.2.840.113549.1.9.1', '0.9.2342.19200300.100.1.25']);

export interface CsrOptions {
  /**
   * Distinguished name in RFC 4514 order, most specific first:
   * `CN=Văn thư,O=Sở Thông tin và Truyền thông,L=Quảng Ngãi,C=VN`. `\,` `\+` `\\` and `\XX`
   * escapes and `+` multi-valued RDNs are understood; types are the usual short names
   * (CN, O, OU, L, ST, C, SERIALNUMBER, UID, E, …) or dotted OIDs.
   */
  readonly subject: string;
  readonly signer: Signer;
}

/**
 * A PKCS#10 certification request signed by the organization key, to send to the CA when a
 * key is created in KMS or an HSM. Names are UTF8String so Vietnamese diacritics survive;
 * country and serial number are PrintableString, e-mail and domain components IA5String, as
 * X.520 and RFC 5280 require.
 */
export async function buildCsr(options: CsrOptions): Promise<Buffer> {
  const { signer } = options;
  const info = sequence(
    integer(0),
    encodeName(options.subject),
    readDer(await signer.publicKey()).raw,
    tlv(0xa0, Buffer.alloc(0)),
  );
  const digest = createHash(hashOf(signer.algorithm)).update(info).digest();
  const signature = await signer.sign(digest);
  return sequence(info, signatureAlgorithmIdentifier(signer.algorithm), bitString(signature));
}

/** PEM armour, 64 columns (RFC 7468). */
export function toPem(der: Buffer, label = 'CERTIFICATE REQUEST'): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** DER Name; the RDNSequence runs from the root (C) down, the reverse of the string. */
export function encodeName(subject: string): Buffer {
  const rdns = splitUnescaped(subject, ',').map((rdn) =>
    setOf(...splitUnescaped(rdn, '+').map(encodeAttribute)),
  );
  return sequence(...rdns.reverse());
}

function encodeAttribute(ava: string): Buffer {
  const eq = ava.indexOf('=');
  if (eq <= 0) throw new InvalidSubjectError(`"${ava}" is not TYPE=value`);
  const name = ava.slice(0, eq).trim();
  const type = /^\d+(\.\d+)+$/.test(name) ? name : attributeTypes[name.toUpperCase()];
  if (type === undefined) throw new InvalidSubjectError(`unknown attribute type ${name}`);
  const value = unescapeValue(ava.slice(eq + 1));
  if (value.length === 0) throw new InvalidSubjectError(`${name} has an empty value`);
  return sequence(oid(type), encodeValue(type, name, value));
}

function encodeValue(type: string, name: string, value: string): Buffer {
  if (printableOnly.has(type)) {
    if (!/^[A-Za-z0-9 '()+,\-./:=?]+$/.test(value)) {
      throw new InvalidSubjectError(`${name} must be PrintableString, got "${value}"`);
    }
    if (type === '2.5.4.6' && !/^[A-Z]{2}$/.test(value)) {
      throw new InvalidSubjectError(`C must be a two-letter country code, got "${value}"`);
    }
    return tlv(Tag.printableString, Buffer.from(value, 'ascii'));
  }
  if (ia5Only.has(type)) {
    if (!/^[\x20-\x7e]+$/.test(value)) throw new InvalidSubjectError(`${name} must be ASCII`);
    return tlv(Tag.ia5String, Buffer.from(value, 'ascii'));
  }
  return utf8String(value);
}

/** Splits on `separator` where it is not escaped by a backslash. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      current += c + (text[i + 1] ?? '');
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** Trims unescaped surrounding spaces and resolves `\c` and `\XX` (UTF-8 bytes) escapes. */
function unescapeValue(text: string): string {
  const raw = Array.from(text);
  const bytes: number[] = [];
  let start = 0;
  let end = raw.length;
  while (start < end && raw[start] === ' ') start++;
  while (end > start && raw[end - 1] === ' ' && raw[end - 2] !== '\\') end--;
  for (let i = start; i < end; i++) {
    const c = raw[i] ?? '';
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const hex = raw.slice(i + 1, i + 3).join('');
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      const next = raw[i + 1];
      if (next === undefined) throw new InvalidSubjectError('subject ends with a backslash');
      bytes.push(...Buffer.from(next, 'utf8'));
      i++;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

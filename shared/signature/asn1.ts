import forge from 'node-forge';
import { DomainError } from '#shared/errors.ts';

export type Asn1 = forge.asn1.Asn1;

/** Input that is not the ASN.1 structure the caller expects; `cause` keeps forge's own error. */
export class Asn1FormatError extends DomainError {}

/**
 * Largest DER object accepted by default: a PDF /Contents with embedded CRLs and OCSP responses
 * stays well under this, a hostile one does not get to exhaust memory.
 */
export const MAX_DER_BYTES = 16 * 1024 * 1024;

interface ForgeDerOptions {
  readonly strict: boolean;
  readonly parseAllBytes: boolean;
  readonly decodeBitStrings: boolean;
  readonly maxDepth: number;
}

// The runtime takes an options object; @types/node-forge only declares the older boolean form.
const fromDer = forge.asn1.fromDer as unknown as (
  bytes: forge.util.ByteStringBuffer,
  options: ForgeDerOptions,
) => Asn1;

export interface ParseDerOptions {
  /** @default MAX_DER_BYTES */
  readonly maxBytes?: number;
  /** Accept zero bytes after the object, as in a PDF /Contents reserved larger than the CMS. */
  readonly allowTrailingZeros?: boolean;
  /**
   * Accept any bytes after the object. Some signers leave stale data in /Contents and
   * BouncyCastle-based validators ignore it; it is unsigned, so the caller decides.
   */
  readonly allowTrailingBytes?: boolean;
}

/**
 * Parses one DER (or BER) object from a Buffer. forge throws plain Errors and, in lenient mode,
 * silently truncates: here parsing is strict, BIT STRINGs stay opaque (a signature value is not
 * ASN.1), and every failure becomes an `Asn1FormatError`.
 */
export function parseDer(der: Buffer, options: ParseDerOptions = {}): Asn1 {
  const maxBytes = options.maxBytes ?? MAX_DER_BYTES;
  if (der.length === 0) throw new Asn1FormatError('empty DER input');
  if (der.length > maxBytes) {
    throw new Asn1FormatError(
      `DER input of ${der.length} bytes exceeds the ${maxBytes}-byte limit`,
    );
  }
  const buffer = forge.util.createBuffer(der.toString('binary'));
  let node: Asn1;
  try {
    node = fromDer(buffer, {
      strict: true,
      parseAllBytes: false,
      decodeBitStrings: false,
      maxDepth: 64,
    });
  } catch (error) {
    throw new Asn1FormatError(`malformed DER: ${messageOf(error)}`, { cause: error });
  }
  const rest = buffer.bytes();
  if (rest.length > 0 && options.allowTrailingBytes !== true) {
    const zeros = options.allowTrailingZeros === true && /^\0*$/.test(rest);
    if (!zeros) throw new Asn1FormatError(`${rest.length} bytes follow the DER object`);
  }
  attachEncodings(node, der, 0);
  return node;
}

/** The bytes each parsed node was read from, so hashes and signatures see the original encoding. */
const encodings = new WeakMap<Asn1, Buffer>();

/**
 * Walks the bytes forge has just parsed alongside its tree and records each node's span. forge
 * keeps no offsets and its `toDer` normalises (it strips INTEGER padding, re-encodes lengths),
 * which would change the hash of a certificate or signed attributes that are not strict DER.
 */
function attachEncodings(node: Asn1, bytes: Buffer, offset: number): number {
  const first = bytes[offset + 1] ?? 0;
  let header = 2;
  let length: number | undefined = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    length = count === 0 ? undefined : 0;
    for (let i = 0; i < count; i++) length = (length ?? 0) * 256 + (bytes[offset + 2 + i] ?? 0);
    header += count;
  }
  let end = offset + header + (length ?? 0);
  if (Array.isArray(node.value)) {
    let position = offset + header;
    for (const child of node.value) position = attachEncodings(child, bytes, position);
    if (length === undefined) end = position + 2;
  }
  encodings.set(node, bytes.subarray(offset, end));
  return end;
}

/** The bytes a node was parsed from, when it came from `parseDer`. */
export function rawOf(node: Asn1): Buffer | undefined {
  return encodings.get(node);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A node's encoding: the bytes it was parsed from, or forge's DER for a node built in code. */
export function derOf(node: Asn1): Buffer {
  return rawOf(node) ?? encodeDer(node);
}

/** forge's DER re-encoding of a node (definite lengths, INTEGER padding stripped). */
export function encodeDer(node: Asn1): Buffer {
  try {
    return Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');
  } catch (error) {
    throw new Asn1FormatError(`cannot encode ASN.1 node: ${messageOf(error)}`, { cause: error });
  }
}

export const Universal = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  enumerated: 10,
  sequence: 16,
  set: 17,
  utcTime: 23,
  generalizedTime: 24,
} as const;

/** True for a universal-class node of the given tag number. */
export function isUniversal(node: Asn1 | undefined, type: number): node is Asn1 {
  return node !== undefined && node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === type;
}

/** True for a context-specific `[n]` node. */
export function isContext(node: Asn1 | undefined, n: number): node is Asn1 {
  return (
    node !== undefined && node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && node.type === n
  );
}

/** The elements of a constructed node; throws when the node is primitive. */
export function childrenOf(node: Asn1, what = 'element'): Asn1[] {
  if (!Array.isArray(node.value) || !node.constructed) {
    throw new Asn1FormatError(`${what} is not a constructed ASN.1 value`);
  }
  return node.value;
}

/** Children of a universal SEQUENCE (or SET), checking the tag. */
export function sequenceOf(
  node: Asn1 | undefined,
  what: string,
  type: number = Universal.sequence,
): Asn1[] {
  if (!isUniversal(node, type)) {
    throw new Asn1FormatError(`${what}: expected ${type === Universal.set ? 'SET' : 'SEQUENCE'}`);
  }
  return childrenOf(node, what);
}

/** Content bytes of a primitive node; a BER constructed string is joined from its chunks. */
export function bytesOf(node: Asn1, what = 'element'): Buffer {
  if (typeof node.value === 'string') return Buffer.from(node.value, 'binary');
  if (isUniversal(node, Universal.octetString) && node.constructed) {
    return Buffer.concat(node.value.map((chunk) => octetsOf(chunk, what)));
  }
  throw new Asn1FormatError(`${what} is not a primitive ASN.1 value`);
}

/** Content of an OCTET STRING. */
export function octetsOf(node: Asn1 | undefined, what: string): Buffer {
  if (!isUniversal(node, Universal.octetString)) {
    throw new Asn1FormatError(`${what}: expected OCTET STRING`);
  }
  return bytesOf(node, what);
}

/** The bits of a BIT STRING, without its unused-bits octet. */
export function bitStringOf(
  node: Asn1 | undefined,
  what: string,
): { bytes: Buffer; unused: number } {
  if (!isUniversal(node, Universal.bitString)) {
    throw new Asn1FormatError(`${what}: expected BIT STRING`);
  }
  const content = bytesOf(node, what);
  const unused = content[0];
  if (unused === undefined || unused > 7) throw new Asn1FormatError(`${what}: bad BIT STRING`);
  return { bytes: content.subarray(1), unused };
}

/** Dotted form of an OBJECT IDENTIFIER. */
export function oidOf(node: Asn1 | undefined, what: string): string {
  if (!isUniversal(node, Universal.oid)) throw new Asn1FormatError(`${what}: expected OID`);
  const content = bytesOf(node, what);
  if (content.length === 0 || content.length > 64 || ((content.at(-1) ?? 0) & 0x80) !== 0) {
    throw new Asn1FormatError(`${what}: malformed OID`);
  }
  return forge.asn1.derToOid(content.toString('binary'));
}

/**
 * An INTEGER as lower-case hex of its minimal two's-complement encoding. Serial numbers are
 * compared this way: a SignerInfo that pads a serial with a redundant zero octet (BER, seen in
 * the wild) still names the certificate, and negative serials some CAs issued still match.
 */
export function integerHexOf(node: Asn1 | undefined, what: string): string {
  if (!isUniversal(node, Universal.integer)) throw new Asn1FormatError(`${what}: expected INTEGER`);
  const content = bytesOf(node, what);
  if (content.length === 0) throw new Asn1FormatError(`${what}: empty INTEGER`);
  let start = 0;
  while (start < content.length - 1) {
    const [head = 0, next = 0] = [content[start], content[start + 1]];
    const redundant = (head === 0 && next < 0x80) || (head === 0xff && next >= 0x80);
    if (!redundant) break;
    start++;
  }
  return content.subarray(start).toString('hex');
}

/** An INTEGER as a bigint (two's complement). */
export function integerOf(node: Asn1 | undefined, what: string): bigint {
  const hex = integerHexOf(node, what);
  let value = BigInt(`0x${hex}`);
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) value -= 1n << BigInt(hex.length * 4);
  return value;
}

/** A small non-negative INTEGER (versions, path lengths, salt lengths). */
export function smallIntegerOf(node: Asn1 | undefined, what: string): number {
  const value = integerOf(node, what);
  if (value < 0n || value > 0xffff_ffffn) throw new Asn1FormatError(`${what}: out of range`);
  return Number(value);
}

/** A BOOLEAN (DER: 0x00 or 0xFF; any non-zero octet read as true). */
export function booleanOf(node: Asn1 | undefined, what: string): boolean {
  if (!isUniversal(node, Universal.boolean)) throw new Asn1FormatError(`${what}: expected BOOLEAN`);
  const content = bytesOf(node, what);
  if (content.length !== 1) throw new Asn1FormatError(`${what}: malformed BOOLEAN`);
  return content[0] !== 0;
}

const utcTimePattern = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/;
const generalizedTimePattern =
  /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d{1,9}))?(Z|[+-]\d{4})?$/;

/**
 * A UTCTime or GeneralizedTime as a Date. UTCTime years follow RFC 5280 (50–99 → 19xx); a
 * GeneralizedTime without zone is read as UTC, the only reading that gives one instant.
 */
export function timeOf(node: Asn1 | undefined, what: string): Date {
  if (isUniversal(node, Universal.utcTime)) {
    const text = bytesOf(node, what).toString('latin1');
    const m = utcTimePattern.exec(text);
    if (!m) throw new Asn1FormatError(`${what}: malformed UTCTime ${JSON.stringify(text)}`);
    const yy = Number(m[1]);
    return toDate(what, yy >= 50 ? 1900 + yy : 2000 + yy, m.slice(2, 7), undefined, m[7]);
  }
  if (isUniversal(node, Universal.generalizedTime)) {
    const text = bytesOf(node, what).toString('latin1');
    const m = generalizedTimePattern.exec(text);
    if (!m) throw new Asn1FormatError(`${what}: malformed GeneralizedTime ${JSON.stringify(text)}`);
    return toDate(what, Number(m[1]), m.slice(2, 7), m[7], m[8]);
  }
  throw new Asn1FormatError(`${what}: expected UTCTime or GeneralizedTime`);
}

function toDate(
  what: string,
  year: number,
  parts: (string | undefined)[],
  fraction: string | undefined,
  zone: string | undefined,
): Date {
  const [month = '', day = '', hour = '', minute = '00', second = '00'] = parts.map(
    (p) => p ?? '00',
  );
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  let time = Date.UTC(
    year,
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
    ms,
  );
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offset = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
    time -= sign * offset;
  }
  const date = new Date(time);
  const check = new Date(Date.UTC(year, Number(month) - 1, Number(day)));
  if (
    Number.isNaN(time) ||
    check.getUTCMonth() !== Number(month) - 1 ||
    check.getUTCDate() !== Number(day) ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 60
  ) {
    throw new Asn1FormatError(`${what}: impossible date`);
  }
  return date;
}

/** AlgorithmIdentifier: the OID and, when present, the DER of its parameters. */
export interface AlgorithmIdentifier {
  readonly oid: string;
  readonly parameters?: Asn1;
}

export function algorithmOf(node: Asn1 | undefined, what: string): AlgorithmIdentifier {
  const [oidNode, parameters, ...rest] = sequenceOf(node, what);
  if (rest.length > 0) throw new Asn1FormatError(`${what}: too many elements`);
  const oid = oidOf(oidNode, `${what} algorithm`);
  return parameters === undefined ? { oid } : { oid, parameters };
}

/** Names of the OIDs this layer meets, for reasons a person reads. */
export const oidNames: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.12': 'shake256',
  '2.16.840.1.101.3.4.2.18': 'shake256-len',
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.113549.1.1.8': 'MGF1',
  '1.2.840.10045.2.1': 'ecPublicKey',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.2.840.113549.1.7.1': 'data',
  '1.2.840.113549.1.7.2': 'signedData',
  '1.2.840.113549.1.9.16.1.4': 'tstInfo',
  '1.2.840.113549.1.9.3': 'contentType',
  '1.2.840.113549.1.9.4': 'messageDigest',
  '1.2.840.113549.1.9.5': 'signingTime',
  '1.2.840.113549.1.9.16.2.12': 'signingCertificate',
  '1.2.840.113549.1.9.16.2.47': 'signingCertificateV2',
  '1.2.840.113549.1.9.16.2.14': 'signatureTimeStampToken',
  '1.2.840.113583.1.1.8': 'adbe-revocationInfoArchival',
};

/** A readable name for an OID, falling back to the dotted form. */
export function oidName(oid: string): string {
  return oidNames[oid] ?? oid;
}

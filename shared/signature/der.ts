/**
 * Minimal DER writer and reader over Buffers. The signing side splices already-encoded structures
 * (certificates, issuer names, timestamp tokens) byte for byte; a round trip through a generic
 * ASN.1 object model could re-encode them and break the signatures they carry.
 */

/** Universal tags used by the signing side. */
export const Tag = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  printableString: 0x13,
  ia5String: 0x16,
  generalizedTime: 0x18,
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV from a single-byte tag and its encoded content. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export function sequence(...items: Buffer[]): Buffer {
  return tlv(Tag.sequence, Buffer.concat(items));
}

/** SET OF in DER order: elements sorted by their encodings (X.690 §11.6). */
export function setOf(...items: Buffer[]): Buffer {
  return tlv(Tag.set, Buffer.concat(sortEncodings(items)));
}

/** Sorts encodings as DER orders SET OF elements; exposed for IMPLICIT-tagged sets. */
export function sortEncodings(items: Buffer[]): Buffer[] {
  return [...items].sort(Buffer.compare);
}

/** A context-specific constructed tag `[n]` around already-encoded content (EXPLICIT, or IMPLICIT of a constructed type). */
export function contextConstructed(n: number, content: Buffer): Buffer {
  return tlv(0xa0 | n, content);
}

/** Two's-complement minimal INTEGER from a non-negative value or its unsigned big-endian bytes. */
export function integer(value: number | bigint | Buffer): Buffer {
  let bytes: Buffer;
  if (Buffer.isBuffer(value)) {
    bytes = value;
  } else {
    let hex = BigInt(value).toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    bytes = Buffer.from(hex, 'hex');
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(Tag.integer, bytes);
}

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const group: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) group.unshift(Number(n & 0x7fn) | 0x80);
    out.push(...group);
  }
  return tlv(Tag.oid, Buffer.from(out));
}

export function octetString(content: Buffer): Buffer {
  return tlv(Tag.octetString, content);
}

/** BIT STRING with no unused bits (signatures, public keys). */
export function bitString(content: Buffer): Buffer {
  return tlv(Tag.bitString, Buffer.concat([Buffer.from([0]), content]));
}

export function derNull(): Buffer {
  return Buffer.from([Tag.null, 0]);
}

export function boolean(value: boolean): Buffer {
  return Buffer.from([Tag.boolean, 1, value ? 0xff : 0]);
}

export function utf8String(value: string): Buffer {
  return tlv(Tag.utf8String, Buffer.from(value, 'utf8'));
}

/** A decoded TLV: `raw` is the whole element, `content` its value bytes (both views, not copies). */
export interface DerNode {
  readonly tag: number;
  readonly raw: Buffer;
  readonly content: Buffer;
}

/** Reads one definite-length TLV at `offset`; throws RangeError on truncated or indefinite input. */
export function readDer(buf: Buffer, offset = 0): DerNode {
  const tag = buf[offset];
  const first = buf[offset + 1];
  if (tag === undefined || first === undefined) throw new RangeError('DER: truncated header');
  if ((tag & 0x1f) === 0x1f) throw new RangeError('DER: multi-byte tags are not supported');
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new RangeError('DER: unsupported length form');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = buf[offset + 2 + i];
      if (b === undefined) throw new RangeError('DER: truncated length');
      length = length * 256 + b;
    }
    header += count;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new RangeError('DER: content runs past the end');
  return {
    tag,
    raw: buf.subarray(offset, end),
    content: buf.subarray(offset + header, end),
  };
}

/** The elements inside a constructed node. */
export function childrenOf(node: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const child = readDer(node.content, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

/** The `index`-th element of a constructed node, checked for presence and (optionally) tag. */
export function childAt(node: DerNode, index: number, tag?: number): DerNode {
  const child = childrenOf(node)[index];
  if (child === undefined) throw new RangeError(`DER: element ${index} missing`);
  if (tag !== undefined && child.tag !== tag) {
    throw new RangeError(
      `DER: element ${index} has tag 0x${child.tag.toString(16)}, expected 0x${tag.toString(16)}`,
    );
  }
  return child;
}

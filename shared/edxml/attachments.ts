import { createHash } from 'node:crypto';
import { EdxmlFormatError, EdxmlIntegrityError, EdxmlLimitError } from './errors.ts';

/** Bounds that keep a hostile package from exhausting memory. */
export interface EdxmlLimits {
  /** Attachments per package (manifest entries and encoded attachments alike). */
  readonly maxAttachments: number;
  /** Decoded bytes of all attachments together. */
  readonly maxTotalAttachmentBytes: number;
  /**
   * Raw edXML bytes accepted before parsing starts.
   * @default base64 of maxTotalAttachmentBytes, plus 3 % for line breaks, plus 1 MiB of header
   */
  readonly maxInputBytes?: number;
}

/** Same ceiling as uploads (`DEFAULT_MAX_UPLOAD_BYTES`), so any accepted upload can be sent. */
export const DEFAULT_EDXML_LIMITS: EdxmlLimits = {
  maxAttachments: 50,
  maxTotalAttachmentBytes: 50 * 1024 * 1024,
};

export function maxInputBytesOf(limits: EdxmlLimits): number {
  return (
    limits.maxInputBytes ??
    Math.ceil(((limits.maxTotalAttachmentBytes * 4) / 3) * 1.03) + 1024 * 1024
  );
}

/** Lower-case SHA-256 hex of the exact bytes: attachment digests and the axis's `hash-file`. */
export const sha256Hex = (data: Uint8Array): string =>
  createHash('sha256').update(data).digest('hex');

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes a base64 text decodes to, without decoding it. */
function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return (base64.length / 4) * 3 - padding;
}

/**
 * Tracks decoded bytes across a package and decodes one attachment at a time, refusing before
 * decoding anything that would exceed the limit.
 */
export class AttachmentBudget {
  readonly #limits: EdxmlLimits;
  #used = 0;

  constructor(limits: EdxmlLimits) {
    this.#limits = limits;
  }

  checkCount(count: number, path: string): void {
    if (count > this.#limits.maxAttachments) {
      throw new EdxmlLimitError(
        `${count} attachments exceed the limit of ${this.#limits.maxAttachments}`,
        path,
      );
    }
  }

  /** Account for `size` more bytes, or throw if the package would go over its limit. */
  spend(size: number, path: string): void {
    this.#used += size;
    if (this.#used > this.#limits.maxTotalAttachmentBytes) {
      throw new EdxmlLimitError(
        `attachments exceed the limit of ${this.#limits.maxTotalAttachmentBytes} decoded bytes`,
        path,
      );
    }
  }

  /** Strict base64 (whitespace allowed between groups), decoded only within the budget. */
  decode(encoded: string, path: string): Buffer {
    const compact = encoded.replace(/[ \t\n\r]+/g, '');
    if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
      throw new EdxmlFormatError('attachment content is not base64', path);
    }
    this.spend(decodedLength(compact), path);
    return Buffer.from(compact, 'base64');
  }
}

/** Compare an attachment with its manifest entry; throws EdxmlIntegrityError on any mismatch. */
export function verifyDigest(
  content: Uint8Array,
  expected: { sha256: string | undefined; size: number | undefined },
  path: string,
): string {
  const actual = sha256Hex(content);
  if (expected.size !== undefined && expected.size !== content.byteLength) {
    throw new EdxmlIntegrityError(
      `attachment has ${content.byteLength} bytes, the manifest says ${expected.size}`,
      path,
    );
  }
  if (expected.sha256 !== undefined && expected.sha256 !== actual) {
    throw new EdxmlIntegrityError('attachment SHA-256 does not match the manifest', path);
  }
  return actual;
}

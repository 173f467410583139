import { sha256Hex } from './attachments.ts';

/**
 * The `hash-file` header of the axis's `sendEdoc` call: SHA-256 hex of the raw edXML bytes exactly
 * as sent. Hash the Buffer the builder returned; a string is hashed as its UTF-8 bytes.
 */
export function hashFileHeader(body: Uint8Array | string): string {
  return sha256Hex(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
}

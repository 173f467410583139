import * as z from 'zod';
import { agencyIdSchema } from '../routing/agency-id.ts';
import { documentTypeCodeSchema } from '../routing/catalogue.ts';
import { SECRECY_LEVELS, sha256HexSchema, signerSchema, URGENCIES } from './metadata.ts';

/**
 * The document-specific part of a record, kept in `NewDocument.attributes`. Readers parse it with
 * this schema instead of casting. Only unclassified documents ever get a record.
 */
export const documentAttributesSchema = z.strictObject({
  typeCode: documentTypeCodeSchema,
  subject: z.string().min(1),
  promulgationDate: z.iso.date(),
  signer: signerSchema,
  urgency: z.enum(URGENCIES),
  secrecy: z.literal(SECRECY_LEVELS[0]),
  recipients: z.array(agencyIdSchema).min(1),
  declaredSha256: sha256HexSchema,
  declaredSize: z.number().int().positive(),
  objectKey: z.string().min(1),
});
export type DocumentAttributes = z.infer<typeof documentAttributesSchema>;

/**
 * Key of the item that reserves a number: one per issuer, year, number and notation, because
 * numbers restart on 1 January and are unique per year per issuer (Decree 30/2020). The DynamoDB
 * repository's claim item uses exactly this key. Numbers are written without leading zeros, so
 * `"01"` and `1` claim the same item.
 */
export function numberClaimKey(
  issuer: string,
  year: number,
  number: number | string,
  notation: string,
): { readonly pk: string; readonly sk: 'NUMBER' } {
  const canonical = typeof number === 'number' ? number : Number(number);
  if (!Number.isSafeInteger(canonical) || canonical <= 0) {
    throw new RangeError(`a document number is a positive integer, not ${String(number)}`);
  }
  return { pk: `NUMBER#${issuer}#${year}#${canonical}/${notation.normalize('NFC')}`, sk: 'NUMBER' };
}

/** Where the agency uploads the leader-signed PDF; the ingest notification filters on `incoming/`. */
export function incomingObjectKey(issuer: string, documentId: string): string {
  return `incoming/${issuer}/${documentId}.pdf`;
}

import * as z from 'zod';
import { agencyIdSchema } from '../routing/agency-id.ts';
import { XML_CHARS } from './xml.ts';

/** Any text XML 1.0 can carry. */
export const textSchema = z.string().regex(XML_CHARS, 'contains characters XML cannot carry');
export const requiredTextSchema = textSchema.refine((s) => s.trim() !== '', 'must not be empty');

/**
 * A group element: an object of child elements. `<edXML:OtherInfo/>` reaches zod as the empty
 * string (a leaf with no text), which stands for a group with no children.
 */
export const group = <S extends z.core.$ZodLooseShape>(shape: S) =>
  z.preprocess((v) => (v === '' ? {} : v), z.strictObject(shape));

const isCalendarDate = (y: number, m: number, d: number): boolean => {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};

/** `yyyy/MM/dd`, a real calendar date (PromulgationDate, DueDate). */
export const edxmlDateSchema = z
  .string()
  .regex(/^\d{4}\/\d{2}\/\d{2}$/, 'must be a date yyyy/MM/dd')
  .refine((s) => {
    const [y, m, d] = s.split('/').map(Number);
    return isCalendarDate(y ?? 0, m ?? 0, d ?? 0);
  }, 'not a calendar date');

/** `yyyy/MM/dd HH:mm:ss`, Vietnam local time (TraceHeader and Status timestamps). */
export const edxmlTimestampSchema = z
  .string()
  .regex(/^\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}$/, 'must be a timestamp yyyy/MM/dd HH:mm:ss')
  .refine((s) => {
    const [y, m, d, hh, mm, ss] = s.split(/[/ :]/).map(Number);
    return (
      isCalendarDate(y ?? 0, m ?? 0, d ?? 0) &&
      (hh ?? 99) < 24 &&
      (mm ?? 99) < 60 &&
      (ss ?? 99) < 60
    );
  }, 'not a valid time');

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const pad = (n: number) => String(n).padStart(2, '0');

/** An instant as an edXML date in Vietnam time (UTC+07:00, no daylight saving). */
export function formatEdxmlDate(instant: Date): string {
  const t = new Date(instant.getTime() + VIETNAM_OFFSET_MS);
  return `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}`;
}

/** An instant as an edXML timestamp in Vietnam time; the format carries no offset. */
export function formatEdxmlTimestamp(instant: Date): string {
  const t = new Date(instant.getTime() + VIETNAM_OFFSET_MS);
  const time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  return `${formatEdxmlDate(instant)} ${time}`;
}

/** Agency identifier: the repo's one rule (`000.00.00.H48`, up to 35 characters since 2022). */
export const organIdSchema = agencyIdSchema;

/** `OrganId,yyyy/MM/dd,Number/Notation`, as domain.md gives it for MessageHeader/DocumentId. */
export const documentIdSchema = z.string().refine((s) => {
  const [organ, date, code, ...rest] = s.split(',');
  return (
    rest.length === 0 &&
    organIdSchema.safeParse(organ).success &&
    edxmlDateSchema.safeParse(date).success &&
    /^[^/]+\/.+$/.test(code ?? '')
  );
}, 'must be OrganId,yyyy/MM/dd,Number/Notation');

/** The DocumentId of a document from its issuer, promulgation date, number and notation. */
export function formatDocumentId(parts: {
  organId: string;
  promulgationDate: string;
  codeNumber: string;
  codeNotation: string;
}): string {
  return `${parts.organId},${parts.promulgationDate},${parts.codeNumber}/${parts.codeNotation}`;
}

/**
 * From/To of a message. Child order follows the public SDK samples (OrganizationInCharge before
 * OrganName); domain.md lists the same children in another order and the parser accepts any.
 */
export const organizationSchema = group({
  OrganId: organIdSchema,
  OrganizationInCharge: textSchema.optional(),
  OrganName: requiredTextSchema,
  OrganAdd: textSchema.optional(),
  Email: textSchema.optional(),
  Telephone: textSchema.optional(),
  Fax: textSchema.optional(),
  Website: textSchema.optional(),
});
export type EdxmlOrganization = z.output<typeof organizationSchema>;

/** The document a message or status answers: Code is `Number/Notation` as one string. */
export const responseForSchema = group({
  OrganId: organIdSchema,
  Code: requiredTextSchema,
  PromulgationDate: edxmlDateSchema,
  DocumentId: documentIdSchema,
});
export type EdxmlResponseFor = z.output<typeof responseForSchema>;

/** Staff who acted (Status/StaffInfo and TraceHeaderList/Bussiness/StaffInfo in the SDK). */
export const staffInfoSchema = group({
  Department: textSchema.optional(),
  Staff: textSchema.optional(),
  Mobile: textSchema.optional(),
  Email: textSchema.optional(),
});
export type EdxmlStaffInfo = z.output<typeof staffInfoSchema>;

/** Lower-case SHA-256 hex. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be lower-case SHA-256 hex');

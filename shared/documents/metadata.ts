import * as z from 'zod';
import { agencyIdSchema } from '../routing/agency-id.ts';
import { documentTypeCodeSchema } from '../routing/catalogue.ts';
import { slugName } from '../routing/fold-name.ts';

export const DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/**
 * Urgency (độ khẩn, Decree 30/2020). Wire values are ASCII slugs: `normal`, `khan` (Khẩn),
 * `thuong-khan` (Thượng khẩn), `hoa-toc` (Hỏa tốc). The Vietnamese labels are accepted too, in
 * any case, with or without diacritics, old or new tone placement ("Hoả tốc"), and with `_` or a
 * space for the dash; they are stored as the slug.
 */
export const URGENCIES = ['normal', 'khan', 'thuong-khan', 'hoa-toc'] as const;
export type Urgency = (typeof URGENCIES)[number];

/** edXML OtherInfo/Priority of each urgency (QCVN 102; 4, Hỏa tốc hẹn giờ, is not offered). */
export const URGENCY_PRIORITY: Readonly<Record<Urgency, number>> = {
  normal: 0,
  khan: 1,
  'thuong-khan': 2,
  'hoa-toc': 3,
};

/**
 * Secrecy (độ mật): `none`, `mat` (Mật), `toi-mat` (Tối mật), `tuyet-mat` (Tuyệt mật), accepted
 * in the same forms as urgency. Anything but `none` is refused (Decision 28/2018/QĐ-TTg).
 */
export const SECRECY_LEVELS = ['none', 'mat', 'toi-mat', 'tuyet-mat'] as const;
export type Secrecy = (typeof SECRECY_LEVELS)[number];

const slugEnum = <const T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform(slugName)
    .pipe(z.enum(values, { error: `must be one of ${values.join(', ')}` }));

export const urgencySchema = slugEnum(URGENCIES);
export const secrecySchema = slugEnum(SECRECY_LEVELS);

/**
 * Notation ("ký hiệu") such as `UBND-KGVX` or `QĐ-UBND`: segments of upper-case letters (Đ
 * included) and digits, joined by `-` or `/`. A segment may end in lower-case letters only for
 * the Decree 30 abbreviations written that way (TTr Tờ trình, CTr Chương trình).
 */
export const NOTATION_PATTERN = /^[A-ZĐ0-9]+[a-z]*(?:[-/][A-ZĐ0-9]+[a-z]*)*$/;

export const notationSchema = z
  .string()
  .transform((s) => s.normalize('NFC'))
  .pipe(
    z
      .string()
      .max(60)
      .regex(NOTATION_PATTERN, 'upper-case letters, digits, "-" and "/", such as UBND-KGVX'),
  );

/** Lower-case hex; upper-case hex is accepted and lowered, as `inspectUpload` compares it. */
export const sha256HexSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be a SHA-256 digest in 64 hexadecimal digits')
  .transform((s) => s.toLowerCase());

const nameSchema = z
  .string()
  .transform((s) => s.normalize('NFC').trim())
  .pipe(z.string().min(1).max(200));

export const signerSchema = z.strictObject({ name: nameSchema, position: nameSchema });

/**
 * Body of POST /documents. Strict: the issuer comes from the caller's identity, so a body that
 * names one (or any other unknown key) is refused. Build with the deployment's upload limit.
 */
export function makeDocumentMetadataSchema(maxBytes: number = DEFAULT_MAX_UPLOAD_BYTES) {
  return z.strictObject({
    number: z.number().int().positive().max(999_999),
    notation: notationSchema,
    /** Checked against the catalogue by `planUpload`. */
    typeCode: documentTypeCodeSchema,
    subject: z
      .string()
      .transform((s) => s.normalize('NFC').trim())
      .pipe(z.string().min(1).max(1000)),
    promulgationDate: z.iso.date(),
    signer: signerSchema,
    urgency: urgencySchema,
    secrecy: secrecySchema,
    recipients: z
      .array(agencyIdSchema)
      .min(1)
      .max(500)
      .superRefine((recipients, ctx) => {
        recipients.forEach((code, i) => {
          if (recipients.indexOf(code) !== i) {
            ctx.addIssue({ code: 'custom', path: [i], message: `${code} is listed twice` });
          }
        });
      }),
    sha256: sha256HexSchema,
    size: z
      .number()
      .int()
      .positive()
      .max(maxBytes, { error: `must be at most ${maxBytes} bytes` }),
  });
}

export const documentMetadataSchema = makeDocumentMetadataSchema();
export type DocumentMetadata = z.output<typeof documentMetadataSchema>;
export type DocumentMetadataInput = z.input<typeof documentMetadataSchema>;

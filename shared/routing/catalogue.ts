import * as z from 'zod';

/**
 * Issuance form of a document type (1808/UBND-KGVX item 1): issued as an e-document only, or as
 * an e-document with a paper original still posted.
 */
export const ISSUANCE_FORMS = ['electronic-only', 'electronic-and-paper'] as const;
export type IssuanceForm = (typeof ISSUANCE_FORMS)[number];

export const documentTypeCodeSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case letters, digits and dashes');

export const documentTypeSchema = z.strictObject({
  code: documentTypeCodeSchema,
  name: z.string().trim().min(1),
  /**
   * Abbreviation that opens the notation (QĐ in `QĐ-UBND`, Decree 30/2020); null for công văn,
   * whose notation carries no type abbreviation.
   */
  abbreviation: z
    .string()
    .regex(/^[A-ZĐ][A-ZĐa-z]*$/)
    .nullable(),
  issuanceForm: z.enum(ISSUANCE_FORMS),
  /** Archive retention; becomes the Object Lock retention of the archived files. */
  retentionYears: z.number().int().min(1).max(100),
});
export type DocumentType = z.infer<typeof documentTypeSchema>;

export const documentTypeCatalogueSchema = z.array(documentTypeSchema).superRefine((types, ctx) => {
  const seen = new Set<string>();
  types.forEach((type, i) => {
    if (seen.has(type.code)) {
      ctx.addIssue({
        code: 'custom',
        path: [i, 'code'],
        message: `type ${type.code} is listed twice`,
      });
    }
    seen.add(type.code);
  });
});

export interface DocumentTypeCatalogue {
  readonly types: readonly DocumentType[];
  find(code: string): DocumentType | undefined;
}

/** Validates catalogue entries (seed data or table items) and indexes them by code. */
export function loadDocumentTypeCatalogue(entries: unknown): DocumentTypeCatalogue {
  const types = documentTypeCatalogueSchema.parse(entries);
  const byCode = new Map(types.map((t) => [t.code, t]));
  return { types, find: (code) => byCode.get(code) };
}

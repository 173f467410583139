import type { z } from 'zod';
import type { DocumentTypeCatalogue } from '../routing/catalogue.ts';
import type { AgencyDirectory } from '../routing/directory.ts';
import type { agencyListSchema, documentTypeListSchema } from './api-schemas.ts';
import type { Caller } from './caller.ts';

/**
 * `GET /agencies`: whom a document can be addressed to. Key and certificate references stay in
 * the directory; focal-point contacts (names, e-mails, telephones of clerks) go to administrators
 * only.
 */
export function listAgencies(
  deps: { readonly directory: AgencyDirectory },
  caller: Caller,
): z.infer<typeof agencyListSchema> {
  return {
    items: deps.directory.agencies.map((a) => ({
      code: a.code,
      codeStatus: a.codeStatus,
      name: a.name,
      kind: a.kind,
      channel: a.channel,
      enrolment: [...a.enrolment],
      issues: a.organizationSigning !== undefined,
      ...(caller.role === 'admin' ? { focalPoint: { ...a.focalPoint } } : {}),
    })),
  };
}

/** `GET /document-types`: the catalogue the issuance form and routing work from. */
export function listDocumentTypes(deps: {
  readonly catalogue: DocumentTypeCatalogue;
}): z.infer<typeof documentTypeListSchema> {
  return { items: deps.catalogue.types.map((t) => ({ ...t })) };
}

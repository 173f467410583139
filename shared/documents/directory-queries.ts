import type { z } from 'zod';
import type { Agency } from '../routing/directory.ts';
import type { agencyListSchema, agencyViewSchema, documentTypeListSchema } from './api-schemas.ts';
import type { Caller } from './caller.ts';
import type { ReferenceSnapshot } from './reference-data.ts';

/** An agency as administrators see it: every field but the key material itself, and its version. */
export function adminAgencyView(agency: Agency, version: number): z.infer<typeof agencyViewSchema> {
  return {
    ...publicAgencyView(agency),
    focalPoint: { ...agency.focalPoint },
    signerOrganizations: [...agency.signerOrganizations],
    ...(agency.organizationSigning === undefined
      ? {}
      : {
          organizationSigning: {
            key: { ...agency.organizationSigning.key },
            certificateChain: { ...agency.organizationSigning.certificateChain },
          },
        }),
    version,
  };
}

function publicAgencyView(agency: Agency): z.infer<typeof agencyViewSchema> {
  return {
    code: agency.code,
    codeStatus: agency.codeStatus,
    name: agency.name,
    kind: agency.kind,
    channel: agency.channel,
    enrolment: [...agency.enrolment],
    issues: agency.organizationSigning !== undefined,
  };
}

/**
 * `GET /agencies`: whom a document can be addressed to. Key and certificate references,
 * signer organization names and focal-point contacts (names, e-mails, telephones of clerks) go
 * to administrators only, with the version their edits must send back.
 */
export function listAgencies(
  deps: { readonly reference: Pick<ReferenceSnapshot, 'directory' | 'versions'> },
  caller: Caller,
): z.infer<typeof agencyListSchema> {
  const { directory, versions } = deps.reference;
  return {
    items: directory.agencies.map((a) =>
      caller.role === 'admin'
        ? adminAgencyView(a, versions.agencies.get(a.code) ?? 0)
        : publicAgencyView(a),
    ),
  };
}

/** `GET /document-types`: the catalogue the issuance form and routing work from. */
export function listDocumentTypes(
  deps: { readonly reference: Pick<ReferenceSnapshot, 'catalogue' | 'versions'> },
  caller: Caller,
): z.infer<typeof documentTypeListSchema> {
  const { catalogue, versions } = deps.reference;
  return {
    items: catalogue.types.map((t) => ({
      ...t,
      ...(caller.role === 'admin' ? { version: versions.documentTypes.get(t.code) ?? 0 } : {}),
    })),
  };
}

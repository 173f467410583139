import type { Agency } from './directory.ts';
import { foldName } from './fold-name.ts';

/**
 * How strictly the leader's certificate must name the issuing agency: `organization-name`
 * requires one of its organization fields (O, OU) to equal the agency's name or one of its
 * registered signer organizations; `none` leaves the binding to the trust chain alone.
 */
export type SignerBinding = 'organization-name' | 'none';

/**
 * Whether the leader's certificate belongs to the agency that uploads the document. Names are
 * compared whole after folding (case, diacritics, đ, whitespace), never as substrings: "Sở Thông
 * tin và Truyền thông" must not match the department of another province.
 */
export function signerMatchesAgency(
  certificateOrganizationFields: readonly string[],
  agency: Pick<Agency, 'name' | 'signerOrganizations'>,
  binding: SignerBinding,
): boolean {
  if (binding === 'none') return true;
  const accepted = new Set([agency.name, ...agency.signerOrganizations].map(foldName));
  return certificateOrganizationFields.some((field) => {
    const folded = foldName(field);
    return folded !== '' && accepted.has(folded);
  });
}

import * as z from 'zod';

/** Longest agency identifier the 2022 amendment of QCVN 102 allows (the OrganId field's length). */
export const AGENCY_ID_MAX_LENGTH = 35;

/**
 * Agency identifier of QCVN 102:2016/BTTTT ("mã định danh"): dot-separated groups of digits and
 * capital letters, at most 35 characters since the 2022 amendment. Every identifier in use today
 * has the 13-character form `000.00.00.H48` (three numeric levels and a letter-plus-two-digit
 * root: H for provinces, G for ministries), but a peer on the axis may send a longer one, which
 * must not make its package or status unreadable. One rule for the directory, the API, edXML
 * and the rollout schedule, so a code valid in one place is valid in all.
 */
export const AGENCY_ID_PATTERN = /^[0-9A-Z]+(?:\.[0-9A-Z]+)+$/;

export const agencyIdSchema = z
  .string()
  .max(AGENCY_ID_MAX_LENGTH, `must be at most ${AGENCY_ID_MAX_LENGTH} characters`)
  .regex(AGENCY_ID_PATTERN, 'must be a QCVN 102 agency identifier such as 000.00.00.H48');

export type AgencyId = z.infer<typeof agencyIdSchema>;

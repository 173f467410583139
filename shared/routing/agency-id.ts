import * as z from 'zod';

/**
 * Agency identifier of QCVN 102:2016/BTTTT ("mã định danh"), in the 13-character form
 * `000.00.00.H48`: three dot-separated numeric levels and a letter-plus-two-digit root (H for
 * provinces, G for ministries). The 2022 amendment allows identifiers of up to 35 characters, but
 * domain.md gives no structure for them, so they are refused until one is specified.
 */
export const AGENCY_ID_PATTERN = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

export const agencyIdSchema = z
  .string()
  .regex(AGENCY_ID_PATTERN, 'must be a QCVN 102 agency identifier such as 000.00.00.H48');

export type AgencyId = z.infer<typeof agencyIdSchema>;

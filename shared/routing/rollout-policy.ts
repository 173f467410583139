import * as z from 'zod';
import { agencyIdSchema } from './agency-id.ts';
import { documentTypeCodeSchema } from './catalogue.ts';
import { CHANNELS, phaseIdSchema } from './directory.ts';

/**
 * What routing reads of the current rollout phase: which channels carry documents, which agencies
 * of the province take part, and which types go out without paper. `'all'` opens the phase to
 * every agency; `'catalogue'` defers to the catalogue's issuance forms.
 */
export const rolloutPolicySchema = z.strictObject({
  phaseId: phaseIdSchema,
  channelsOpen: z.array(z.enum(CHANNELS)),
  enrolledAgencies: z.union([z.array(agencyIdSchema), z.literal('all')]),
  electronicOnlyTypes: z.union([z.array(documentTypeCodeSchema), z.literal('catalogue')]),
});
export type RolloutPolicy = z.infer<typeof rolloutPolicySchema>;

export const isEnrolled = (policy: RolloutPolicy, code: string): boolean =>
  policy.enrolledAgencies === 'all' || policy.enrolledAgencies.includes(code);

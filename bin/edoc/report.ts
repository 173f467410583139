import { approvalListSchema } from '#shared/documents/api-schemas.ts';
import { phaseIdSchema } from '#shared/routing/directory.ts';
import { apiClientFrom, apiOptionSpec } from './api-client.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/**
 * `edoc report <phaseId>` (administrators): the rollout phase report waiting for a decision, as
 * `GET /admin/approvals` lists it: window, deadline, recipients and the report objects' keys.
 * Exit 1 when no report of that phase waits.
 */
export async function reportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...apiOptionSpec,
    json: { type: 'boolean' },
  });
  const [phaseId, ...extra] = positionals;
  if (phaseId === undefined) throw new UsageError('the phase id is required');
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (!phaseIdSchema.safeParse(phaseId).success) {
    throw new UsageError(`not a phase id (lower-case letters, digits and dashes): ${phaseId}`);
  }
  const list = await apiClientFrom(values).request('GET', '/admin/approvals', {
    schema: approvalListSchema,
  });
  const pending = list.items.find((a) => a.phaseId === phaseId);
  if (pending === undefined) {
    console.error(`edoc report: no report of phase ${phaseId} waits for a decision`);
    return 1;
  }
  if (values.json) {
    console.log(JSON.stringify(pending, null, 2));
    return 0;
  }
  console.log(
    [
      `${pending.phaseId}: ${pending.title} (schedule ${pending.scheduleId}, attempt ${pending.attempt})`,
      `  window     ${pending.window.from} – ${pending.window.to}`,
      `  decide by  ${pending.window.deadline}`,
      `  requested  ${pending.requestedAt}`,
      `  recipients ${pending.recipients.join(', ')}`,
      `  report     ${pending.reportKeys.html} (also ${pending.reportKeys.json}, ${pending.reportKeys.csv})`,
    ].join('\n'),
  );
  return 0;
}

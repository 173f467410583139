import { deliveryPageSchema, MAX_PAGE_SIZE } from '#shared/documents/api-schemas.ts';
import { apiClientFrom, apiOptionSpec } from './api-client.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/** `edoc inbox`: deliveries to the caller's agency, newest first, one page at a time. */
export async function inboxCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...apiOptionSpec,
    limit: { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const query = new URLSearchParams();
  if (values.limit !== undefined) {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new UsageError(`--limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    query.set('limit', String(limit));
  }
  if (values.cursor !== undefined) query.set('cursor', values.cursor);
  const path = query.size > 0 ? `/inbox?${query}` : '/inbox';
  const page = await apiClientFrom(values).request('GET', path, { schema: deliveryPageSchema });
  if (values.json) {
    console.log(JSON.stringify(page, null, 2));
    return 0;
  }
  if (page.items.length === 0) console.log('no deliveries');
  for (const d of page.items) {
    console.log(
      `${d.documentId}  ${d.state.padEnd(13)} ${d.deliveredAt}  ${d.channel}${d.reason ? `  ${d.reason}` : ''}`,
    );
  }
  if (page.cursor !== undefined) console.log(`more: edoc inbox --cursor ${page.cursor}`);
  return 0;
}

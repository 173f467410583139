import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { ApiError, apiClientFrom, apiOptionSpec } from './api-client.ts';
import { singleId } from './status.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/**
 * `edoc download <id> --out <file>`: the countersigned PDF, through the API's redirect to a
 * short-lived pre-signed link (fetched without the token, which the storage would refuse).
 */
export async function downloadCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    ...apiOptionSpec,
    out: { type: 'string' },
  });
  const id = singleId(positionals);
  if (values.out === undefined) throw new UsageError('--out <file> is required');
  const client = apiClientFrom(values);
  const link = await client.redirect(`/documents/${encodeURIComponent(id)}/file`);
  const response = await fetch(link, { signal: AbortSignal.timeout(300_000) });
  if (!response.ok) {
    throw new ApiError(response.status, 'DOWNLOAD_FAILED', 'the storage refused the link');
  }
  const pdf = Buffer.from(await response.arrayBuffer());
  await writeFile(values.out, pdf);
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  console.log(`${values.out}: ${pdf.length} bytes, sha256 ${sha256}`);
  return 0;
}

import { loadDirectory } from '#functions/lib/reference.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/**
 * `edoc agencies`: the agency directory the handlers route by: the seed, or the file named by
 * `DIRECTORY_FILE` (the local stack's is `.edoc-local/directory.json`). Read locally, since the
 * API has no directory route yet.
 */
export async function agenciesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const directory = await loadDirectory();
  if (values.json) {
    console.log(JSON.stringify(directory.agencies, null, 2));
    return 0;
  }
  for (const a of directory.agencies) {
    const issues = a.organizationSigning === undefined ? '' : '  issues';
    console.log(
      `${a.code}  ${a.name}  (${a.kind}, ${a.channel}; ${a.enrolment.join(', ') || 'not enrolled'})${issues}`,
    );
  }
  return 0;
}

import { fileURLToPath } from 'node:url';
import { agencyIdSchema } from '#shared/routing/agency-id.ts';
import { loadDevAuth, signDevToken } from '../../scripts/local/dev-token.ts';
import { parseCommandArgs, UsageError } from './usage.ts';

/** Where `npm start` keeps its state, and so the secret its API checks tokens against. */
const LOCAL_STATE_DIR = fileURLToPath(new URL('../../.edoc-local/', import.meta.url));

/** The agency an administrator token names when none is given: the Provincial Office. */
const ADMIN_AGENCY = '000.00.01.H48';

/**
 * `edoc dev-token`: a token for the local stack only, signed with its `jwt-secret` (made if the
 * stack has never started, which then uses it). Deployed APIs take Cognito tokens instead.
 */
export async function devTokenCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {
    agency: { type: 'string' },
    admin: { type: 'boolean' },
    hours: { type: 'string', default: '12' },
    'state-dir': { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (values.agency === undefined && !values.admin) {
    throw new UsageError('give --agency <code>, or --admin');
  }
  const agency = values.agency ?? ADMIN_AGENCY;
  if (!agencyIdSchema.safeParse(agency).success) {
    throw new UsageError(`--agency is not an agency code such as 000.00.08.H48: ${agency}`);
  }
  const hours = Number(values.hours);
  if (!(hours > 0 && hours <= 24 * 30)) {
    throw new UsageError('--hours must be a number of hours up to 720');
  }
  const auth = await loadDevAuth(values['state-dir'] ?? LOCAL_STATE_DIR);
  console.log(
    signDevToken(auth, {
      agency,
      role: values.admin ? 'admin' : 'agency',
      ttlSeconds: Math.round(hours * 3600),
    }),
  );
  return 0;
}

import { join } from 'node:path';
import { buildConsole, startConsoleServer } from '../../scripts/local/console-server.ts';
import type { DevAuth } from '../../scripts/local/dev-token.ts';
import type { LocalReference } from '../../scripts/local/local-reference.ts';
import type { LocalRolloutOptions } from '../../scripts/local/local-stack.ts';
import { startTempStack } from '../../scripts/local/temp-stack.ts';

/** The local stack on free ports with the console in front of it, as `npm start` serves them. */
export interface ConsoleStack {
  /** The console's origin, e.g. `http://127.0.0.1:41234`. */
  readonly consoleUrl: string;
  /** The local API itself, for checks that bypass the browser. */
  readonly api: string;
  /** The S3 stand-in pre-signed URLs point at. */
  readonly storage: string;
  readonly auth: DevAuth;
  readonly reference: LocalReference;
  stop(): Promise<void>;
}

/**
 * Builds the console into a temporary folder (never the developer's `web/dist/`, which a running
 * `npm start` may be serving), then starts the stack and the console server on free ports, with
 * all state in that folder, removed by `stop`.
 */
export async function startConsoleStack(
  options: {
    /** The rollout state machine, for the administrator's approvals; none when omitted. */
    readonly rollout?: LocalRolloutOptions;
    readonly onError?: (error: unknown) => void;
  } = {},
): Promise<ConsoleStack> {
  const temp = await startTempStack({
    prefix: 'edoc-console-e2e-',
    prepare: (stateDir) => buildConsole(join(stateDir, 'console')),
    ...(options.rollout ? { rollout: options.rollout } : {}),
    onError: options.onError ?? ((error: unknown) => console.error('local stack error:', error)),
  });
  try {
    const server = await startConsoleServer({
      port: 0,
      apiUrl: temp.api,
      storageUrl: temp.stack.endpoints.aws,
      auth: temp.auth,
      distDir: join(temp.stateDir, 'console'),
    });
    return {
      consoleUrl: server.url,
      api: temp.api,
      storage: temp.stack.endpoints.aws,
      auth: temp.auth,
      reference: temp.reference,
      async stop() {
        await server.stop();
        await temp.stop();
      },
    };
  } catch (error) {
    await temp.stop();
    throw error;
  }
}

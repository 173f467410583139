import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConsole, startConsoleServer } from '../../scripts/local/console-server.ts';
import { type DevAuth, loadDevAuth } from '../../scripts/local/dev-token.ts';
import { type LocalReference, prepareLocalReference } from '../../scripts/local/local-reference.ts';
import { type LocalRolloutOptions, startLocalStack } from '../../scripts/local/local-stack.ts';

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
  const onError =
    options.onError ?? ((error: unknown) => console.error('local stack error:', error));
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const stateDir = await mkdtemp(join(tmpdir(), 'edoc-console-e2e-'));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
    await rm(stateDir, { recursive: true, force: true });
  };
  try {
    const distDir = join(stateDir, 'console');
    await buildConsole(distDir);
    const reference = await prepareLocalReference(stateDir);
    const auth = await loadDevAuth(stateDir);
    const stack = await startLocalStack({
      stateDir,
      trustDir: reference.trustDir,
      directoryFile: reference.directoryFile,
      ports: { aws: 0, dynamodb: 0 },
      api: { port: 0, auth },
      pollWaitSeconds: 1,
      ...(options.rollout ? { rollout: options.rollout } : {}),
      onError,
    });
    stops.push(() => stack.stop());
    const api = stack.endpoints.api;
    if (api === undefined) throw new Error('the local stack started no API');
    const server = await startConsoleServer({
      port: 0,
      apiUrl: api,
      storageUrl: stack.endpoints.aws,
      auth,
      distDir,
    });
    stops.push(() => server.stop());
    return {
      consoleUrl: server.url,
      api,
      storage: stack.endpoints.aws,
      auth,
      reference,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

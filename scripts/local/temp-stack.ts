import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevAuth, loadDevAuth } from './dev-token.ts';
import { prepareLocalHsm } from './local-hsm.ts';
import { type LocalReference, prepareLocalReference } from './local-reference.ts';
import { type LocalStack, type StartLocalStackOptions, startLocalStack } from './local-stack.ts';

export interface TempStack {
  readonly stack: LocalStack;
  /** The new temporary folder holding keys, trust, directory and tables. */
  readonly stateDir: string;
  readonly reference: LocalReference;
  readonly auth: DevAuth;
  /** The local API's origin. */
  readonly api: string;
  /** Stops the stack and removes its state folder. */
  stop(): Promise<void>;
}

/**
 * A local stack of its own with the API on free ports, its reference data and dev auth made in a
 * new temporary folder (named from `prefix`) that `stop`, or a failed start, removes. Handlers log
 * nothing unless POWERTOOLS_LOG_LEVEL says otherwise; the API's queue polls wait one second.
 */
export async function startTempStack(
  options: Omit<
    StartLocalStackOptions,
    'stateDir' | 'trustDir' | 'directoryFile' | 'ports' | 'api'
  > & {
    readonly prefix: string;
    /** Organization keys in a SoftHSM2 token, signed through PKCS#11 (`npm start -- --hsm`). */
    readonly hsm?: boolean;
    /** Runs in the new folder before anything else, e.g. to build the console into it. */
    readonly prepare?: (stateDir: string) => Promise<void>;
  },
): Promise<TempStack> {
  const { prefix, prepare, hsm: withHsm, ...stackOptions } = options;
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const stateDir = await mkdtemp(join(tmpdir(), prefix));
  const removeState = () => rm(stateDir, { recursive: true, force: true });
  try {
    await prepare?.(stateDir);
    const reference = await prepareLocalReference(stateDir);
    const auth = await loadDevAuth(stateDir);
    const hsm = withHsm ? await prepareLocalHsm(stateDir, reference.directoryFile) : undefined;
    const stack = await startLocalStack({
      pollWaitSeconds: 1,
      ...stackOptions,
      stateDir,
      trustDir: reference.trustDir,
      directoryFile: hsm?.directoryFile ?? reference.directoryFile,
      ...(hsm ? { handlerEnv: { ...stackOptions.handlerEnv, ...hsm.env } } : {}),
      ports: { aws: 0, dynamodb: 0 },
      api: { port: 0, auth },
    });
    const api = stack.endpoints.api;
    if (api === undefined) {
      await stack.stop();
      throw new Error('the local stack started no API');
    }
    return {
      stack,
      stateDir,
      reference,
      auth,
      api,
      async stop() {
        await stack.stop();
        await removeState();
      },
    };
  } catch (error) {
    await removeState();
    throw error;
  }
}

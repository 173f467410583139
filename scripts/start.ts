import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { parseS3Notification } from '#functions/lib/s3-notification.ts';
import { parseSchedule } from '#shared/rollout/schedule.ts';
import {
  ConsolePortInUseError,
  type ConsoleServer,
  DEFAULT_DIST_DIR,
  ensureConsoleBuilt,
  startConsoleServer,
} from './local/console-server.ts';
import { loadDevAuth, signDevToken } from './local/dev-token.ts';
import { type EmulatedService, PortInUseError, StateDirInUseError } from './local/emulators.ts';
import type { BatchResult } from './local/event-source-poller.ts';
import type { LocalAxisOptions } from './local/local-axis.ts';
import { addTrustAnchors, prepareLocalHsm } from './local/local-hsm.ts';
import { prepareLocalReference } from './local/local-reference.ts';
import { startLocalStack } from './local/local-stack.ts';
import type { TaskRecord } from './local/rollout-runner.ts';
import { parseStartArguments } from './local/start-arguments.ts';

const port = z.coerce.number().int().min(0).max(65_535);
const SettingsSchema = z.object({
  EDOC_PORT: port.default(4000),
  EDOC_AWS_PORT: port.default(4566),
  EDOC_DYNAMODB_PORT: port.default(4567),
  EDOC_AXIS_PORT: port.default(4001),
  /** The deployed schedule's rate is one minute by default. */
  EDOC_AXIS_POLL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** How long the stand-in's ministries take to answer 01, and again 03. */
  EDOC_AXIS_ANSWER_SECONDS: z.coerce.number().min(0).max(3600).default(2),
  /** The web console (and its proxies to the API and storage). */
  EDOC_CONSOLE_PORT: port.default(4002),
  /** `off` runs no rollout: the approval routes answer 503, as without a state machine. */
  EDOC_ROLLOUT: z.enum(['on', 'off']).default('on'),
  /** Compressed time: how long each Wait state of the rollout pauses, in milliseconds. */
  EDOC_ROLLOUT_WAIT_MS: z.coerce.number().int().min(0).max(3_600_000).default(2000),
});
/** The schedule `npm start` runs on the local Step Functions. */
const rolloutScheduleFile = fileURLToPath(
  new URL('../shared/rollout/schedules/quang-ngai-2019.json', import.meta.url),
);
const portVariable: Record<EmulatedService, string> = {
  'S3/SQS': 'EDOC_AWS_PORT',
  DynamoDB: 'EDOC_DYNAMODB_PORT',
  API: 'EDOC_PORT',
  axis: 'EDOC_AXIS_PORT',
};

const stateDir = fileURLToPath(new URL('../.edoc-local/', import.meta.url));
const relative = (path: string) => `.edoc-local/${path.slice(stateDir.length)}`;

async function main(): Promise<void> {
  const parsed = SettingsSchema.safeParse(process.env);
  if (!parsed.success) {
    console.error(`edoc-hub: invalid port setting\n${z.prettifyError(parsed.error)}`);
    process.exitCode = 1;
    return;
  }
  const settings = parsed.data;
  const args = parseStartArguments(process.argv.slice(2));
  if (typeof args === 'string') {
    console.error(`edoc-hub: ${args}\n  usage: npm start [-- --hsm] [--trust <root.pem> ...]`);
    process.exitCode = 2;
    return;
  }
  const reference = await prepareLocalReference(stateDir);
  const trusted = await addTrustAnchors(reference.trustDir, args.trust);
  // With --hsm the organization keys sign from a SoftHSM2 token through PKCS#11, as with CloudHSM.
  const hsm = args.hsm ? await prepareLocalHsm(stateDir, reference.directoryFile) : undefined;
  const auth = await loadDevAuth(stateDir);
  const consoleBuilt = await buildConsoleIfStale();

  let stack: Awaited<ReturnType<typeof startLocalStack>>;
  try {
    stack = await startLocalStack({
      stateDir,
      // Drop root CA PEMs in .edoc-local/trust/anchors/ (and intermediates/, crls/) to trust them.
      trustDir: reference.trustDir,
      directoryFile: hsm?.directoryFile ?? reference.directoryFile,
      ...(hsm ? { handlerEnv: hsm.env } : {}),
      ports: { aws: settings.EDOC_AWS_PORT, dynamodb: settings.EDOC_DYNAMODB_PORT },
      api: { port: settings.EDOC_PORT, auth },
      axis: {
        port: settings.EDOC_AXIS_PORT,
        pollSeconds: settings.EDOC_AXIS_POLL_SECONDS,
        answerDelayMs: settings.EDOC_AXIS_ANSWER_SECONDS * 1000,
        onPoll: logPoll,
        onSend: logSend,
      },
      ...(settings.EDOC_ROLLOUT === 'on'
        ? {
            rollout: {
              waitMs: settings.EDOC_ROLLOUT_WAIT_MS,
              schedule: parseSchedule(JSON.parse(await readFile(rolloutScheduleFile, 'utf8'))),
              onTask: logRollout,
            },
          }
        : {}),
      onBatch: logBatch,
      onError: (error) => console.error('edoc-hub: local stack error', error),
    });
  } catch (error) {
    if (error instanceof PortInUseError) {
      const variable = portVariable[error.service];
      console.error(
        `edoc-hub: ${error.message}.\n` +
          `  Another local stack or emulator is probably running. Stop it, or choose another port: ${variable}=<port> npm start`,
      );
      process.exitCode = 1;
      return;
    }
    if (error instanceof StateDirInUseError) {
      console.error(
        `edoc-hub: another local stack (process ${error.pid}) is running on .edoc-local/; stop it first.`,
      );
      process.exitCode = 1;
      return;
    }
    throw error;
  }

  const { endpoints, resources, axis, rollout } = stack;
  const api = endpoints.api ?? `http://127.0.0.1:${settings.EDOC_PORT}`;
  let consoleServer: ConsoleServer | undefined;
  if (consoleBuilt) {
    try {
      consoleServer = await startConsoleServer({
        port: settings.EDOC_CONSOLE_PORT,
        apiUrl: api,
        storageUrl: endpoints.aws,
        auth,
        distDir: DEFAULT_DIST_DIR,
      });
    } catch (error) {
      await stack.stop();
      if (!(error instanceof ConsolePortInUseError)) throw error;
      console.error(
        `edoc-hub: ${error.message}.\n  Stop what uses it, or choose another port: EDOC_CONSOLE_PORT=<port> npm start`,
      );
      process.exitCode = 1;
      return;
    }
  }
  const [example] = reference.leaders;
  const tokens = reference.leaders.map(
    (l) => `  ${l.agency.padEnd(15)} ${signDevToken(auth, { agency: l.agency })}`,
  );
  console.log(
    [
      'edoc-hub local stack is up (state in .edoc-local/, delete it to start afresh)',
      ...(consoleServer === undefined
        ? []
        : [
            `  web console         ${consoleServer.url}/  (dev sign-in: pick an agency, or the admin role)`,
          ]),
      `  API                 ${api}  (POST /documents; bearer JWT, see below)`,
      `  S3 + SQS endpoint   ${endpoints.aws}`,
      `  DynamoDB endpoint   ${endpoints.dynamodb}`,
      `  buckets             ${Object.values(resources.buckets).join(', ')}`,
      `  status table        ${resources.table}`,
      `  ingest queue        ${resources.ingestQueue.url}`,
      `  dead-letter queue   ${resources.ingestDeadLetterQueue.url}`,
      ...(axis === undefined
        ? []
        : [
            `  national axis       ${axis.standIn.url}  (stand-in; ministries answer 01 then 03 after ${settings.EDOC_AXIS_ANSWER_SECONDS} s)`,
            `    its state         GET ${axis.standIn.origin}/_standin; packages and statuses we send in .edoc-local/axis/stand-in/received/`,
            `    a ministry sends  node scripts/local/axis-inbound.ts --to 000.00.02.H48 (polled every ${settings.EDOC_AXIS_POLL_SECONDS} s)`,
            `    axis outbox       ${axis.outboxQueue.url} (DLQ ${axis.deadLetterQueue.name})`,
          ]),
      ...(rollout === undefined
        ? []
        : [
            `  rollout             ${rollout.skipped ?? `quang-ngai-2019 started on local Step Functions, each wait ${settings.EDOC_ROLLOUT_WAIT_MS} ms (EDOC_ROLLOUT_WAIT_MS)`}`,
            `    approvals         GET/POST ${api}/admin/approvals[/{phaseId}] (admin token); SendTaskSuccess at ${rollout.runner.sfnEndpoint}`,
          ]),
      hsm === undefined
        ? `  agency directory    ${relative(reference.directoryFile)} (organization keys: .edoc-local/keys/)`
        : `  agency directory    ${relative(hsm.directoryFile)} (organization keys in the SoftHSM2 token edoc-local, PKCS#11)`,
      ...trusted.map((file) => `  trusted (--trust)   ${relative(file)}`),
      `  trust anchors       ${relative(reference.trustDir)}/anchors/ (the local CA is there)`,
      '',
      'Dev tokens (12 h, role agency; node scripts/local/dev-token.ts --agency <code> [--role admin] for more):',
      ...tokens,
      '',
      ...(example === undefined
        ? []
        : [
            `Sign a test PDF as a leader of ${example.agencyName} (keys for every issuing agency are in .edoc-local/keys/):`,
            `  npx edoc countersign plain.pdf --key ${relative(example.keyFile)} --cert ${relative(example.chainFile)} --out signed.pdf`,
            `Then POST /documents with its sha256 and size, and send the file with the returned form fields (file last):`,
            `  curl -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d @request.json ${api}/documents`,
          ]),
      'Ctrl-C stops.',
    ].join('\n'),
  );

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('edoc-hub: stopping…');
  // A second signal while draining stops at once.
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await consoleServer?.stop();
  await stack.stop();
  console.log('edoc-hub: stopped');
}

/** Builds `web/dist/` when missing or older than its sources; false (API only) if it fails. */
async function buildConsoleIfStale(): Promise<boolean> {
  try {
    if (await ensureConsoleBuilt()) console.log('edoc-hub: built the web console into web/dist/');
    return true;
  } catch (error) {
    console.error('edoc-hub: the web console did not build; serving the API only.', error);
    return false;
  }
}

function logRollout(task: TaskRecord): void {
  const parsed = z.object({ phaseId: z.string() }).safeParse(task.payload);
  const phase = parsed.success ? parsed.data.phaseId : '?';
  if (task.error !== undefined) {
    console.log(`edoc-hub: rollout ${task.state} ${phase} FAILED: ${task.error.name}`);
  } else if (task.entry === 'rollout-apply-policy') {
    console.log(`edoc-hub: rollout phase ${phase} in force`);
  } else if (task.entry === 'rollout-report') {
    console.log(
      `edoc-hub: rollout report of ${phase} written; waiting for an administrator's decision`,
    );
  } else {
    console.log(`edoc-hub: rollout report of ${phase} decided: ${JSON.stringify(task.output)}`);
  }
}

const logPoll: NonNullable<LocalAxisOptions['onPoll']> = ({ result, error }) => {
  if (error !== undefined) {
    const reason = error instanceof Error ? error.message : String(error);
    console.log(`edoc-hub: axis poll FAILED (${reason}); the next run tries again`);
    return;
  }
  if (result === undefined) return;
  for (const r of result.received)
    console.log(`edoc-hub: axis ${r.docId} delivered as ${r.documentId}, answered 01`);
  for (const r of result.refused)
    console.log(`edoc-hub: axis ${r.docId} refused (02): ${r.reason}`);
  for (const s of result.statuses) {
    const o = s.outcome;
    const what = 'code' in o ? `${o.documentId} → ${o.recipient}: ${o.code} (${o.kind})` : o.kind;
    console.log(`edoc-hub: axis status ${s.docId}: ${what}`);
  }
  for (const r of [...result.unanswerable, ...result.failed]) {
    console.log(`edoc-hub: axis ${r.docId} not handled: ${'reason' in r ? r.reason : r.code}`);
  }
};

function logSend(result: BatchResult): void {
  if (result.failed.length === 0) return;
  const reason = result.error instanceof Error ? `: ${result.error.message}` : '';
  console.log(
    `edoc-hub: axis sender FAILED ${result.failed.length} message(s) (retried after the visibility timeout, then the axis DLQ)${reason}`,
  );
}

function logBatch(result: BatchResult): void {
  for (const record of result.records) {
    const ok = result.succeeded.includes(record.messageId);
    const receives = record.attributes.ApproximateReceiveCount;
    let what: string;
    try {
      const keys = parseS3Notification(record.body).map((o) => o.key);
      what = keys.length > 0 ? keys.join(', ') : 'S3 test event';
    } catch {
      what = `message ${record.messageId} (not an S3 notification)`;
    }
    if (ok) {
      console.log(`edoc-hub: processed ${what}`);
    } else {
      const reason = result.error instanceof Error ? `: ${result.error.message}` : '';
      console.log(
        `edoc-hub: FAILED ${what} (receive ${receives}; retried after the visibility timeout, then the DLQ)${reason}`,
      );
    }
  }
}

await main();

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { loadDevAuth } from './local/dev-token.ts';
import {
  formatLoadReport,
  type LoadTarget,
  type RunningLoadTarget,
  runLoad,
  startLoadStack,
} from './local/load-run.ts';
import { prepareLocalReference } from './local/local-reference.ts';

const USAGE = `usage: node scripts/load.ts [--documents 200] [--agencies 4] [--per-agency 4]
                           [--api URL [--aws URL] [--state-dir .edoc-local]]
Uploads N signed documents through the HTTP API from K issuing agencies, a fifth of them bad
(tampered, secret, duplicate number, wrong signer), waits until every one is terminal and checks
the outcome per document, the dead-letter queues and GET /admin/stats. Starts a local stack of
its own on free ports unless --api names a running one (npm start), whose tokens and leader keys
come from --state-dir and whose S3/SQS endpoint is --aws (default http://127.0.0.1:4566). Exits 1
on any mismatch. A running stack must be otherwise idle: its stats window must hold only this run.`;

const count = z.coerce.number().int().positive();

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      documents: { type: 'string', default: '200' },
      agencies: { type: 'string', default: '4' },
      'per-agency': { type: 'string', default: '4' },
      api: { type: 'string' },
      aws: { type: 'string', default: 'http://127.0.0.1:4566' },
      'state-dir': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const parsed = z.object({ documents: count, agencies: count, perAgency: count }).safeParse({
    documents: values.documents,
    agencies: values.agencies,
    perAgency: values['per-agency'],
  });
  if (!parsed.success) {
    console.error(`${z.prettifyError(parsed.error)}\n${USAGE}`);
    return 2;
  }
  let owned: RunningLoadTarget | undefined;
  let target: LoadTarget;
  if (values.api === undefined) {
    owned = await startLoadStack();
    target = owned;
    console.log(`load: local stack with its API at ${owned.api}`);
  } else {
    const stateDir =
      values['state-dir'] ?? fileURLToPath(new URL('../.edoc-local/', import.meta.url));
    target = {
      api: values.api,
      auth: await loadDevAuth(stateDir),
      reference: await prepareLocalReference(stateDir),
      awsEndpoint: values.aws,
    };
  }
  try {
    const report = await runLoad(target, {
      documents: parsed.data.documents,
      agencies: parsed.data.agencies,
      perAgency: parsed.data.perAgency,
      print: (line) => console.log(line),
    });
    for (const line of formatLoadReport(report)) console.log(line);
    return report.mismatches.length === 0 ? 0 : 1;
  } catch (error) {
    console.error(`load: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await owned?.stop();
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}

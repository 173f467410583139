/**
 * The Lambda bundles as CDK builds them: the app is synthesized with `buildApp` (local esbuild,
 * the AppFunction options), each function's asset `index.mjs` is measured, then imported in fresh
 * Node processes with the function's own environment (tokens replaced by dummies, every AWS
 * endpoint on 127.0.0.1). A preload counts socket connections and DNS lookups, so a handler
 * that does network I/O at import is reported, not hidden.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as z from 'zod';
import { buildApp } from '#infra/app.ts';
import { median } from './measure.ts';

export interface BundleFigure {
  readonly function: string;
  readonly bundleKb: number;
  readonly sourceMapKb: number;
  readonly initMs: number;
  /** The same import without `--enable-source-maps` in NODE_OPTIONS: what the maps cost. */
  readonly initWithoutSourceMapsMs: number;
  readonly processMs: number;
  readonly networkAttempts: number;
  readonly error?: string;
}

/** Deploys the API and the axis connector too, so that every function is built. */
const fullContext = {
  jwtIssuer: 'https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_bench',
  jwtAudience: 'edoc-hub-agencies',
  axisEndpoint: 'https://axis.example.gov.vn/api/',
  axisSystemId: 'edoc-hub-qng',
  axisOrganId: '000.00.00.H48',
  axisOrganName: 'Ủy ban nhân dân tỉnh Quảng Ngãi',
  // The console is static files, not a function: no need to build it here.
  webConsole: 'false',
};

const functionSchema = z.object({
  Properties: z.object({
    Handler: z.string().optional(),
    Code: z.object({ S3Key: z.unknown() }).partial().optional(),
    Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }).optional(),
  }),
});

const dummy = (key: string): string => {
  if (key.endsWith('_URL')) return 'http://127.0.0.1:9/000000000000/bench';
  if (key.endsWith('_ARN')) return 'arn:aws:states:ap-southeast-1:000000000000:stateMachine:bench';
  return 'bench';
};

/** Counts what a bundle tries to reach at import; refuses it so nothing leaves the machine. */
const preload = `
import net from 'node:net';
import dns from 'node:dns';
globalThis.__benchNetwork = 0;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { globalThis.__benchNetwork++; return connect.apply(this, args); };
const lookup = dns.lookup;
dns.lookup = function (...args) { globalThis.__benchNetwork++; return lookup.apply(this, args); };
`;

const importer = (file: string) => `
const start = performance.now();
let error;
try { await import(${JSON.stringify(pathToFileURL(file).href)}); } catch (e) { error = String(e?.message ?? e); }
const initMs = performance.now() - start;
console.log(JSON.stringify({ initMs, network: globalThis.__benchNetwork, error }));
`;

interface Sample {
  readonly initMs: number;
  readonly processMs: number;
  readonly network: number;
  readonly error?: string;
}

function importOnce(file: string, env: Record<string, string>): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(preload)}`,
      '--input-type=module',
      '-e',
      importer(file),
    ],
    { env, encoding: 'utf8', cwd: path.dirname(file) },
  );
  const processMs = Number(process.hrtime.bigint() - start) / 1e6;
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const parsed = z
    .object({ initMs: z.number(), network: z.number(), error: z.string().optional() })
    .safeParse(line ? JSON.parse(line) : undefined);
  if (!parsed.success) return { initMs: Number.NaN, processMs, network: 0, error: r.stderr.trim() };
  return { ...parsed.data, processMs };
}

/** Synthesizes the app (with the API and axis connector, or without when they fail to build). */
function synth(outdir: string): { template: Template; directory: string; note?: string } {
  const attempt = (context: Record<string, string>) => {
    const app = new App({ outdir, context: { stage: 'bench', ...context } });
    const { stateless } = buildApp(app);
    const assembly = app.synth();
    return { template: Template.fromStack(stateless), directory: assembly.directory };
  };
  try {
    return attempt(fullContext);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return {
      ...attempt({ webConsole: 'false' }),
      note: `API and axis functions left out: ${message}`,
    };
  }
}

/**
 * Imports each bundle `runs` times, with its environment as deployed and without
 * `--enable-source-maps`, taking the functions and the two variants in turn within each round so
 * that load from other processes falls on all of them alike.
 */
export function measureBundles(runs: number): { figures: BundleFigure[]; note?: string } {
  const outdir = mkdtempSync(path.join(tmpdir(), 'edoc-bench-synth-'));
  try {
    const { template, directory, note } = synth(outdir);
    const bundles: { id: string; name: string; file: string; env: Record<string, string> }[] = [];
    for (const [id, resource] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      const fn = functionSchema.safeParse(resource);
      const key = fn.success ? fn.data.Properties.Code?.S3Key : undefined;
      if (
        !fn.success ||
        typeof key !== 'string' ||
        fn.data.Properties.Handler !== 'index.handler'
      ) {
        continue;
      }
      const variables = fn.data.Properties.Environment?.Variables ?? {};
      const env: Record<string, string> = {
        PATH: process.env['PATH'] ?? '',
        AWS_REGION: 'ap-southeast-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        AWS_SESSION_TOKEN: 'bench',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_LAMBDA_FUNCTION_NAME: id,
      };
      for (const [key, value] of Object.entries(variables)) {
        env[key] = typeof value === 'string' ? value : dummy(key);
      }
      bundles.push({
        id,
        name: String(variables['POWERTOOLS_SERVICE_NAME'] ?? id),
        file: path.join(directory, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'),
        env,
      });
    }
    const samples = new Map(
      bundles.map((b) => [b.id, { deployed: [] as Sample[], bare: [] as Sample[] }]),
    );
    for (let round = 0; round < runs; round++) {
      for (const b of bundles) {
        const { NODE_OPTIONS, ...bare } = b.env;
        const withoutMaps = (NODE_OPTIONS ?? '').replace('--enable-source-maps', '').trim();
        samples.get(b.id)?.deployed.push(importOnce(b.file, b.env));
        samples
          .get(b.id)
          ?.bare.push(
            importOnce(b.file, withoutMaps ? { ...bare, NODE_OPTIONS: withoutMaps } : bare),
          );
      }
    }
    const figures = bundles.map((b): BundleFigure => {
      const { deployed = [], bare = [] } = samples.get(b.id) ?? {};
      const error = [...deployed, ...bare].find((s) => s.error !== undefined)?.error;
      return {
        function: b.name,
        bundleKb: statSync(b.file).size / 1024,
        sourceMapKb: (statSync(`${b.file}.map`, { throwIfNoEntry: false })?.size ?? 0) / 1024,
        initMs: median(deployed.map((s) => s.initMs)),
        initWithoutSourceMapsMs: median(bare.map((s) => s.initMs)),
        processMs: median(deployed.map((s) => s.processMs)),
        networkAttempts: Math.max(...[...deployed, ...bare].map((s) => s.network)),
        ...(error === undefined ? {} : { error }),
      };
    });
    figures.sort((a, b) => a.function.localeCompare(b.function));
    return note === undefined ? { figures } : { figures, note };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The table of bundles `npm run bench` and `bench/init.ts` print. */
export function printBundles(figures: readonly BundleFigure[], log: (line: string) => void): void {
  log(
    `\n${'function'.padEnd(28)} ${'bundle KB'.padStart(10)} ${'map KB'.padStart(8)} ${'init ms'.padStart(8)} ${'no maps'.padStart(8)} ${'process ms'.padStart(11)} network`,
  );
  for (const b of figures) {
    log(
      `${b.function.padEnd(28)} ${b.bundleKb.toFixed(0).padStart(10)} ${b.sourceMapKb.toFixed(0).padStart(8)} ${b.initMs.toFixed(0).padStart(8)} ${b.initWithoutSourceMapsMs.toFixed(0).padStart(8)} ${b.processMs.toFixed(0).padStart(11)} ${b.networkAttempts}${b.error ? `  (${b.error})` : ''}`,
    );
  }
}

import { startFauxqs } from 'fauxqs';

/** A real S3 + SQS emulator (fauxqs) on a random loopback port, for one test file. */
export async function startLocalAws(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const server = await startFauxqs({ port: 0, logger: false, host: '127.0.0.1' });
  process.env['AWS_ACCESS_KEY_ID'] ??= 'local';
  process.env['AWS_SECRET_ACCESS_KEY'] ??= 'local';
  process.env['AWS_REGION'] ??= 'us-east-1';
  return { endpoint: server.address, stop: () => server.stop() };
}

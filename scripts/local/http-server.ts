import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server listening on loopback. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Closes the server and drops open connections. */
  stop(): Promise<void>;
}

/**
 * Starts `server` on 127.0.0.1 (0 picks a free port). A port already taken rejects with
 * `inUse(cause)` when given, with the raw error otherwise.
 */
export async function listenOnLoopback(
  server: Server,
  port: number,
  inUse?: (cause: Error) => Error,
): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      const taken = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
      reject(taken && inUse ? inUse(error) : error);
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The whole request body, or undefined as soon as it passes `limit` bytes. */
export async function readBody(
  request: IncomingMessage,
  limit = Number.POSITIVE_INFINITY,
): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Answers `body` as JSON with `status`. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  response.writeHead(status, { 'content-type': contentType });
  response.end(JSON.stringify(body));
}

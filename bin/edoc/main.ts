import { UsageError } from './usage.ts';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  agencies: async () => (await import('./agencies.ts')).agenciesCommand,
  countersign: async () => (await import('./countersign.ts')).countersignCommand,
  csr: async () => (await import('./csr.ts')).csrCommand,
  'dev-token': async () => (await import('./dev-token.ts')).devTokenCommand,
  download: async () => (await import('./download.ts')).downloadCommand,
  inbox: async () => (await import('./inbox.ts')).inboxCommand,
  login: async () => (await import('./login.ts')).loginCommand,
  receipt: async () => (await import('./receipt.ts')).receiptCommand,
  report: async () => (await import('./report.ts')).reportCommand,
  rollout: async () => (await import('./rollout.ts')).rolloutCommand,
  status: async () => (await import('./status.ts')).statusCommand,
  upload: async () => (await import('./upload.ts')).uploadCommand,
  verify: async () => (await import('./verify.ts')).verifyCommand,
};

const help = `edoc — edoc-hub command line

Usage:
  edoc verify <file.pdf> [--trust <pem>]... [--intermediate <pem>]... [--crl <file>]...
              [--at <ISO time>] [--policy <json>] [--json]
  edoc countersign <in.pdf> --out <out.pdf> (--key <pkcs8.pem> | --kms-key-id <id> |
              --pkcs11-module <so> --pkcs11-token <label> --pkcs11-pin <pin> --pkcs11-key <label>)
              --cert <chain.pem> [--reason <text>] [--location <text>] [--tsa <url>]
              [--stamp x1,y1,x2,y2]
  edoc csr (--key <pkcs8.pem> | --kms-key-id <id> | --pkcs11-module <so> --pkcs11-token <label>
            --pkcs11-pin <pin> --pkcs11-key <label>) [--algorithm <KMS algorithm name>]
           --subject "CN=…,O=…,C=VN" --out <file.csr>

Talking to the API (--api <url> or EDOC_API, default http://127.0.0.1:4000;
--token <jwt> or EDOC_TOKEN):
  edoc login --domain <hosted UI URL> --client-id <CLI client id> [--port 8765]
              signs in through Cognito in a browser; API commands then use the saved token
  edoc dev-token (--agency <code> | --admin [--agency <code>]) [--hours <n>] [--state-dir <dir>]
              a token for the local stack (npm start), signed with .edoc-local/jwt-secret
  edoc upload <file.pdf> --number <n> --notation <e.g. UBND-KGVX> --type <catalogue code>
              --subject <text> --to <code>[,<code>]... --signer-name <name>
              --signer-position <position> [--urgency normal|khan|thuong-khan|hoa-toc]
              [--promulgation-date YYYY-MM-DD] [--no-wait] [--timeout <seconds>]
              announces, uploads and follows the document: exit 0 ROUTED, 1 REJECTED
  edoc status <id> [--json]
  edoc inbox [--limit <n>] [--cursor <c>] [--json]
  edoc download <id> --out <file.pdf>
  edoc receipt <id> --code 01|02|03|04|05|06|15|16 [--reason <text>]
  edoc report <phaseId> [--json]        (administrators: a phase report awaiting decision)
  edoc agencies [--json]                the directory (the seed, or DIRECTORY_FILE)

Rollout schedules (shared/rollout/schedules/):
  edoc rollout plan <schedule.json> [--json]
              phases, windows in the schedule's time zone, enrolled agencies, electronic-only
              types, channels, report deadlines and recipients
  edoc rollout simulate <schedule.json> [--json] [--wait-ms <n>]
              runs the whole sequence on a throwaway local stack (each Wait state pauses n ms),
              approving every report; prints each phase's policy and report summary

Exit codes: 0 success, 1 the document failed or the API refused (its error code is printed),
2 usage error.`;

/** Runs one `edoc` command and returns its exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help);
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (load === undefined) {
    console.error(`edoc: unknown command '${name}'\n\n${help}`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`edoc ${name}: ${error.message}`);
      return 2;
    }
    console.error(`edoc ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

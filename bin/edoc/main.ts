import { UsageError } from './usage.ts';

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  countersign: async () => (await import('./countersign.ts')).countersignCommand,
  csr: async () => (await import('./csr.ts')).csrCommand,
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

Exit codes: 0 success, 1 the document failed (or could not be processed), 2 usage error.`;

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

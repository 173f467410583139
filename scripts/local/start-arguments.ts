/** `--hsm` and `--trust <pem>` (repeatable); a string says what is wrong. */
export function parseStartArguments(
  argv: readonly string[],
): { hsm: boolean; trust: string[] } | string {
  const result = { hsm: false, trust: [] as string[] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--hsm') result.hsm = true;
    else if (arg === '--trust') {
      const file = argv[i + 1];
      if (file === undefined || file.startsWith('--')) return '--trust needs a PEM file';
      result.trust.push(file);
      i += 1;
    } else return `unknown argument ${arg}`;
  }
  return result;
}

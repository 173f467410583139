/** Reads a required variable; a missing one is a deployment bug and fails the cold start. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`environment variable ${name} is not set`);
  }
  return value;
}

/** Reads a variable that only some environments set (the local stack's emulator endpoints). */
export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Reads an optional positive integer variable with a default. */
export function intEnv(name: string, fallback: number): number {
  const value = optionalEnv(name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new Error(`environment variable ${name} must be a positive integer, got ${value}`);
  }
  return n;
}

import type { z } from 'zod';

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** `recipients[1]`, `signer.name`; an empty path is the body itself. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out === '' ? String(key) : `${out}.${String(key)}`;
  }, '');
}

/**
 * Field-level messages for an API response, one per problem. Unknown keys are reported one by
 * one under their own name, so a body carrying `issuer` says so. Raw zod output never leaves.
 */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const base = fieldPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: base === '' ? key : `${base}.${key}`,
        message:
          key === 'issuer' && base === ''
            ? 'is not accepted: the issuer is the calling agency'
            : 'is not an accepted field',
      }));
    }
    if (issue.code === 'invalid_type' && issue.input === undefined) {
      return [{ field: base, message: 'is required' }];
    }
    return [{ field: base, message: issue.message }];
  });
}

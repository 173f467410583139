import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath, e.name));
}

const awsImport =
  /from\s+'(@aws-sdk\/[^']+|aws-lambda|@aws-lambda-powertools\/[^']+|aws-cdk-lib[^']*)'/;

describe('layering', () => {
  it('keeps the domain in shared/ free of AWS imports (adapters excepted)', () => {
    const offenders = sourceFiles(path.join(root, 'shared'))
      .filter((f) => !f.includes(`${path.sep}adapters${path.sep}`))
      .filter((f) => awsImport.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f));
    expect(offenders).toEqual([]);
  });

  it('keeps handlers from importing infrastructure code', () => {
    const offenders = sourceFiles(path.join(root, 'functions'))
      .filter((f) => /from\s+'(#infra\/|aws-cdk-lib)/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f));
    expect(offenders).toEqual([]);
  });
});

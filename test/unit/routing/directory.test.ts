import { describe, expect, it } from 'vitest';
import { AGENCY_ID_PATTERN, agencyIdSchema } from '#shared/routing/agency-id.ts';
import { loadDocumentTypeCatalogue } from '#shared/routing/catalogue.ts';
import { enrolledAgencyCodes, loadAgencyDirectory } from '#shared/routing/directory.ts';
import { rolloutPolicySchema } from '#shared/routing/rollout-policy.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';

function makeAgency(overrides: Record<string, unknown> = {}) {
  return {
    code: '000.00.30.H48',
    codeStatus: 'illustrative',
    name: 'Sở Y tế',
    kind: 'provincial-department',
    channel: 'province',
    focalPoint: { name: 'Nguyễn Thị Hoa', email: 'vanthu.syt@example.vn', phone: '0255 3822 030' },
    enrolment: ['official'],
    signerOrganizations: [],
    organizationSigning: {
      key: { kind: 'kms', keyId: 'alias/edoc-org-syt' },
      certificateChain: { kind: 'object', key: 'certificates/syt.pem' },
    },
    ...overrides,
  };
}

function makeType(overrides: Record<string, unknown> = {}) {
  return {
    code: 'chi-thi',
    name: 'Chỉ thị',
    abbreviation: 'CT',
    issuanceForm: 'electronic-and-paper',
    retentionYears: 50,
    ...overrides,
  };
}

describe('agency identifiers', () => {
  it('accept the 13-character QCVN 102 form', () => {
    expect(AGENCY_ID_PATTERN.test('000.00.00.H48')).toBe(true);
    expect(AGENCY_ID_PATTERN.test('000.00.00.G22')).toBe(true);
  });

  it('accept the longer identifiers of the 2022 amendment, up to 35 characters', () => {
    const longest = '000.00.00.H48.001.02.03.04.05.06.07';
    expect(longest).toHaveLength(35);
    expect(agencyIdSchema.safeParse(longest).success).toBe(true);
    expect(agencyIdSchema.safeParse(`${longest}8`).success).toBe(false);
  });

  it('refuse other shapes', () => {
    for (const code of [
      'H48',
      '000.00.00.h48',
      '000..00.H48',
      '000.00.00.H48 ',
      '.000.00.00.H48',
      '000.00.00.H48.',
      '000/00.00.H48',
      '000.00.00.H48#x',
    ]) {
      expect(agencyIdSchema.safeParse(code).success, code).toBe(false);
    }
  });
});

describe('agency directory', () => {
  it('loads the Quảng Ngãi seed with illustrative codes only', () => {
    const codes = QUANG_NGAI_DIRECTORY.agencies.map((a) => a.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(QUANG_NGAI_DIRECTORY.agencies.every((a) => a.codeStatus === 'illustrative')).toBe(true);
    expect(QUANG_NGAI_DIRECTORY.find('000.00.08.H48')?.name).toBe('Sở Thông tin và Truyền thông');
    expect(
      QUANG_NGAI_DIRECTORY.agencies.filter((a) => a.channel === 'national-axis').map((a) => a.kind),
    ).toEqual(['ministry', 'ministry']);
  });

  it('gives every agency of the province an organization key and none to the ministries', () => {
    for (const agency of QUANG_NGAI_DIRECTORY.agencies) {
      expect(agency.organizationSigning !== undefined, agency.name).toBe(
        agency.channel === 'province',
      );
    }
  });

  it('refuses an agency listed twice', () => {
    expect(() =>
      loadAgencyDirectory([makeAgency(), makeAgency({ name: 'Sở Y tế (bản sao)' })]),
    ).toThrow(/listed twice/);
  });

  it('refuses a malformed code, an unknown key kind and unknown fields', () => {
    expect(() => loadAgencyDirectory([makeAgency({ code: '000.00.08.h48' })])).toThrow();
    expect(() =>
      loadAgencyDirectory([
        makeAgency({
          organizationSigning: {
            key: { kind: 'vault', path: 'x' },
            certificateChain: { kind: 'file', path: 'c.pem' },
          },
        }),
      ]),
    ).toThrow();
    expect(() => loadAgencyDirectory([makeAgency({ secretary: 'x' })])).toThrow();
  });

  it('accepts the three kinds of key reference', () => {
    const keys = [
      { kind: 'kms', keyId: 'arn:aws:kms:ap-southeast-1:111122223333:key/abc' },
      { kind: 'pkcs11', tokenLabel: 'edoc', keyLabel: 'org' },
      { kind: 'file', path: 'keys/org.p12' },
    ];
    const directory = loadAgencyDirectory(
      keys.map((key, i) =>
        makeAgency({
          code: `000.00.3${i}.H48`,
          organizationSigning: { key, certificateChain: { kind: 'file', path: 'chain.pem' } },
        }),
      ),
    );
    expect(directory.agencies.map((a) => a.organizationSigning?.key.kind)).toEqual([
      'kms',
      'pkcs11',
      'file',
    ]);
  });

  it('lists the agencies enrolled in a phase', () => {
    expect(enrolledAgencyCodes(QUANG_NGAI_DIRECTORY, 'axis-pilot')).toEqual([
      '000.00.00.H48',
      '000.00.01.H48',
    ]);
    expect(enrolledAgencyCodes(QUANG_NGAI_DIRECTORY, 'official')).toHaveLength(9);
  });
});

describe('document type catalogue', () => {
  it('loads the seed with the Decree 30 abbreviations and no abbreviation for công văn', () => {
    const abbreviations = Object.fromEntries(
      SEED_DOCUMENT_TYPES.types.map((t) => [t.code, t.abbreviation]),
    );
    expect(abbreviations).toEqual({
      'cong-van': null,
      'quyet-dinh': 'QĐ',
      'thong-bao': 'TB',
      'ke-hoach': 'KH',
      'bao-cao': 'BC',
      'to-trinh': 'TTr',
      'giay-moi': 'GM',
    });
  });

  it('refuses a type listed twice, an unknown issuance form and a zero retention', () => {
    expect(() => loadDocumentTypeCatalogue([makeType(), makeType()])).toThrow(/listed twice/);
    expect(() => loadDocumentTypeCatalogue([makeType({ issuanceForm: 'paper-only' })])).toThrow();
    expect(() => loadDocumentTypeCatalogue([makeType({ retentionYears: 0 })])).toThrow();
  });
});

describe('rollout policy', () => {
  it('accepts explicit lists and the all/catalogue shorthands', () => {
    expect(
      rolloutPolicySchema.parse({
        phaseId: 'official',
        channelsOpen: ['province', 'national-axis'],
        enrolledAgencies: 'all',
        electronicOnlyTypes: 'catalogue',
      }).enrolledAgencies,
    ).toBe('all');
    expect(
      rolloutPolicySchema.safeParse({
        phaseId: 'axis-pilot',
        channelsOpen: ['national-axis'],
        enrolledAgencies: ['000.00.01.H48'],
        electronicOnlyTypes: ['cong-van'],
      }).success,
    ).toBe(true);
  });

  it('refuses an unknown channel and a malformed agency code', () => {
    const base = {
      phaseId: 'official',
      channelsOpen: ['province'],
      enrolledAgencies: 'all',
      electronicOnlyTypes: 'catalogue',
    };
    expect(rolloutPolicySchema.safeParse({ ...base, channelsOpen: ['email'] }).success).toBe(false);
    expect(rolloutPolicySchema.safeParse({ ...base, enrolledAgencies: ['VP'] }).success).toBe(
      false,
    );
  });
});

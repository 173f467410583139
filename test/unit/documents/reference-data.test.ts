import { describe, expect, it } from 'vitest';
import type { AgencyKeyRecord } from '#ports/agency-key-registry.ts';
import type { Caller } from '#shared/documents/caller.ts';
import { AccessDeniedError, InvalidRequestError } from '#shared/documents/errors.ts';
import {
  createAgency,
  createDocumentType,
  deleteAgency,
  deleteDocumentType,
  ReferenceExistsError,
  ReferenceNotFoundError,
  StaleReferenceError,
  updateAgency,
  updateDocumentType,
} from '#shared/documents/reference-admin.ts';
import { applyEdits, overlayEntries, ReferenceCache } from '#shared/documents/reference-data.ts';
import { planRouting } from '#shared/routing/plan-routing.ts';
import type { RolloutPolicy } from '#shared/routing/rollout-policy.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import { InMemoryReferenceStore } from './in-memory-reference-store.ts';

const admin: Caller = { agency: '000.00.01.H48', role: 'admin', user: 'admin-1' };
const clerk: Caller = { agency: '000.00.08.H48', role: 'agency', user: 'clerk-1' };
const NEW_CODE = '000.00.31.H48';
const SEEDED = '000.00.02.H48';

const base = { directory: QUANG_NGAI_DIRECTORY, catalogue: SEED_DOCUMENT_TYPES };

function makeAgencyBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code: NEW_CODE,
    codeStatus: 'illustrative',
    name: 'Sở Khoa học và Công nghệ tỉnh Quảng Ngãi',
    kind: 'provincial-department',
    channel: 'province',
    focalPoint: {
      name: 'Phạm Thị Dung',
      email: 'vanthu.skhcn@quangngai.gov.vn',
      phone: '0255 3822 031',
    },
    enrolment: ['official'],
    signerOrganizations: ['Sở KH&CN tỉnh Quảng Ngãi'],
    ...overrides,
  };
}

function makeTypeBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code: 'chi-thi',
    name: 'Chỉ thị',
    abbreviation: 'CT',
    issuanceForm: 'electronic-and-paper',
    retentionYears: 20,
    ...overrides,
  };
}

/** A clock the test moves by hand. */
function makeClock(start = Date.parse('2019-07-01T08:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

function makeAdmin() {
  const store = new InMemoryReferenceStore();
  const clock = makeClock();
  const reference = new ReferenceCache({ base, store, clock, maxAgeMs: 60_000 });
  return { store, clock, reference, deps: { store, reference, clock } };
}

const officialPolicy: RolloutPolicy = {
  phaseId: 'official',
  channelsOpen: ['province', 'national-axis'],
  enrolledAgencies: 'all',
  electronicOnlyTypes: 'catalogue',
};

describe('overlayEntries', () => {
  it('replaces edited entries in place, drops deleted ones and appends new codes in code order', () => {
    const edit = (code: string, entry: { code: string; n: number } | null) => ({
      code,
      version: 1,
      entry,
      updatedAt: '2019-07-01T08:00:00.000Z',
      updatedBy: 'admin-1',
    });

    const result = overlayEntries(
      [
        { code: 'a', n: 1 },
        { code: 'b', n: 1 },
        { code: 'c', n: 1 },
      ],
      [
        edit('z', { code: 'z', n: 2 }),
        edit('b', null),
        edit('a', { code: 'a', n: 2 }),
        edit('m', { code: 'm', n: 2 }),
        edit('y', null),
      ],
    );

    expect(result).toEqual([
      { code: 'a', n: 2 },
      { code: 'c', n: 1 },
      { code: 'm', n: 2 },
      { code: 'z', n: 2 },
    ]);
  });

  it('validates the result like the seed, refusing an edit whose entry breaks the schema', () => {
    const broken = {
      code: SEEDED,
      version: 1,
      // A stored entry that no longer fits the schema (e.g. an old format) must not be routed by.
      entry: { ...QUANG_NGAI_DIRECTORY.agencies[0], code: SEEDED, channel: 'fax' } as never,
      updatedAt: '2019-07-01T08:00:00.000Z',
      updatedBy: 'admin-1',
    };

    expect(() => applyEdits(base, { agencies: [broken], documentTypes: [] })).toThrow(/channel/);
  });
});

describe('agency edits', () => {
  it('adds an agency that the directory then lists and routing delivers to', async () => {
    const { deps, reference } = makeAdmin();
    const document = { typeCode: 'cong-van', secrecy: 'none', recipients: [NEW_CODE] };
    const before = planRouting(document, {
      ...(await reference.current()),
      policy: officialPolicy,
    });

    const saved = await createAgency(deps, admin, makeAgencyBody());
    const after = planRouting(document, { ...(await reference.current()), policy: officialPolicy });

    expect(saved).toMatchObject({ code: NEW_CODE, version: 1, issues: false });
    expect(before.routes).toEqual([expect.objectContaining({ reason: 'unknown-agency' })]);
    expect(after.outcome).toBe('route');
    expect(after.routes).toEqual([
      expect.objectContaining({ recipient: NEW_CODE, deliverable: true, channel: 'province' }),
    ]);
  });

  it('refuses a second create of the same code, seeded or added', async () => {
    const { deps } = makeAdmin();
    await createAgency(deps, admin, makeAgencyBody());

    await expect(createAgency(deps, admin, makeAgencyBody())).rejects.toThrow(ReferenceExistsError);
    await expect(createAgency(deps, admin, makeAgencyBody({ code: SEEDED }))).rejects.toThrow(
      ReferenceExistsError,
    );
  });

  it('updates a seeded agency at version 0, then refuses the same stale version', async () => {
    const { deps, reference, store } = makeAdmin();
    const seeded = QUANG_NGAI_DIRECTORY.find(SEEDED);
    const body = { ...seeded, name: 'Sở Nội vụ (đổi tên)', version: 0 };

    const saved = await updateAgency(deps, admin, SEEDED, body);
    const stale = updateAgency(deps, admin, SEEDED, { ...body, name: 'Lần hai' });

    expect(saved).toMatchObject({ code: SEEDED, name: 'Sở Nội vụ (đổi tên)', version: 1 });
    await expect(stale).rejects.toThrow(StaleReferenceError);
    expect((await reference.current()).directory.find(SEEDED)?.name).toBe('Sở Nội vụ (đổi tên)');
    expect(store.agencies.get(SEEDED)?.version).toBe(1);
  });

  it('answers 409 when another edit is stored between the read and the write', async () => {
    const { deps, store } = makeAdmin();
    const seeded = QUANG_NGAI_DIRECTORY.find(SEEDED);
    // Another function stores version 1 just before this one writes.
    const racing = {
      ...store,
      edits: () => store.edits(),
      saveDocumentType: store.saveDocumentType.bind(store),
      saveAgency: async (edit: Parameters<typeof store.saveAgency>[0]) => {
        await store.saveAgency({ ...edit, updatedBy: 'someone-else' });
        return store.saveAgency(edit);
      },
    };

    await expect(
      updateAgency({ ...deps, store: racing }, admin, SEEDED, { ...seeded, name: 'Mine' }),
    ).rejects.toThrow(StaleReferenceError);
    expect(store.agencies.get(SEEDED)?.updatedBy).toBe('someone-else');
  });

  it('keeps the organization signature when PUT leaves it out, and removes it on null', async () => {
    const { deps, reference } = makeAdmin();
    const issuer = QUANG_NGAI_DIRECTORY.find('000.00.08.H48');
    const { organizationSigning: _kept, ...withoutSigning } = issuer ?? {};

    await updateAgency(deps, admin, '000.00.08.H48', { ...withoutSigning, name: 'Sở TT&TT' });
    const kept = (await reference.current()).directory.find('000.00.08.H48');
    await updateAgency(deps, admin, '000.00.08.H48', {
      ...withoutSigning,
      organizationSigning: null,
    });
    const removed = (await reference.current()).directory.find('000.00.08.H48');

    expect(kept?.name).toBe('Sở TT&TT');
    expect(kept?.organizationSigning).toEqual(issuer?.organizationSigning);
    expect(removed?.organizationSigning).toBeUndefined();
  });

  it('refuses file key and chain references, with the field named, and stores nothing', async () => {
    const { deps, store } = makeAdmin();
    const body = makeAgencyBody({
      organizationSigning: {
        key: { kind: 'file', path: '/etc/passwd' },
        certificateChain: { kind: 'file', path: '/tmp/chain.pem' },
      },
    });

    const error = await createAgency(deps, admin, body).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).details.map((d) => d.field)).toEqual([
      'organizationSigning.key.kind',
      'organizationSigning.certificateChain.kind',
    ]);
    expect(store.agencies.size).toBe(0);
  });

  it('accepts a KMS key with an object chain', async () => {
    const { deps, reference } = makeAdmin();
    const organizationSigning = {
      key: { kind: 'kms', keyId: 'alias/edoc-org-000-00-31-H48' },
      certificateChain: { kind: 'object', key: 'certificates/000.00.31.H48/chain.pem' },
    };

    const saved = await createAgency(deps, admin, makeAgencyBody({ organizationSigning }));

    expect(saved.issues).toBe(true);
    expect((await reference.current()).directory.find(NEW_CODE)?.organizationSigning).toEqual(
      organizationSigning,
    );
  });

  it('refuses an invalid agency with field details and stores nothing', async () => {
    const { deps, store } = makeAdmin();

    const error = await createAgency(
      deps,
      admin,
      makeAgencyBody({ code: 'not a code', focalPoint: { name: '', email: 'x', phone: '1' } }),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).details.map((d) => d.field)).toEqual(
      expect.arrayContaining(['code', 'focalPoint.email', 'focalPoint.phone']),
    );
    expect(store.agencies.size).toBe(0);
  });

  it('refuses a body code other than the path code', async () => {
    const { deps } = makeAdmin();
    const seeded = QUANG_NGAI_DIRECTORY.find(SEEDED);

    await expect(
      updateAgency(deps, admin, SEEDED, { ...seeded, code: '000.00.03.H48' }),
    ).rejects.toThrow(InvalidRequestError);
  });

  it('deletes a seeded agency, then answers 404 for it, and a create brings it back', async () => {
    const { deps, reference } = makeAdmin();

    const deleted = await deleteAgency(deps, admin, SEEDED, { version: '0' });
    const gone = (await reference.current()).directory.find(SEEDED);
    const again = deleteAgency(deps, admin, SEEDED, {});
    const recreated = await createAgency(deps, admin, makeAgencyBody({ code: SEEDED }));

    expect(deleted).toEqual({ code: SEEDED, deleted: true, version: 1 });
    expect(gone).toBeUndefined();
    await expect(again).rejects.toThrow(ReferenceNotFoundError);
    expect(recreated.version).toBe(2);
  });

  it('refuses every edit to an agency caller', async () => {
    const { deps } = makeAdmin();

    await expect(createAgency(deps, clerk, makeAgencyBody())).rejects.toThrow(AccessDeniedError);
    await expect(deleteAgency(deps, clerk, SEEDED, {})).rejects.toThrow(AccessDeniedError);
  });
});

describe('document-type edits', () => {
  it('adds, updates with the right version, refuses a stale one, and deletes a type', async () => {
    const { deps, reference } = makeAdmin();

    const created = await createDocumentType(deps, admin, makeTypeBody());
    const updated = await updateDocumentType(deps, admin, 'chi-thi', {
      ...makeTypeBody({ retentionYears: 50 }),
      version: 1,
    });
    const stale = updateDocumentType(deps, admin, 'chi-thi', { ...makeTypeBody(), version: 1 });
    await expect(stale).rejects.toThrow(StaleReferenceError);
    const listed = (await reference.current()).catalogue.find('chi-thi');
    await deleteDocumentType(deps, admin, 'chi-thi', { version: '2' });

    expect(created.version).toBe(1);
    expect(updated).toMatchObject({ retentionYears: 50, version: 2 });
    expect(listed?.retentionYears).toBe(50);
    expect((await reference.current()).catalogue.find('chi-thi')).toBeUndefined();
  });

  it('refuses an invalid type with field details', async () => {
    const { deps, store } = makeAdmin();

    const error = await createDocumentType(
      deps,
      admin,
      makeTypeBody({ code: 'Chỉ Thị', retentionYears: 0 }),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).details.map((d) => d.field)).toEqual([
      'code',
      'retentionYears',
    ]);
    expect(store.documentTypes.size).toBe(0);
  });
});

describe('ReferenceCache', () => {
  it('reads the store once while fresh, and again once the max age has passed', async () => {
    const store = new InMemoryReferenceStore();
    const clock = makeClock();
    const cache = new ReferenceCache({ base, store, clock, maxAgeMs: 60_000 });

    await Promise.all([cache.current(), cache.current()]);
    clock.advance(59_999);
    await cache.current();
    const readsWhileFresh = store.reads;
    clock.advance(1);
    await cache.current();

    expect(readsWhileFresh).toBe(1);
    expect(store.reads).toBe(2);
  });

  it('serves another function’s edit only after the max age', async () => {
    const store = new InMemoryReferenceStore();
    const clock = makeClock();
    const pipeline = new ReferenceCache({ base, store, clock, maxAgeMs: 60_000 });
    const api = makeAdmin();
    await pipeline.current();

    await createAgency({ ...api.deps, store }, admin, makeAgencyBody());
    const stillCached = (await pipeline.current()).directory.find(NEW_CODE);
    clock.advance(60_000);
    const refreshed = (await pipeline.current()).directory.find(NEW_CODE);

    expect(stillCached).toBeUndefined();
    expect(refreshed?.code).toBe(NEW_CODE);
  });

  it('keeps the snapshot, and what was derived from it, while the edits are unchanged', async () => {
    const store = new InMemoryReferenceStore();
    const clock = makeClock();
    const cache = new ReferenceCache({ base, store, clock, maxAgeMs: 60_000 });
    let builds = 0;
    const derived = cache.derive(() => ({ build: ++builds }));

    const first = await derived();
    clock.advance(60_000);
    const unchanged = await derived();
    await createAgency({ store, reference: cache, clock }, admin, makeAgencyBody());
    const changed = await derived();

    expect(unchanged).toBe(first);
    expect(changed).toEqual({ build: 2 });
  });

  it('does not keep a failed read', async () => {
    const store = new InMemoryReferenceStore();
    let fail = true;
    const flaky = {
      edits: () => (fail ? Promise.reject(new Error('throttled')) : store.edits()),
      saveAgency: store.saveAgency.bind(store),
      saveDocumentType: store.saveDocumentType.bind(store),
    };
    const cache = new ReferenceCache({ base, store: flaky, clock: makeClock() });

    await expect(cache.current()).rejects.toThrow('throttled');
    fail = false;

    expect((await cache.current()).directory.agencies).toHaveLength(
      QUANG_NGAI_DIRECTORY.agencies.length,
    );
  });
});

/** Installed keys as the registry lists them, changed by the test. */
function makeInstalledKeys() {
  const records: AgencyKeyRecord[] = [];
  return {
    records,
    reads: 0,
    async listInstalled() {
      this.reads += 1;
      return [...records];
    },
    install(agency: string, keyId: string) {
      const chainKey = `certificates/${agency}/${keyId}/chain.pem`;
      const installed = {
        keyId,
        algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' as const,
        chainKey,
        leafFingerprint: 'f'.repeat(64),
        notAfter: '2021-07-01T00:00:00.000Z',
        installedAt: '2019-07-01T08:00:00.000Z',
      };
      const at = records.findIndex((r) => r.agency === agency);
      if (at >= 0) records.splice(at, 1);
      records.push({ agency, installed });
      return { key: { kind: 'kms', keyId }, certificateChain: { kind: 'object', key: chainKey } };
    },
  };
}

describe('installed organization keys', () => {
  it('lays an installed key over the agency’s edited entry, in the same read', async () => {
    const store = new InMemoryReferenceStore();
    const keys = makeInstalledKeys();
    const clock = makeClock();
    const cache = new ReferenceCache({ base, store, keys, clock, maxAgeMs: 60_000 });
    await createAgency({ store, reference: cache, clock }, admin, makeAgencyBody());
    const signing = keys.install(NEW_CODE, 'key-1');

    clock.advance(60_000);
    const snapshot = await cache.current();

    expect(snapshot.directory.find(NEW_CODE)?.organizationSigning).toEqual(signing);
    expect(snapshot.directory.find(NEW_CODE)?.name).toBe(makeAgencyBody().name);
    expect(snapshot.installedKeys).toEqual(new Map([[NEW_CODE, 'key-1']]));
    expect(keys.reads).toBe(store.reads);
  });

  it('replaces a seeded agency’s configured key and leaves the other agencies as they are', () => {
    const keys = makeInstalledKeys();
    const seeded = '000.00.08.H48';
    const signing = keys.install(seeded, 'key-1');

    const snapshot = applyEdits(base, { agencies: [], documentTypes: [] }, keys.records);

    expect(snapshot.directory.find(seeded)?.organizationSigning).toEqual(signing);
    expect(QUANG_NGAI_DIRECTORY.find(seeded)?.organizationSigning).not.toEqual(signing);
    expect(snapshot.directory.find(SEEDED)).toEqual(QUANG_NGAI_DIRECTORY.find(SEEDED));
  });

  it('ignores a key installed for an agency that is no longer in the directory', () => {
    const keys = makeInstalledKeys();
    keys.install('000.00.99.H48', 'key-1');

    const snapshot = applyEdits(base, { agencies: [], documentTypes: [] }, keys.records);

    expect(snapshot.directory.find('000.00.99.H48')).toBeUndefined();
    expect(snapshot.directory.agencies).toHaveLength(QUANG_NGAI_DIRECTORY.agencies.length);
  });

  it('rebuilds what was derived (the countersign signers) when a key is installed, not before', async () => {
    const store = new InMemoryReferenceStore();
    const keys = makeInstalledKeys();
    const clock = makeClock();
    const cache = new ReferenceCache({ base, store, keys, clock, maxAgeMs: 60_000 });
    const signers = cache.derive(({ directory }) => directory.find(SEEDED)?.organizationSigning);

    const before = await signers();
    const signing = keys.install(SEEDED, 'key-1');
    const withinAge = await signers();
    clock.advance(60_000);
    const after = await signers();
    const snapshot = await cache.current();
    clock.advance(60_000);
    const unchanged = await cache.current();

    expect(before).toEqual(QUANG_NGAI_DIRECTORY.find(SEEDED)?.organizationSigning);
    expect(withinAge).toBe(before);
    expect(after).toEqual(signing);
    expect(unchanged).toBe(snapshot);
  });

  it('takes a newer key installed for the same agency', async () => {
    const store = new InMemoryReferenceStore();
    const keys = makeInstalledKeys();
    const clock = makeClock();
    const cache = new ReferenceCache({ base, store, keys, clock, maxAgeMs: 60_000 });
    keys.install(SEEDED, 'key-1');
    const first = await cache.current();

    const renewed = keys.install(SEEDED, 'key-2');
    clock.advance(60_000);
    const second = await cache.current();

    expect(second).not.toBe(first);
    expect(second.directory.find(SEEDED)?.organizationSigning).toEqual(renewed);
  });
});

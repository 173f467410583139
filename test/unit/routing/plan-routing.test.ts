import { describe, expect, it } from 'vitest';
import { planRouting, SecretDocumentError } from '#shared/routing/plan-routing.ts';
import type { RolloutPolicy } from '#shared/routing/rollout-policy.ts';
import { SEED_DOCUMENT_TYPES } from '#shared/routing/seed-document-types.ts';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';

const PROVINCIAL_OFFICE = '000.00.01.H48';
const DEPARTMENT_OF_IC = '000.00.08.H48';
const DEPARTMENT_OF_FINANCE = '000.00.03.H48'; // enrolled from the official phase only
const GOVERNMENT_OFFICE = '000.00.00.G01';
const MINISTRY_OF_IC = '000.00.00.G22';

function makePolicy(overrides: Partial<RolloutPolicy> = {}): RolloutPolicy {
  return {
    phaseId: 'official',
    channelsOpen: ['province', 'national-axis'],
    enrolledAgencies: 'all',
    electronicOnlyTypes: 'catalogue',
    ...overrides,
  };
}

function makeDocument(
  overrides: { typeCode?: string; secrecy?: string; recipients?: string[] } = {},
) {
  return { typeCode: 'cong-van', secrecy: 'none', recipients: [DEPARTMENT_OF_IC], ...overrides };
}

const route = (policy: RolloutPolicy, document = makeDocument()) =>
  planRouting(document, {
    directory: QUANG_NGAI_DIRECTORY,
    catalogue: SEED_DOCUMENT_TYPES,
    policy,
  });

describe('planRouting', () => {
  it('routes to agencies of the province and ministries on their own channels', () => {
    const plan = route(
      makePolicy(),
      makeDocument({ recipients: [DEPARTMENT_OF_IC, MINISTRY_OF_IC] }),
    );
    expect(plan.outcome).toBe('route');
    expect(plan.routes).toEqual([
      { recipient: DEPARTMENT_OF_IC, channel: 'province', deliverable: true },
      { recipient: MINISTRY_OF_IC, channel: 'national-axis', deliverable: true },
    ]);
    expect(plan.paperCopyRequired).toBe(false);
    expect(plan.paperRecipients).toEqual([]);
  });

  it('holds back the province channel during the axis pilot but still reaches the ministries', () => {
    const policy = makePolicy({
      phaseId: 'axis-pilot',
      channelsOpen: ['national-axis'],
      enrolledAgencies: ['000.00.00.H48', PROVINCIAL_OFFICE],
    });
    const plan = route(policy, makeDocument({ recipients: [GOVERNMENT_OFFICE, DEPARTMENT_OF_IC] }));
    expect(plan.outcome).toBe('route');
    expect(plan.routes[0]).toEqual({
      recipient: GOVERNMENT_OFFICE,
      channel: 'national-axis',
      deliverable: true,
    });
    expect(plan.routes[1]).toMatchObject({
      recipient: DEPARTMENT_OF_IC,
      deliverable: false,
      reason: 'channel-closed',
    });
    expect(plan.paperRecipients).toEqual([DEPARTMENT_OF_IC]);
  });

  it('refuses a provincial recipient not enrolled in the phase', () => {
    const policy = makePolicy({
      phaseId: 'province-pilot',
      enrolledAgencies: [PROVINCIAL_OFFICE, DEPARTMENT_OF_IC],
    });
    const plan = route(
      policy,
      makeDocument({ recipients: [DEPARTMENT_OF_IC, DEPARTMENT_OF_FINANCE] }),
    );
    expect(plan.routes[1]).toMatchObject({
      recipient: DEPARTMENT_OF_FINANCE,
      channel: 'province',
      deliverable: false,
      reason: 'not-enrolled',
    });
    expect(plan.outcome).toBe('route');
  });

  it('does not require ministries on the open axis to be enrolled', () => {
    const policy = makePolicy({ enrolledAgencies: [PROVINCIAL_OFFICE] });
    const plan = route(policy, makeDocument({ recipients: [MINISTRY_OF_IC] }));
    expect(plan.routes[0]?.deliverable).toBe(true);
  });

  it('refuses an agency missing from the directory', () => {
    const plan = route(
      makePolicy(),
      makeDocument({ recipients: ['000.00.99.H48', DEPARTMENT_OF_IC] }),
    );
    expect(plan.routes[0]).toMatchObject({
      recipient: '000.00.99.H48',
      deliverable: false,
      reason: 'unknown-agency',
    });
    expect(plan.routes[0]?.channel).toBeUndefined();
  });

  it('reports none deliverable when no recipient can be reached', () => {
    const plan = route(
      makePolicy({ channelsOpen: [] }),
      makeDocument({ recipients: [DEPARTMENT_OF_IC, MINISTRY_OF_IC] }),
    );
    expect(plan.outcome).toBe('none-deliverable');
    expect(plan.routes.every((r) => !r.deliverable)).toBe(true);
  });

  it('requires paper for a type the catalogue issues electronic-and-paper', () => {
    const plan = route(
      makePolicy(),
      makeDocument({ typeCode: 'quyet-dinh', recipients: [DEPARTMENT_OF_IC, MINISTRY_OF_IC] }),
    );
    expect(plan.paperCopyRequired).toBe(true);
    expect(plan.paperRecipients).toEqual([DEPARTMENT_OF_IC, MINISTRY_OF_IC]);
  });

  it('requires paper for an electronic-only type the phase does not list', () => {
    const policy = makePolicy({ electronicOnlyTypes: ['giay-moi'] });
    expect(route(policy, makeDocument({ typeCode: 'cong-van' })).paperCopyRequired).toBe(true);
    expect(route(policy, makeDocument({ typeCode: 'giay-moi' })).paperCopyRequired).toBe(false);
  });

  it('requires paper when the phase lists a type the catalogue issues with paper', () => {
    const policy = makePolicy({ electronicOnlyTypes: ['quyet-dinh'] });
    expect(route(policy, makeDocument({ typeCode: 'quyet-dinh' })).paperCopyRequired).toBe(true);
  });

  it('requires paper for a type missing from the catalogue', () => {
    expect(route(makePolicy(), makeDocument({ typeCode: 'nghi-quyet' })).paperCopyRequired).toBe(
      true,
    );
  });

  it('never routes a document marked secret', () => {
    expect(() => route(makePolicy(), makeDocument({ secrecy: 'mat' }))).toThrow(
      SecretDocumentError,
    );
  });
});

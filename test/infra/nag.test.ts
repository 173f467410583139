import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';

/** The API and the national axis are deployed only when configured; the rules hold either way. */
const axisContext = {
  jwtIssuer: 'https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_example',
  jwtAudience: 'edoc-hub-agencies',
  axisEndpoint: 'https://axis.example.gov.vn/api/',
  axisSystemId: 'edoc-hub-qng',
  axisOrganId: '000.00.00.H48',
  axisOrganName: 'Ủy ban nhân dân tỉnh Quảng Ngãi',
};

describe('security rules', () => {
  it.each([
    ['without', {}],
    ['with', axisContext],
  ])(
    'passes cdk-nag AwsSolutions %s the axis connector, every acknowledgement justified',
    (_, extra) => {
      // Bundling is skipped: the rules judge templates, not function code.
      const app = new App({ context: { stage: 'nag', 'aws:cdk:bundling-stacks': [], ...extra } });
      const { stateless } = buildApp(app);
      expect(stateless.axisConnector !== undefined).toBe(Object.keys(extra).length > 0);
      expect(stateless.documentApi).toBeDefined();
      // The web console comes with the stack's own user pool, not with an external issuer.
      expect(stateless.webConsole !== undefined).toBe(Object.keys(extra).length === 0);
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      // cdk-nag 3 reports through CDK's policy validation: synth throws on any unacknowledged error.
      expect(() => app.synth()).not.toThrow();
    },
  );

  it('grants no wildcard actions to any role', () => {
    const app = new App({
      context: { stage: 'iam', 'aws:cdk:bundling-stacks': [], ...axisContext },
    });
    const { stateful, stateless } = buildApp(app);
    for (const stack of [stateful, stateless]) {
      const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
      for (const [id, policy] of Object.entries(policies)) {
        if (id.startsWith('BucketNotificationsHandler')) continue;
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          const actions: string[] = [statement.Action].flat();
          expect(
            actions.filter((a) => a.includes('*')),
            id,
          ).toEqual([]);
        }
      }
    }
  });
});

import { App } from 'aws-cdk-lib';
import { parseDeploymentConfig } from './config.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

/** The optional CloudHSM path (issue #8); see the README's Deploy section. */
const hsmContextKeys = [
  'hsm',
  'hsmClusterId',
  'hsmIpAddresses',
  'hsmVpcId',
  'hsmSubnetIds',
  'hsmSecurityGroupId',
  'hsmPinSecretName',
  'hsmModulePath',
  'hsmLayerArn',
  'hsmEndpoints',
  'hsmRouteTableIds',
] as const;

/** Builds both stacks of one deployment; exported so tests synthesize exactly what `cdk` does. */
export function buildApp(app: App): { stateful: StatefulStack; stateless: StatelessStack } {
  const config = parseDeploymentConfig({
    stage: app.node.tryGetContext('stage'),
    maxUploadBytes: app.node.tryGetContext('maxUploadBytes'),
    archiveRetentionYears: app.node.tryGetContext('archiveRetentionYears'),
    objectLockMode: app.node.tryGetContext('objectLockMode'),
    corsOrigins: app.node.tryGetContext('corsOrigins'),
    alarmEmail: app.node.tryGetContext('alarmEmail'),
    axisEndpoint: app.node.tryGetContext('axisEndpoint'),
    axisSystemId: app.node.tryGetContext('axisSystemId'),
    axisOrganId: app.node.tryGetContext('axisOrganId'),
    axisOrganName: app.node.tryGetContext('axisOrganName'),
    axisPollMinutes: app.node.tryGetContext('axisPollMinutes'),
    jwtIssuer: app.node.tryGetContext('jwtIssuer'),
    jwtAudience: app.node.tryGetContext('jwtAudience'),
    webConsole: app.node.tryGetContext('webConsole'),
    cognitoDomainPrefix: app.node.tryGetContext('cognitoDomainPrefix'),
    ...Object.fromEntries(hsmContextKeys.map((key) => [key, app.node.tryGetContext(key)])),
  });
  const env = {
    account: process.env['CDK_DEFAULT_ACCOUNT'],
    region: app.node.tryGetContext('region') ?? process.env['CDK_DEFAULT_REGION'],
  };
  const prefix = `EdocHub-${config.stage}`;
  const stateful = new StatefulStack(app, `${prefix}-Stateful`, { env, config });
  const stateless = new StatelessStack(app, `${prefix}-Stateless`, { env, config, stateful });
  return { stateful, stateless };
}

if (import.meta.main) {
  buildApp(new App());
}

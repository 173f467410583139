import { Stack, Validations } from 'aws-cdk-lib';
import {
  CfnVPCEndpoint,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type ISecurityGroup,
  type ISubnet,
  type IVpc,
  Port,
  SecurityGroup,
  Subnet,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnFunction, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { AppFunction } from './app-function.ts';
import { addSecretsExtension } from './axis-connector.ts';

/** CloudHSM client-to-HSM ports (Client SDK 5). */
export const CLOUDHSM_PORTS = Port.tcpRange(2223, 2225);

export interface HsmNetworkProps {
  /** `cluster-…` of the CloudHSM cluster holding the organization keys. */
  readonly clusterId: string;
  /** HSM addresses the client library connects to. */
  readonly ipAddresses: readonly string[];
  /** The cluster's VPC. */
  readonly vpcId: string;
  /** Private subnets the function runs in, in the cluster's Availability Zones. */
  readonly subnetIds: readonly string[];
  /** The security group CloudHSM created for the cluster. */
  readonly clusterSecurityGroupId: string;
  /** Secrets Manager secret (by name) holding the crypto user's `user:password`. */
  readonly pinSecretName: string;
  /** @default '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so' (Client SDK 5) */
  readonly modulePath?: string;
  /**
   * Layer with the Client SDK 5 PKCS#11 library, its configuration and the cluster's CA.
   * @default none: the function's package must bring them
   */
  readonly layerArn?: string;
  /**
   * Route tables for S3 and DynamoDB gateway endpoints; with them, SQS and Secrets Manager
   * interface endpoints (private DNS) are created in the subnets too.
   * @default none: the VPC must already reach S3, DynamoDB, SQS and Secrets Manager
   */
  readonly endpointRouteTableIds?: readonly string[];
}

/**
 * What a function needs to sign with organization keys in a CloudHSM cluster: a security group
 * allowed to the cluster's on TCP 2223–2225 (and to AWS APIs on 443), the VPC endpoints the
 * countersign step's other calls need without an internet route, and read access to the crypto
 * user's PIN. {@link HsmNetwork.attach} places a function there.
 */
export class HsmNetwork extends Construct {
  public readonly vpc: IVpc;
  public readonly subnets: readonly ISubnet[];
  /** The functions' security group: egress only to the cluster and to HTTPS. */
  public readonly securityGroup: SecurityGroup;
  public readonly clusterSecurityGroup: ISecurityGroup;
  public readonly pinSecret: ISecret;
  /** Interface endpoints created here (empty when the VPC provides them). */
  public readonly interfaceEndpoints: readonly InterfaceVpcEndpoint[];
  /** Gateway endpoints created here (empty when the VPC provides them). */
  public readonly gatewayEndpoints: readonly CfnVPCEndpoint[];
  readonly #props: HsmNetworkProps;

  constructor(scope: Construct, id: string, props: HsmNetworkProps) {
    super(scope, id);
    this.#props = props;
    this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: props.vpcId,
      availabilityZones: Stack.of(this).availabilityZones,
    });
    this.subnets = props.subnetIds.map((subnetId, i) =>
      Subnet.fromSubnetAttributes(this, `Subnet${i}`, { subnetId }),
    );
    this.securityGroup = new SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: this.vpc,
      description: 'edoc-hub countersign: to the CloudHSM cluster and AWS APIs only',
      allowAllOutbound: false,
    });
    this.clusterSecurityGroup = SecurityGroup.fromSecurityGroupId(
      this,
      'ClusterSecurityGroup',
      props.clusterSecurityGroupId,
    );
    // Egress on ours and ingress on the cluster's, both limited to the HSM ports.
    this.securityGroup.connections.allowTo(
      this.clusterSecurityGroup,
      CLOUDHSM_PORTS,
      'edoc-hub countersign to CloudHSM',
    );
    // Without an internet route this reaches only the VPC's endpoints (gateway endpoints route by
    // prefix list, whose ids cannot be known offline).
    this.securityGroup.connections.allowToAnyIpv4(Port.tcp(443), 'AWS APIs through VPC endpoints');

    const routeTableIds = props.endpointRouteTableIds ?? [];
    this.gatewayEndpoints =
      routeTableIds.length === 0
        ? []
        : (
            [
              ['S3Endpoint', GatewayVpcEndpointAwsService.S3],
              ['DynamoDbEndpoint', GatewayVpcEndpointAwsService.DYNAMODB],
            ] as const
          ).map(
            ([endpointId, service]) =>
              new CfnVPCEndpoint(this, endpointId, {
                vpcId: props.vpcId,
                serviceName: service.name,
                vpcEndpointType: 'Gateway',
                routeTableIds: [...routeTableIds],
              }),
          );
    this.interfaceEndpoints =
      routeTableIds.length === 0
        ? []
        : (
            [
              ['SqsEndpoint', InterfaceVpcEndpointAwsService.SQS],
              ['SecretsManagerEndpoint', InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
            ] as const
          ).map(([endpointId, service]) => {
            const endpoint = new InterfaceVpcEndpoint(this, endpointId, {
              vpc: this.vpc,
              service,
              subnets: { subnets: [...this.subnets] },
              privateDnsEnabled: true,
              open: false,
            });
            endpoint.connections.allowDefaultPortFrom(this.securityGroup);
            return endpoint;
          });

    this.pinSecret = Secret.fromSecretNameV2(this, 'PinSecret', props.pinSecretName);
  }

  /**
   * Runs the function in the subnets with the security group, gives it the client configuration
   * (`PKCS11_MODULE`, `HSM_CLUSTER_ID`, `HSM_IP_ADDRESSES`, `HSM_PIN_SECRET_ID`) and the layer, and
   * read access to the PIN secret. The function's role gets the network-interface actions Lambda
   * needs in a VPC (what AWSLambdaVPCAccessExecutionRole holds, without a managed policy).
   */
  attach(fn: AppFunction): void {
    const cfn = fn.node.defaultChild;
    if (!(cfn instanceof CfnFunction)) throw new Error(`${fn.node.path} has no CfnFunction`);
    cfn.vpcConfig = {
      subnetIds: this.subnets.map((s) => s.subnetId),
      securityGroupIds: [this.securityGroup.securityGroupId],
    };
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    if (fn.role) {
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords and the network-interface actions Lambda ' +
          'needs to run in a VPC (as in AWSLambdaVPCAccessExecutionRole) have no resource-level ' +
          'permissions.',
      });
    }
    fn.addEnvironment(
      'PKCS11_MODULE',
      this.#props.modulePath ?? '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',
    );
    fn.addEnvironment('HSM_CLUSTER_ID', this.#props.clusterId);
    fn.addEnvironment('HSM_IP_ADDRESSES', this.#props.ipAddresses.join(','));
    fn.addEnvironment('HSM_PIN_SECRET_ID', this.#props.pinSecretName);
    // The function reads the PIN over localhost, as the axis functions read their secret.
    addSecretsExtension(fn);
    if (this.#props.layerArn) {
      fn.addLayers(LayerVersion.fromLayerVersionArn(this, 'ClientLayer', this.#props.layerArn));
    }
    this.pinSecret.grantRead(fn);
    fn.acknowledgeWildcardResource(
      `${this.pinSecret.secretArn}-??????`,
      'Secrets Manager appends six random characters to a secret ARN; the name is exact.',
    );
  }
}

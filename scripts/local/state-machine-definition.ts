import type { Template } from 'aws-cdk-lib/assertions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** Placeholder account and region that the resolved ARNs carry unless told otherwise. */
export const placeholderAccount = '123456789012';
export const placeholderRegion = 'us-east-1';

/**
 * Longest timer Node can arm (setTimeout takes a signed 32-bit millisecond count and fires at
 * once beyond it): aws-local-stepfunctions arms one per `TimeoutSeconds`.
 */
export const maxLocalTimerSeconds = Math.floor((2 ** 31 - 1) / 1000);

export interface DefinitionOptions {
  /** Account of the resolved ARNs. @default placeholderAccount */
  readonly account?: string;
  /** Region of the resolved ARNs. @default placeholderRegion */
  readonly region?: string;
  /**
   * Caps every `TimeoutSeconds` and `HeartbeatSeconds`, e.g. at maxLocalTimerSeconds so that a
   * 30-day approval timeout does not overflow to 1 ms. @default no cap
   */
  readonly maxTimerSeconds?: number;
}

/** A function ARN for `Fn::GetAtt [id, Arn]`, a topic-like ARN for `Ref id`, pseudo parameters. */
function resolvePart(part: unknown, account: string, region: string): string {
  if (typeof part === 'string') return part;
  if (typeof part === 'object' && part !== null) {
    if ('Fn::GetAtt' in part && Array.isArray(part['Fn::GetAtt'])) {
      const [id] = part['Fn::GetAtt'];
      return `arn:aws:lambda:${region}:${account}:function:${String(id)}`;
    }
    if ('Ref' in part && typeof part.Ref === 'string') {
      const pseudo: Readonly<Record<string, string>> = {
        'AWS::Partition': 'aws',
        'AWS::Region': region,
        'AWS::AccountId': account,
        'AWS::URLSuffix': 'amazonaws.com',
      };
      return pseudo[part.Ref] ?? `arn:aws:sns:${region}:${account}:${part.Ref}`;
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(part)} in a state machine definition`);
}

/** `arn:aws:lambda:…:function:<logical id>`: the logical id a resolved function ARN names. */
export function functionLogicalId(arn: string): string | undefined {
  return /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)$/.exec(arn)?.[1];
}

/**
 * The Amazon States Language of the template's only state machine, its `Fn::Join` resolved with
 * ARNs of `account` and `region` (function ARNs end with the function's logical id), so that
 * aws-local-stepfunctions (which validates it on load) can run it.
 */
export function stateMachineDefinition(
  template: Template,
  options: DefinitionOptions = {},
): StateMachineDefinition {
  const account = options.account ?? placeholderAccount;
  const region = options.region ?? placeholderRegion;
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) throw new Error(`expected one state machine, got ${machines.length}`);
  const body: unknown = machines[0]?.Properties?.DefinitionString;
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else if (typeof body === 'object' && body !== null && 'Fn::Join' in body) {
    const join = body['Fn::Join'];
    if (!Array.isArray(join) || !Array.isArray(join[1])) throw new Error('malformed Fn::Join');
    text = join[1].map((part) => resolvePart(part, account, region)).join(String(join[0]));
  } else {
    throw new Error('the state machine has no DefinitionString');
  }
  const cap = options.maxTimerSeconds;
  return JSON.parse(text, (key, value: unknown) =>
    cap !== undefined &&
    (key === 'TimeoutSeconds' || key === 'HeartbeatSeconds') &&
    typeof value === 'number'
      ? Math.min(value, cap)
      : value,
  );
}

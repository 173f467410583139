import type { Template } from 'aws-cdk-lib/assertions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** Placeholder account and region that the resolved ARNs carry. */
export const placeholderAccount = '123456789012';
export const placeholderRegion = 'us-east-1';

const pseudo: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': placeholderRegion,
  'AWS::AccountId': placeholderAccount,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A function ARN for `Fn::GetAtt [id, Arn]`, a topic-like ARN for `Ref id`, pseudo parameters. */
function resolvePart(part: unknown): string {
  if (typeof part === 'string') return part;
  if (typeof part === 'object' && part !== null) {
    if ('Fn::GetAtt' in part && Array.isArray(part['Fn::GetAtt'])) {
      const [id] = part['Fn::GetAtt'];
      return `arn:aws:lambda:${placeholderRegion}:${placeholderAccount}:function:${String(id)}`;
    }
    if ('Ref' in part && typeof part.Ref === 'string') {
      return (
        pseudo[part.Ref] ?? `arn:aws:sns:${placeholderRegion}:${placeholderAccount}:${part.Ref}`
      );
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(part)} in a state machine definition`);
}

/**
 * The Amazon States Language of the template's only state machine, its `Fn::Join` resolved with
 * placeholder ARNs so that aws-local-stepfunctions (which validates it on load) can run it.
 */
export function stateMachineDefinition(template: Template): StateMachineDefinition {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) throw new Error(`expected one state machine, got ${machines.length}`);
  const body: unknown = machines[0]?.Properties?.DefinitionString;
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else if (typeof body === 'object' && body !== null && 'Fn::Join' in body) {
    const join = body['Fn::Join'];
    if (!Array.isArray(join) || !Array.isArray(join[1])) throw new Error('malformed Fn::Join');
    text = join[1].map(resolvePart).join(String(join[0]));
  } else {
    throw new Error('the state machine has no DefinitionString');
  }
  return JSON.parse(text);
}

import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface OperationsProps {
  readonly topic: ITopic;
  /** Functions whose errors alarm, by a short name. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Work queues whose oldest message alarms when it waits too long, by a short name. */
  readonly queues: Readonly<Record<string, IQueue>>;
  readonly stateMachine?: IStateMachine;
  /** Oldest message age that means a step is stuck. @default 15 minutes */
  readonly maxMessageAge?: Duration;
  readonly dashboardName: string;
}

/**
 * What the operators watch: an alarm per function on errors, per work queue on the age of its
 * oldest message (a stuck step), on rollout executions that fail, all to the alarm topic; and one
 * dashboard with the same metrics. (Dead-letter queues alarm in the stateful stack.)
 */
export class Operations extends Construct {
  public readonly alarms: Alarm[] = [];
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const alarm = (name: string, metric: IMetric, threshold: number, description: string) => {
      const created = new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };

    const errorMetrics: IMetric[] = [];
    for (const [name, fn] of Object.entries(props.functions)) {
      const errors = fn.metricErrors({ period: Duration.minutes(5) });
      errorMetrics.push(errors);
      alarm(`${name}Errors`, errors, 1, `${name} failed; its messages are retried, then parked.`);
    }
    const ageMetrics: IMetric[] = [];
    const maxAge = props.maxMessageAge ?? Duration.minutes(15);
    for (const [name, queue] of Object.entries(props.queues)) {
      const age = queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5) });
      ageMetrics.push(age);
      alarm(
        `${name}OldestMessage`,
        age,
        maxAge.toSeconds(),
        `Documents have waited over ${maxAge.toMinutes()} minutes in the ${name} queue.`,
      );
    }
    const widgets = [
      new GraphWidget({ title: 'Function errors', left: errorMetrics, width: 12 }),
      new GraphWidget({ title: 'Oldest message age (s)', left: ageMetrics, width: 12 }),
    ];
    if (props.stateMachine) {
      const failed = props.stateMachine.metricFailed({ period: Duration.minutes(5) });
      alarm('RolloutFailed', failed, 1, 'A rollout execution failed; see its alert and history.');
      widgets.push(
        new GraphWidget({ title: 'Rollout executions failed', left: [failed], width: 12 }),
      );
    }
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [widgets],
    });
  }
}

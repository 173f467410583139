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

export interface TopicAlarmProps {
  readonly topic: ITopic;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly description: string;
}

/**
 * The one shape of every edoc-hub alarm: to the operators' topic as soon as one period of the
 * metric reaches the threshold; no data (an idle queue or function) is no alarm.
 */
export function topicAlarm(scope: Construct, id: string, props: TopicAlarmProps): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmDescription: props.description,
    metric: props.metric,
    threshold: props.threshold,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(props.topic));
  return alarm;
}

/** A parked message must bring a person: an alarm as soon as one lands in the dead-letter queue. */
export function deadLetterAlarm(
  scope: Construct,
  id: string,
  props: { readonly topic: ITopic; readonly queue: IQueue; readonly description: string },
): Alarm {
  return topicAlarm(scope, id, {
    topic: props.topic,
    metric: props.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
    threshold: 1,
    description: props.description,
  });
}

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
    const alarm = (name: string, metric: IMetric, threshold: number, description: string) => {
      this.alarms.push(
        topicAlarm(this, name, { topic: props.topic, metric, threshold, description }),
      );
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

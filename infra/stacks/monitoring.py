"""Alarms to one SNS topic: function errors and throttles, DLQ and failure-queue depth, stream
iterator age, the API's 5xx answers and p99 latency, and two product signals counted from our JSON
logs (log_signals.py): OA token refresh failures and Zalo quota exhaustion."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .deploy_config import DeployConfig
from .log_signals import QUOTA_EXHAUSTED_CODES, TOKEN_REFRESH_FAILED, ZALO_CALL_FAILED

ITERATOR_AGE_ALARM_MS = 5 * 60 * 1000  # notices more than 5 minutes behind MCĐT's writes
WEBHOOK_LATENCY_ALARM_MS = 1500  # Zalo counts a webhook answer later than 2 s as a failure


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, config: DeployConfig) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.namespace = f"DvcZalo/{config.stage}"
        self.topic = sns.Topic(self, "AlarmTopic", topic_name=f"{config.prefix}-alarms")
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self._action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []
        self._log_metric(
            "TokenRefreshFailures",
            "OA token refresh failed: Zalo refused or did not answer (an admin may need to grant again)",
        )
        self._log_metric(
            "ZaloQuotaExhausted", "Zalo quota exhausted: notices/broadcasts are held until the quota returns"
        )
        self._filters: list[tuple[str, logs.IFilterPattern]] = [
            ("TokenRefreshFailures", logs.FilterPattern.string_value("$.message", "=", TOKEN_REFRESH_FAILED)),
            (
                "ZaloQuotaExhausted",
                logs.FilterPattern.all(
                    logs.FilterPattern.string_value("$.message", "=", ZALO_CALL_FAILED),
                    logs.FilterPattern.any(
                        *(
                            logs.FilterPattern.number_value("$.zalo_error", "=", c)
                            for c in QUOTA_EXHAUSTED_CODES
                        )
                    ),
                ),
            ),
        ]

    def _alarm(
        self, construct_id: str, metric: cloudwatch.IMetric, threshold: float, description: str
    ) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_name=f"{self.config.prefix}-{construct_id}",
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        self.alarms.append(alarm)

    def _log_metric(self, name: str, description: str) -> None:
        self._alarm(name, _metric(self.namespace, name, {}, "Sum"), 1, description)

    def function(
        self, logical_id: str, function_name: str, log_group: logs.LogGroup, *, streamed: bool
    ) -> None:
        """Errors and throttles of one function; iterator age when it reads a stream; log metrics."""
        dimensions = {"FunctionName": function_name}
        for name in ("Errors", "Throttles"):
            metric = _metric("AWS/Lambda", name, dimensions, "Sum")
            self._alarm(f"{logical_id}-{name}", metric, 1, f"{logical_id}: Lambda {name}")
        if streamed:
            age = _metric("AWS/Lambda", "IteratorAge", dimensions, "Maximum")
            description = f"{logical_id}: stream records waiting"
            self._alarm(f"{logical_id}-IteratorAge", age, ITERATOR_AGE_ALARM_MS, description)
        for metric_name, pattern in self._filters:
            logs.MetricFilter(
                self,
                f"{logical_id}-{metric_name}",
                log_group=log_group,
                filter_pattern=pattern,
                metric_namespace=self.namespace,
                metric_name=metric_name,
                metric_value="1",
            )

    def api(self, api_name: str, stage: str) -> None:
        """Chalice answers a view's exception with a 500 without failing the Lambda invocation, so
        the function's Errors alarm misses it; and Zalo wants the webhook's answer within 2 s."""
        dimensions = {"ApiName": api_name, "Stage": stage}
        errors = _metric("AWS/ApiGateway", "5XXError", dimensions, "Sum")
        self._alarm(
            "Api-5XXError", errors, 1, "the API answered 5xx (Zalo retries, then disables the webhook)"
        )
        latency = _metric("AWS/ApiGateway", "Latency", dimensions, "p99")
        self._alarm("Api-Latency", latency, WEBHOOK_LATENCY_ALARM_MS, "p99 latency near Zalo's 2 s limit")

    def queue_depth(self, label: str, queue: sqs.Queue) -> None:
        """Any message on a dead-letter or failure queue is work that was given up on: alarm at one."""
        metric = queue.metric_approximate_number_of_messages_visible(
            period=Duration.minutes(5), statistic="Maximum"
        )
        construct_id = "Depth-" + queue.node.id
        self._alarm(construct_id, metric, 1, f"messages waiting on {label}: see docs/deploy.md")


def _metric(namespace: str, name: str, dimensions: dict[str, str], statistic: str) -> cloudwatch.Metric:
    """A metric over 5-minute periods, the window of every alarm here."""
    return cloudwatch.Metric(
        namespace=namespace,
        metric_name=name,
        dimensions_map=dimensions or None,
        statistic=statistic,
        period=Duration.minutes(5),
    )

"""Builds the domain services with their real adapters, once per Lambda container, on first use.

Created lazily (as in Chalice's todo-app sample) so that importing the app — which `chalice package`
and every cold start do — costs no network calls, and so tests can set the environment first.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3

from functions import models, status_link
from functions.announcements import Announcements
from functions.broadcast import Broadcaster
from functions.config import Settings
from functions.dynamo_stores import (
    DynamoAnnouncementStore,
    DynamoCitizenStore,
    DynamoDossierReader,
    DynamoOutbox,
    DynamoWebhookDeduplicator,
    SqsEventQueue,
)
from functions.notice_sweeper import Sweeper
from functions.notify import Notifier, Sender
from functions.ports import CitizenStore
from functions.secrets import load_zalo_secrets
from functions.token_store import DynamoTokenStore
from functions.tokens import TokenManager
from functions.tracing import enable_if_configured
from functions.webhook import WebhookIntake
from functions.zalo_client import ZaloClient, ZaloOAuth
from functions.zalo_events import EventWorker


def utc_now() -> datetime:
    return datetime.now(UTC)


@functools.cache
def settings() -> Settings:
    enable_if_configured()
    loaded = load_zalo_secrets(Settings.from_env())
    models.bind(loaded)
    return loaded


@functools.cache
def token_manager() -> TokenManager:
    s = settings()
    return TokenManager(
        store=DynamoTokenStore(s.zalo.oa_id),
        oauth=ZaloOAuth(s.zalo),
        initial_refresh_token=s.zalo.initial_refresh_token,
        clock=utc_now,
        owner=f"lambda-{uuid.uuid4().hex[:12]}",
    )


@functools.cache
def zalo() -> ZaloClient:
    return ZaloClient(settings().zalo, token_manager())


@functools.cache
def sqs() -> Any:
    return boto3.client("sqs", region_name=settings().region)


@functools.cache
def outbox() -> DynamoOutbox:
    return DynamoOutbox(settings().notices.retention_days)


@functools.cache
def webhook_intake() -> WebhookIntake:
    s = settings()
    return WebhookIntake(
        app_id=s.zalo.app_id,
        oa_secret_key=s.zalo.oa_secret_key,
        dedup=DynamoWebhookDeduplicator(s.dedup_ttl_seconds),
        queue=SqsEventQueue(sqs(), s.events_queue_url),
    )


@functools.cache
def event_worker() -> EventWorker:
    s = settings()
    return EventWorker(
        dossiers=DynamoDossierReader(),
        citizens=DynamoCitizenStore(),
        outbox=outbox(),
        zalo=zalo(),
        status_url=functools.partial(status_link.url, s.public_base_url, key=s.status_link_key)
        if s.status_link_key
        else lambda code: "",
        province_name=s.province_name,
        clock=utc_now,
    )


@functools.cache
def notice_sender() -> Sender:
    s = settings()
    return Sender(outbox(), zalo(), s.zalo.template_status, clock=utc_now, settings=s.notices)


def _seconds_one_attempt_needs() -> float:
    """A notice attempt: the call, a token refresh and the retried call, plus the outbox writes."""
    return 3 * settings().zalo.timeout_seconds + 5


def notice_opt_outs() -> CitizenStore | None:
    """Where the notifier reads the citizens' chat opt-outs (CitizenStore.by_phone).

    MERGE NOTE: DynamoCitizenStore.by_phone arrives with branch citizen-links. Until it is merged the
    notifier cannot see opt-outs in the deployed stack (the rule is unit-tested with the fakes);
    once merged this returns the store and the guard can go.
    """
    store = DynamoCitizenStore()
    return store if hasattr(store, "by_phone") else None


@functools.cache
def notifier() -> Notifier:
    s = settings()
    return Notifier(
        outbox(),
        notice_sender(),
        notice_opt_outs(),
        clock=utc_now,
        workers=s.notices.workers,
        min_seconds_to_send=_seconds_one_attempt_needs(),
    )


def notice_sweeper(time_left_seconds: Callable[[], float]) -> Sweeper:
    """A sweeper for one scheduled run (the run's remaining time), sharing the notifier's parts."""
    return Sweeper(notifier(), time_left=time_left_seconds)


@functools.cache
def announcements() -> Announcements:
    settings()
    return Announcements(DynamoAnnouncementStore(), clock=utc_now)


def broadcaster(time_left_seconds: Any) -> Broadcaster:
    """A broadcaster for one scheduled run (its own run id, the run's remaining time)."""
    settings()
    return Broadcaster(
        DynamoAnnouncementStore(),
        zalo(),
        clock=utc_now,
        run_id=f"run-{uuid.uuid4().hex[:12]}",
        time_left=time_left_seconds,
    )


def reset() -> None:
    """Forget every cached service (tests that change the environment)."""
    for cached in (
        settings,
        token_manager,
        zalo,
        sqs,
        outbox,
        webhook_intake,
        event_worker,
        notice_sender,
        notifier,
        announcements,
    ):
        cached.cache_clear()

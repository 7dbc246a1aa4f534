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

from functions import messages, models, status_link
from functions.announcements import Announcements, BroadcastHours
from functions.broadcast import Broadcaster, Budget
from functions.citizen_links import CitizenLinks
from functions.config import Settings
from functions.dynamo_stores import (
    DynamoAnnouncementStore,
    DynamoAuditLog,
    DynamoCitizenStore,
    DynamoDossierItems,
    DynamoDossierReader,
    DynamoLookupLimiter,
    DynamoOutbox,
    DynamoPhoneDossierIndex,
    DynamoReplyLog,
    DynamoWebhookDeduplicator,
    SqsEventQueue,
)
from functions.image_fetch import ImageDownloader
from functions.notice_sweeper import Sweeper
from functions.notify import Notifier, Sender
from functions.phone_index import PhoneIndexer
from functions.photo_codes import PhotoReader
from functions.ports import CitizenStore
from functions.receipts import Receipts
from functions.secrets import load_zalo_secrets
from functions.status_page import StatusPages
from functions.token_store import DynamoTokenStore
from functions.tokens import TokenManager
from functions.tracing import enable_if_configured
from functions.webhook import WebhookIntake
from functions.zalo_client import ZaloClient, ZaloOAuth
from functions.zalo_events import EventWorker


def wall_clock() -> datetime:
    return datetime.now(UTC)


# Every service's clock. In AWS the wall clock; the local stack points it at the Zalo simulator's
# clock so that a test (or `make run`) can advance time on both sides together (/_sim/clock/advance):
# schedules, broadcast hours, webhook timestamps, token expiry and leases all move as one.
_clock: Callable[[], datetime] = wall_clock


def use_clock(clock: Callable[[], datetime]) -> None:
    global _clock
    _clock = clock


def utc_now() -> datetime:
    return _clock()


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
        store=DynamoTokenStore(s.zalo.oa_id, clock=utc_now),
        oauth=ZaloOAuth(s.zalo, clock=utc_now),
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
        max_skew_seconds=s.webhook_max_skew_seconds,
    )


@functools.cache
def citizen_links() -> CitizenLinks:
    s = settings()
    return CitizenLinks(
        citizens=DynamoCitizenStore(),
        phone_dossiers=DynamoPhoneDossierIndex(),
        dossiers=DynamoDossierReader(),
        province_name=s.province_name,
        card_image_url=s.info_card_image_url,
        clock=utc_now,
    )


@functools.cache
def phone_indexer() -> PhoneIndexer:
    settings()
    return PhoneIndexer(DynamoPhoneDossierIndex(), clock=utc_now)


@functools.cache
def event_worker() -> EventWorker:
    s = settings()
    return EventWorker(
        links=citizen_links(),
        dossiers=DynamoDossierReader(),
        citizens=DynamoCitizenStore(),
        outbox=outbox(),
        zalo=zalo(),
        status_url=functools.partial(status_link.url, s.public_base_url, key=s.status_link_key)
        if s.status_link_key
        else lambda code: "",
        province_name=s.province_name,
        clock=utc_now,
        photos=PhotoReader(ImageDownloader()),
        replies=DynamoReplyLog(),
        limiter=DynamoLookupLimiter(s.lookup_limit, s.lookup_window_seconds),
        lookup_limit_note=messages.lookup_limit_reply(s.lookup_limit, s.lookup_window_seconds // 60),
    )


@functools.cache
def status_pages() -> StatusPages:
    s = settings()
    return StatusPages(DynamoDossierReader(), s.status_link_key, s.province_name, clock=utc_now)


@functools.cache
def notice_sender() -> Sender:
    s = settings()
    return Sender(outbox(), zalo(), s.zalo.template_status, clock=utc_now, settings=s.notices)


def _seconds_one_attempt_needs() -> float:
    """A notice attempt: the call, a token refresh and the retried call, plus the outbox writes."""
    return 3 * settings().zalo.timeout_seconds + 5


def notice_opt_outs() -> CitizenStore:
    """Where the notifier reads the citizens' chat opt-outs (CitizenStore.by_phone)."""
    return DynamoCitizenStore()


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


def _article_author() -> str:
    """The byline followers read on the article: the service, not an official's login."""
    return f"Dịch vụ công {settings().province_name}"[:50]


@functools.cache
def announcements() -> Announcements:
    s = settings()
    return Announcements(
        DynamoAnnouncementStore(),
        DynamoAuditLog(),
        clock=utc_now,
        approvals_required=s.approvals_required,
        hours=BroadcastHours.parse(s.broadcast_hours),
        article_author=_article_author(),
    )


@functools.cache
def receipts() -> Receipts:
    s = settings()
    items = DynamoDossierItems(boto3.client("dynamodb", region_name=s.region), s.tables.dossiers)
    return Receipts.configured(items, s)


def broadcaster(time_left_seconds: Callable[[], float]) -> Broadcaster:
    """A broadcaster for one scheduled run: its own run id and the run's remaining time. The margin
    covers one Zalo step (a call, a token refresh and the retried call) and recording its result."""
    s = settings()
    return Broadcaster(
        DynamoAnnouncementStore(),
        DynamoAuditLog(),
        zalo(),
        clock=utc_now,
        run_id=f"run-{uuid.uuid4().hex[:12]}",
        hours=BroadcastHours.parse(s.broadcast_hours),
        article_author=_article_author(),
        budget=Budget(time_left_seconds, margin_seconds=2 * s.zalo.timeout_seconds + 5),
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
        citizen_links,
        phone_indexer,
        event_worker,
        status_pages,
        notice_sender,
        notifier,
        announcements,
        receipts,
    ):
        cached.cache_clear()

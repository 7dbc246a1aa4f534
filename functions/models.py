"""PynamoDB models: the Dossiers contract that MCĐT writes, and our own tables (design.md §4).

Table names come from configuration (`bind(settings)`), never from the code, so one code base
serves every stage and province. The endpoint follows `AWS_ENDPOINT_URL` (botocore reads it), which
is how the local stack points everything at the embedded moto server.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from functions.config import Settings


class DossierModel(Model):
    """The MCĐT contract: attribute names follow the national portal's DongBoHoSoMC record.

    We only read this table. Dates are `yyyyMMddHHmmss` strings in Vietnam time, as MCĐT sends them.
    """

    class Meta:
        table_name = "dossiers"
        region = "ap-southeast-1"

    code = UnicodeAttribute(hash_key=True, attr_name="MaHoSo")
    procedure_code = UnicodeAttribute(null=True, attr_name="MaTTHC")
    procedure_name = UnicodeAttribute(null=True, attr_name="TenTTHC")
    processing_unit = UnicodeAttribute(null=True, attr_name="DonViXuLy")
    applicant_name = UnicodeAttribute(null=True, attr_name="ChuHoSo")
    phone = UnicodeAttribute(null=True, attr_name="SoDienThoai")
    notify_zalo = BooleanAttribute(null=True, attr_name="NhanThongBaoZalo")
    status = NumberAttribute(attr_name="TrangThaiHoSo")
    received_at = UnicodeAttribute(null=True, attr_name="NgayTiepNhan")
    due_at = UnicodeAttribute(null=True, attr_name="NgayHenTra")
    returned_at = UnicodeAttribute(null=True, attr_name="NgayTra")
    note = UnicodeAttribute(null=True, attr_name="GhiChu")


class CitizenPhoneIndex(GlobalSecondaryIndex["CitizenModel"]):
    """OA users by linked phone: the notifier asks whether the phone's owner opted out.

    Sparse: only citizens who shared a phone have the attribute, so only they are in the index.
    """

    class Meta:
        index_name = "by-phone"
        projection = AllProjection()

    phone = UnicodeAttribute(hash_key=True)


class CitizenModel(Model):
    """An OA follower: follow state, last interaction (CS window), linked phone, opt-outs."""

    class Meta:
        table_name = "citizens"
        region = "ap-southeast-1"

    user_id = UnicodeAttribute(hash_key=True)
    following = BooleanAttribute(default=False)
    last_interaction_at = UTCDateTimeAttribute(null=True)
    phone = UnicodeAttribute(null=True)  # E.164; removed (never "") when unlinked: it keys an index
    phone_linked_at = UTCDateTimeAttribute(null=True)
    opted_out = BooleanAttribute(default=False)
    opted_out_codes = UnicodeSetAttribute(null=True)  # DynamoDB has no empty sets: absent = none
    welcome_pending = BooleanAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)
    by_phone = CitizenPhoneIndex()


class PhoneDossierModel(Model):
    """Our projection of the Dossiers table by phone (phone_index.py): E.164 phone → open dossiers.

    MCĐT stores the phone as typed at the desk, which no query can match; the Dossiers stream keeps
    this table in step. Closed dossiers are deleted from it.
    """

    class Meta:
        table_name = "dossiers-by-phone"
        region = "ap-southeast-1"

    phone = UnicodeAttribute(hash_key=True)
    dossier_code = UnicodeAttribute(range_key=True)
    status = NumberAttribute()
    updated_at = UTCDateTimeAttribute()


class DossierIndex(GlobalSecondaryIndex["NotificationModel"]):
    """Every notice of one dossier, for operators asking 'why did this citizen get nothing?'."""

    class Meta:
        index_name = "by-dossier"
        projection = AllProjection()

    dossier_code = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex["NotificationModel"]):
    """Sparse: only notices with a `next_attempt_at` (pending, failed_temporary, held, sending) are
    in it, so the sweeper's query reads the few that need work, never the sent history. Keys only:
    the sweeper claims each one by id, and the claim returns the whole item."""

    class Meta:
        index_name = "by-due"
        projection = KeysOnlyProjection()

    state = UnicodeAttribute(hash_key=True)
    next_attempt_at = UTCDateTimeAttribute(range_key=True)


class NotificationModel(Model):
    """The outbox: one record per status notice, written before Zalo is called (notice_policy.py)."""

    class Meta:
        table_name = "notifications"
        region = "ap-southeast-1"

    notice_id = UnicodeAttribute(hash_key=True)
    dossier_code = UnicodeAttribute()
    status = NumberAttribute()
    phone = UnicodeAttribute(null=True)
    template_data = MapAttribute[str, str](default=dict)
    state = UnicodeAttribute()
    channel = UnicodeAttribute(default="zbs")
    attempts = NumberAttribute(default=0)
    failures = NumberAttribute(default=0)
    zalo_msg_id = UnicodeAttribute(null=True)
    error_code = NumberAttribute(default=0)
    error = UnicodeAttribute(null=True)
    sequence_number = UnicodeAttribute(null=True)
    claim_id = UnicodeAttribute(null=True)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    delivered_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # DynamoDB TTL (enable it on this attribute in infra/)
    by_dossier = DossierIndex()
    by_due = DueIndex()


class StateIndex(GlobalSecondaryIndex["AnnouncementModel"]):
    """Announcements by state and time, so the broadcaster reads only what is due."""

    class Meta:
        index_name = "by-state"
        projection = AllProjection()

    state = UnicodeAttribute(hash_key=True)
    send_at = UTCDateTimeAttribute(range_key=True)


class AnnouncementModel(Model):
    """One announcement through its lifecycle (ports.py); `version` guards every write."""

    class Meta:
        table_name = "announcements"
        region = "ap-southeast-1"

    announcement_id = UnicodeAttribute(hash_key=True)
    title = UnicodeAttribute()
    summary = UnicodeAttribute()
    link = UnicodeAttribute()
    cover_url = UnicodeAttribute(null=True)
    author = UnicodeAttribute(null=True)
    send_at = UTCDateTimeAttribute(null=True)  # drafts may have no time yet (then not in by-state)
    state = UnicodeAttribute()
    target = MapAttribute[str, str](default=dict)
    approvers = ListAttribute[str](of=UnicodeAttribute, default=list)
    article_token = UnicodeAttribute(null=True)
    article_id = UnicodeAttribute(null=True)
    zalo_message_id = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    hold_reason = UnicodeAttribute(null=True)
    not_before = UTCDateTimeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    claimed_by = UnicodeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    sent_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(default=0)
    by_state = StateIndex()


class AnnouncementAuditModel(Model):
    """Who did what to an announcement, and when: one item per action, in order."""

    class Meta:
        table_name = "announcement-audit"
        region = "ap-southeast-1"

    announcement_id = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)  # ISO time + "#" + a random suffix: ordered, unique
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    details = MapAttribute[str, str](default=dict)


class WebhookEventModel(Model):
    """Seen webhook events, to answer Zalo's redeliveries without doing the work twice."""

    class Meta:
        table_name = "webhook-events"
        region = "ap-southeast-1"

    event_key = UnicodeAttribute(hash_key=True)
    event_name = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class ReplyModel(Model):
    """One chat reply (CS message), written before the call: a redelivered event skips what was sent.

    Id: the webhook event key + the reply's place in the answer (`msg:<msg_id>#0`). No text and no
    user id are kept: the record says only what happened to that reply.
    """

    class Meta:
        table_name = "replies"
        region = "ap-southeast-1"

    reply_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    state = UnicodeAttribute()  # sending → sent | failed_permanent | failed_temporary → … | failed_final
    attempts = NumberAttribute(default=0)
    lease_until = UTCDateTimeAttribute(null=True)
    zalo_msg_id = UnicodeAttribute(null=True)
    error_code = NumberAttribute(default=0)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class LookupLimitModel(Model):
    """Lookups one OA user made in one fixed window (`<user_id>#<window start>`), expiring by TTL."""

    class Meta:
        table_name = "lookup-limits"
        region = "ap-southeast-1"

    bucket = UnicodeAttribute(hash_key=True)
    hits = NumberAttribute(default=0)
    events = UnicodeSetAttribute(null=True)  # event keys already counted (redeliveries count once)
    notified_by = UnicodeAttribute(null=True)  # the event that told the user about the limit
    expires_at = TTLAttribute()


class OaTokenModel(Model):
    """The OA's token pair and the lock that serialises refreshes (refresh tokens are single-use)."""

    class Meta:
        table_name = "oa-tokens"
        region = "ap-southeast-1"

    oa_id = UnicodeAttribute(hash_key=True)
    access_token = UnicodeAttribute(null=True)
    refresh_token = UnicodeAttribute(null=True)
    expires_at = UTCDateTimeAttribute(null=True)
    refreshed_at = UTCDateTimeAttribute(null=True)
    lock_owner = UnicodeAttribute(null=True)
    lock_until = UTCDateTimeAttribute(null=True)


ALL_MODELS: tuple[type[Model], ...] = (
    DossierModel,
    CitizenModel,
    NotificationModel,
    AnnouncementModel,
    AnnouncementAuditModel,
    WebhookEventModel,
    OaTokenModel,
    ReplyModel,
    LookupLimitModel,
    PhoneDossierModel,
)


def bind(settings: Settings) -> None:
    """Point every model at this deployment's tables and region (call once per cold start)."""
    names = {
        DossierModel: settings.tables.dossiers,
        CitizenModel: settings.tables.citizens,
        NotificationModel: settings.tables.notifications,
        AnnouncementModel: settings.tables.announcements,
        AnnouncementAuditModel: settings.tables.announcement_audit,
        WebhookEventModel: settings.tables.webhook_events,
        OaTokenModel: settings.tables.oa_tokens,
        ReplyModel: settings.tables.replies,
        LookupLimitModel: settings.tables.lookup_limits,
        PhoneDossierModel: settings.tables.phone_dossiers,
    }
    for model, name in names.items():
        model.Meta.table_name = name
        model.Meta.region = settings.region
        model._connection = None

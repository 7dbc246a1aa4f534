"""The citizen's own relationship with the OA in chat: follow, sharing the phone, "hồ sơ của tôi",
stopping and restarting status notices, withdrawing the phone link.

Each flow changes the citizen record (CitizenStore) and returns what to send, as `Say` texts and
`AskPhone` cards; the event worker (zalo_events.py) does the sending, so this module never talks to
Zalo and its flows are tested with fakes alone.

Rules that protect people:
- The phone comes only from Zalo's user_submit_info (the account's number, shared by a tap),
  normalised to E.164; nothing the citizen types in the chat is taken as their phone. Open question
  (zalo-api.md §1.5 does not say): whether Zalo's share form lets a person edit the number. If it
  does, "hồ sơ của tôi" and per-dossier stops need a second factor before production.
- Stopping notices for one dossier is accepted only for a dossier registered with the linked phone.
  Any other code gets the same answer whether it exists or not, so nothing leaks.
- "Hồ sơ của tôi" lists only dossiers whose phone (re-read from the Dossiers table) is the linked one.
- Withdrawal deletes the link and the opt-outs (domain.md §6: delete the mapping on withdrawal).

The opt-outs live on the citizen record: the notifier reads them through `CitizenStore.by_phone`
and `Citizen.wants_notices_for` (ports.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions import link_messages, messages
from functions.commands import Command, Intent
from functions.logs import get_logger, log
from functions.phone_index import is_open, phone_of
from functions.phones import InvalidPhone, normalise
from functions.ports import Citizen, CitizenStore, DossierReader, PhoneDossierIndex
from functions.privacy import mask_user_id

logger = get_logger("citizen_links")

LIST_LIMIT = 10  # dossiers read and shown for "hồ sơ của tôi"; the rest are counted


@dataclass(frozen=True)
class Say:
    text: str
    kind: str  # for logs and metrics: "welcome", "linked", "my_dossiers", …


@dataclass(frozen=True)
class AskPhone:
    """The request_user_info card (zalo-api.md §2.2); the answer is a user_submit_info event."""

    title: str
    subtitle: str
    image_url: str


Outgoing = Say | AskPhone


class CitizenLinks:
    def __init__(
        self,
        citizens: CitizenStore,
        phone_dossiers: PhoneDossierIndex,
        dossiers: DossierReader,
        province_name: str,
        card_image_url: str,
        clock: Callable[[], datetime],
    ) -> None:
        self.citizens = citizens
        self.phone_dossiers = phone_dossiers
        self.dossiers = dossiers
        self.province_name = province_name
        self.card_image_url = card_image_url
        self.clock = clock

    # --- follow ----------------------------------------------------------------------------------

    def on_follow(self, user_id: str) -> list[Outgoing]:
        self.citizens.set_following(user_id, True, self.clock())
        return self._welcome(self.citizens.get(user_id))

    def on_unfollow(self, user_id: str) -> None:
        """Recorded only: the link and opt-outs stay (notices go by phone, following or not)."""
        self.citizens.set_following(user_id, False, self.clock())

    def welcome_refused(self, user_id: str) -> None:
        """Zalo would not let us write yet (a follow may not open the 7-day window, zalo-api.md §11.4):
        the welcome waits for the citizen's first message."""
        self.citizens.set_welcome_pending(user_id, True, self.clock())

    def pending_welcome(self, user_id: str) -> list[Outgoing]:
        """The welcome a refused follow left behind, once; [] when there is none."""
        citizen = self.citizens.get(user_id)
        if citizen is None or not citizen.welcome_pending:
            return []
        self.citizens.set_welcome_pending(user_id, False, self.clock())
        return self._welcome(citizen)

    # --- user_submit_info --------------------------------------------------------------------------

    def on_submit_info(self, user_id: str, info: dict[str, Any]) -> list[Outgoing]:
        now = self.clock()
        self.citizens.record_interaction(user_id, now)
        try:
            phone = normalise(str(info.get("phone") or ""))
        except InvalidPhone as exc:
            log(logger, logging.INFO, "shared phone refused", user=mask_user_id(user_id), reason=exc.reason)
            return [Say(link_messages.invalid_phone_reply(), "invalid_phone")]
        self.citizens.link_phone(user_id, phone, now)
        log(logger, logging.INFO, "phone linked", user=mask_user_id(user_id))
        count = sum(1 for entry in self.phone_dossiers.for_phone(phone) if is_open(entry.status))
        return [Say(link_messages.linked_reply(phone, count), "linked")]

    # --- commands --------------------------------------------------------------------------------

    def on_command(self, user_id: str, command: Command) -> list[Outgoing]:
        citizen = self.citizens.get(user_id) or Citizen(user_id)
        handler = {
            Intent.HELP: self._help,
            Intent.MY_DOSSIERS: self._my_dossiers,
            Intent.STOP: self._stop,
            Intent.START: self._start,
            Intent.WITHDRAW: self._withdraw,
        }[command.intent]
        log(logger, logging.INFO, "command", intent=str(command.intent), user=mask_user_id(user_id))
        return handler(citizen, command.codes)

    def _help(self, citizen: Citizen, codes: tuple[str, ...]) -> list[Outgoing]:
        return [Say(link_messages.help_reply(), "help")]

    def _my_dossiers(self, citizen: Citizen, codes: tuple[str, ...]) -> list[Outgoing]:
        if not citizen.phone:
            return [Say(link_messages.phone_needed_reply("xem hồ sơ của mình"), "phone_needed"), self._card()]
        entries = [e for e in self.phone_dossiers.for_phone(citizen.phone) if is_open(e.status)]
        shown = []
        for entry in entries[:LIST_LIMIT]:
            dossier = self.dossiers.get(entry.dossier_code)
            # The projection can lag behind the table: show only what the table says is theirs and open.
            if dossier is not None and phone_of(dossier) == citizen.phone and is_open(dossier.status):
                shown.append(dossier)
        more = max(0, len(entries) - LIST_LIMIT)
        return [Say(link_messages.my_dossiers_reply(citizen.phone, shown, more), "my_dossiers")]

    def _stop(self, citizen: Citizen, codes: tuple[str, ...]) -> list[Outgoing]:
        now = self.clock()
        if not codes:
            self.citizens.set_opt_outs(citizen.user_id, True, citizen.opted_out_codes, now)
            reply = Say(link_messages.stopped_all_reply(citizen.phone), "stopped")
            return [reply] if citizen.phone else [reply, self._card()]
        if not citizen.phone:
            needed = link_messages.phone_needed_reply("dừng thông báo của một hồ sơ")
            return [Say(needed, "phone_needed"), self._card()]
        mine = [code for code in codes if self._registered_to(code, citizen.phone)]
        others = [code for code in codes if code not in mine]
        if mine:
            self.citizens.set_opt_outs(
                citizen.user_id, citizen.opted_out, citizen.opted_out_codes | set(mine), now
            )
        return [Say(link_messages.stopped_codes_reply(mine, others), "stopped_codes")]

    def _start(self, citizen: Citizen, codes: tuple[str, ...]) -> list[Outgoing]:
        now = self.clock()
        if not codes:
            self.citizens.set_opt_outs(citizen.user_id, False, frozenset(), now)
            return [Say(link_messages.started_all_reply(), "started")]
        self.citizens.set_opt_outs(
            citizen.user_id, citizen.opted_out, citizen.opted_out_codes - set(codes), now
        )
        return [Say(link_messages.started_codes_reply(list(codes), citizen.opted_out), "started_codes")]

    def _withdraw(self, citizen: Citizen, codes: tuple[str, ...]) -> list[Outgoing]:
        if not (citizen.phone or citizen.opted_out or citizen.opted_out_codes):
            return [Say(link_messages.nothing_to_withdraw_reply(), "nothing_to_withdraw")]
        self.citizens.unlink_phone(citizen.user_id, self.clock())
        log(logger, logging.INFO, "phone link withdrawn", user=mask_user_id(citizen.user_id))
        return [Say(link_messages.withdrawn_reply(citizen.phone), "withdrawn")]

    def on_data_withdrawal(self, user_id: str) -> str:
        """Zalo's user_withdraw (the citizen withdrew consent in Zalo itself): delete the link and
        opt-outs like "xoá số điện thoại", without a message (they asked us to stop using their data)."""
        citizen = self.citizens.get(user_id)
        if citizen is None or not (citizen.phone or citizen.opted_out or citizen.opted_out_codes):
            return "nothing_to_withdraw"
        self.citizens.unlink_phone(user_id, self.clock())
        log(logger, logging.INFO, "phone link withdrawn in Zalo", user=mask_user_id(user_id))
        return "withdrawn"

    # --- helpers ---------------------------------------------------------------------------------

    def _welcome(self, citizen: Citizen | None) -> list[Outgoing]:
        welcome = Say(messages.welcome_reply(self.province_name), "welcome")
        return [welcome] if citizen is not None and citizen.phone else [welcome, self._card()]

    def _card(self) -> AskPhone:
        title, subtitle = link_messages.ask_phone_card(self.province_name)
        return AskPhone(title, subtitle, self.card_image_url)

    def _registered_to(self, code: str, phone: str) -> bool:
        dossier = self.dossiers.get(code)
        return dossier is not None and phone_of(dossier) == phone

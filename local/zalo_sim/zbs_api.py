"""ZBS Template Message by phone (old ZNS wire protocol): `POST /message/template` (zalo-api.md §3).

Checks run in this order, each with Zalo's code: phone (-108), template (-109), template_data
empty (-111), required param (-1122), value format (-1124), value too long (-1121), tracking_id
(-1122), development mode to a non-admin (-127), a night-restricted template between 22:00 and 06:00
Vietnam time (-133, `night_templates`), phone not on Zalo (-118), daily quota (-144).
Every valid number is on Zalo unless marked with POST /_sim/phones/no-zalo.
An accepted message lands in the phone's inbox and, if enabled, a ZNS delivery receipt follows.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from local.zalo_sim import events, sim
from local.zalo_sim.config import SimConfig, TemplateParam
from local.zalo_sim.envelope import ZaloFail, json_body, ok
from local.zalo_sim.phones import any_phone, zbs_phone
from local.zalo_sim.vietnam_time import is_night, vietnam_time

bp = Blueprint("zalo_zbs", __name__)


@bp.post("/message/template")
def send_template() -> Response:
    simulator = sim.current()
    cfg, state = simulator.config, simulator.state
    body = json_body(-132)
    phone = zbs_phone(body.get("phone"))
    if phone is None:
        raise ZaloFail(-108, "Phone number is invalid")
    template_id = str(body.get("template_id", ""))
    params = cfg.templates.get(template_id)
    if params is None:
        raise ZaloFail(-109, "Template id is invalid")
    data = _template_data(body.get("template_data"), params)
    tracking_id = body.get("tracking_id")
    if not isinstance(tracking_id, str) or not tracking_id:
        raise ZaloFail(-1122, "Missing parameter: tracking_id")
    mode = body.get("mode")
    if mode == "development" and phone not in _admins(cfg):
        raise ZaloFail(-127, "Development mode can only send to the admins of the App or OA")
    sending_mode = str(body.get("sending_mode", "1"))
    if template_id in cfg.night_templates and is_night(state.now_ms()):
        raise ZaloFail(-133, "This template can not be sent between 22:00 and 06:00")
    with state.lock:
        if phone in state.no_zalo:
            raise ZaloFail(-118, "Zalo account not existed")
        now = state.now_ms()
        day = _day(now)
        sent = state.zbs_sent.get(day, 0)
        if sent >= cfg.zbs_daily_quota:
            raise ZaloFail(-144, "OA has reached the daily quota of ZBS messages")
        state.zbs_sent[day] = sent + 1
        msg_id = state.hex_id()
        state.log_phone(
            phone,
            {
                "kind": "zbs",
                "direction": "out",
                "msg_id": msg_id,
                "tracking_id": tracking_id,
                "template_id": template_id,
                "template_data": data,
                "mode": mode or "",
                "sending_mode": sending_mode,
                "labels": {p.name: p.label for p in params},
            },
        )
    if cfg.deliver_zbs_receipts:
        receipt = events.zns_receipt(cfg, phone, msg_id, tracking_id, now, now)
        simulator.deliverer.deliver_later(receipt, zns=True)
    return ok(
        {
            "msg_id": msg_id,
            "sent_time": str(now),
            "sending_mode": sending_mode,
            "quota": _quota(cfg, sent + 1),
        }
    )


@bp.get("/message/quota")
def quota() -> Response:
    simulator = sim.current()
    with simulator.state.lock:
        sent = simulator.state.zbs_sent.get(_day(simulator.state.now_ms()), 0)
    return ok(_quota(simulator.config, sent))


@bp.get("/template/info/v2")
def template_info() -> Response:
    """The template's parameters, so a product can check its template_data keys against Zalo's."""
    template_id = request.args.get("template_id", "")
    params = sim.current().config.templates.get(template_id)
    if params is None:
        raise ZaloFail(-109, "Template id is invalid")
    return ok(
        {
            "templateId": template_id,
            "templateName": template_id,
            "status": "ENABLE",
            "listParams": [
                {
                    "name": p.name,
                    "require": p.required,
                    "type": "STRING",
                    "maxLength": p.max_length,
                    "minLength": 0,
                    "acceptNull": not p.required,
                }
                for p in params
            ],
        }
    )


def _template_data(data: Any, params: list[TemplateParam]) -> dict[str, Any]:
    if not isinstance(data, dict) or not data:
        raise ZaloFail(-111, "Template data is empty")
    for param in params:
        value = data.get(param.name)
        if value is None or value == "":
            if param.required:
                raise ZaloFail(-1122, f"Missing parameter: {param.name}")
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ZaloFail(-1124, f"Parameter {param.name} has an invalid format")
        if len(str(value)) > param.max_length:
            raise ZaloFail(-1121, f"Parameter {param.name} exceeds {param.max_length} characters")
    return data


def _admins(cfg: SimConfig) -> set[str]:
    return {p for p in map(any_phone, cfg.admin_phones) if p}


def _quota(cfg: SimConfig, sent: int) -> dict[str, str]:
    return {"dailyQuota": str(cfg.zbs_daily_quota), "remainingQuota": str(max(0, cfg.zbs_daily_quota - sent))}


def _day(now_ms: int) -> str:
    return vietnam_time(now_ms).strftime("%Y-%m-%d")

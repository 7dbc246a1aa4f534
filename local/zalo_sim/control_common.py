"""Small helpers the control API (/_sim/...) shares: JSON errors, bodies, user lookup."""

from __future__ import annotations

from typing import Any

from flask import request

from local.zalo_sim.state import Delivery, SimState, User


class ControlError(Exception):
    """A control-API mistake (bad input, unknown id): answered `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def body() -> dict[str, Any]:
    """The JSON object sent, or {} for an empty body; anything else is a 400."""
    if not request.get_data():
        return {}
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise ControlError(400, "body must be a JSON object")
    return data


def user_or_404(state: SimState, user_id: str) -> User:
    user = state.users.get(user_id)
    if user is None:
        raise ControlError(404, f"no user {user_id}")
    return user


def delivered(delivery: Delivery) -> dict[str, Any]:
    """What a control call reports about the webhook it caused."""
    return {"webhook_status": delivery.status, "webhook_error": delivery.error, "delivery": delivery.index}

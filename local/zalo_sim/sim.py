"""The one object a simulator app carries: its settings, its memory and its webhook sender.

Handlers reach it with `current()`; the config is replaced (not mutated) on PATCH /_sim/config so a
request that already read it keeps a consistent view.
"""

from __future__ import annotations

from flask import current_app

from local.zalo_sim.config import SimConfig
from local.zalo_sim.state import Clock, SimState
from local.zalo_sim.webhooks import Deliverer

EXTENSION_KEY = "zalo_sim"


class Simulator:
    def __init__(self, config: SimConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.state = SimState(config) if clock is None else SimState(config, clock)
        self.deliverer = Deliverer(self.state, lambda: self.config)

    def reset(self) -> None:
        """Fresh memory (users, tokens, logs, faults, clock shift); the settings stay."""
        self.deliverer.flush(timeout_s=2.0)
        self.state.reset(self.config)


def current() -> Simulator:
    return current_app.extensions[EXTENSION_KEY]

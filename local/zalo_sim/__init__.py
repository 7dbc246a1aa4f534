"""A local Zalo (OA Open API, ZBS by phone, OAuth v4, webhooks) that follows docs zalo-api.md.

It is an independent implementation of Zalo's side and never imports the product package
`functions`: contract tests are only meaningful if the two sides were written apart.

    from local.zalo_sim import SimConfig, create_app, start
"""

from local.zalo_sim.app import create_app
from local.zalo_sim.config import SimConfig, TemplateParam
from local.zalo_sim.server import SimServer, start

__all__ = ["SimConfig", "SimServer", "TemplateParam", "create_app", "start"]

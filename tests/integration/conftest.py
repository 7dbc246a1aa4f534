"""In-process moto for the adapters' integration tests: fake credentials, our models bound to a
test stage, the tables a test asks for created, everything restored afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from moto import mock_aws
from pynamodb.models import Model

from functions import models
from functions.config import Settings
from local.moto_atomic import install as make_conditional_writes_atomic


@pytest.fixture
def moto_tables(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Call it with the models whose tables the test needs: `moto_tables(models.OaTokenModel)`."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    saved = {model: (model.Meta.table_name, model.Meta.region) for model in models.ALL_MODELS}

    def create(*wanted: type[Model]) -> None:
        for model in wanted:
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)

    make_conditional_writes_atomic()
    with mock_aws():
        models.bind(Settings.from_env({"STAGE": "itest", "AWS_REGION": "ap-southeast-1"}))
        yield create
    for model, (name, region) in saved.items():
        model.Meta.table_name, model.Meta.region = name, region
        model._connection = None

"""The error bodies every operation answers with."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict, Field


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    model_config = ConfigDict(extra="allow")

    code: str = Field(description="machine-readable reason, e.g. not_enough_budget")
    detail: str = Field(description="what happened, written for a person")
    errors: list[FieldError] | None = None


class OrderErrorOut(ErrorOut):
    available_usd: str | None = None
    requested_usd: str | None = None
    field: str | None = None
    client_order_id: str | None = Field(None, description="the order, when it reached the venue")
    order_status: str | None = None
    incident_id: int | None = Field(None, description="the incident, if any")

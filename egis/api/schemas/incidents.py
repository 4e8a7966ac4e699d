"""Incidents and their resolution."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from egis.api.schemas.fields import Id, PriceAmount, Reason, Strict


class IncidentOut(Schema):
    id: int
    kind: str
    status: str
    bot_id: int | None
    order_id: int | None
    client_order_id: str
    venue_order_id: str
    intent: str
    error: str
    resolution: str
    resolution_reason: str
    resolved_by: str | None
    created_at: str | None
    resolved_at: str | None
    payload: Any = None
    actions: list[str] = Field(default_factory=list, description="resolve actions that apply")


class ResolveIn(Strict):
    action: Literal["apply-venue-fill", "void-order", "close-position", "acknowledge"]
    reason: Reason
    price: PriceAmount | None = Field(None, description="exit price (close-position)")
    position_id: Id | None = Field(None, description="close-position: which position")


class ResolutionOut(Schema):
    incident: IncidentOut
    action: str
    detail: str
    halts_lifted: list[int]


class IncidentPageOut(Schema):
    items: list[IncidentOut]
    count: int
    page: int
    page_size: int
    pages: int

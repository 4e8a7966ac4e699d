"""Paper sync: the paper venue's book against the fold of its executions, dry run or applied."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field

from egis.api.schemas.fields import Strict


class PaperSyncIn(Strict):
    confirm: bool = Field(False, description="false: dry-run (the default); true: apply")


class PaperChangeRowOut(Schema):
    status: str
    side: str
    qty: str
    entry_price: str


class PaperChangeOut(Schema):
    action: str = Field(description="create | close | update")
    bot_id: int
    symbol: str
    before: PaperChangeRowOut | None
    after: PaperChangeRowOut


class PaperSyncOut(Schema):
    bot_id: int
    applied: bool = Field(description="true when confirm was given and the changes were written")
    summary: str
    counts: dict[str, int]
    diff: list[PaperChangeOut] = Field(description="paper book changes (applied or would-be)")

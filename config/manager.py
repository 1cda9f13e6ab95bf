"""The manager's authority: what it may grant without a human."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from config.section import Section


class ManagerSettings(Section):
    manager_max_credit: Decimal = Field(default=Decimal("50"), ge=0, decimal_places=2)
    manager_max_refund: Decimal = Field(default=Decimal("200"), ge=0, decimal_places=2)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")

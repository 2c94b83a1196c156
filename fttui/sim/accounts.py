"""The simulator's seeded accounts and their API keys.

Each key is a constant so tests, docs and the demo mode can name the account whose
behaviour they want: a working pro account, a lifetime one, a plan without API access,
an exhausted month, a revoked key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEMO_KEY = "ft_live_1e22e0871b0503748bab3524add4bc89"
"""Pro plan, 1953 generations left this month: the key printed on start."""

LIFETIME_KEY = "ft_live_a1689b9ca5011851a53d19dcd5ec2ef1"
"""Lifetime plan with pack credits on top of the month."""

PACK_ONLY_KEY = "ft_live_a51b53937d6955aa7f13af89f1969bf7"
"""Pro plan whose month is used up but which still has 3 pack credits."""

NO_API_PLAN_KEY = "ft_live_4a95546e0850b44bc75639355da1877a"
"""Free plan: every endpoint answers 403 PRO_PLAN_REQUIRED."""

EXHAUSTED_KEY = "ft_live_ba341029c944c5534670ee6e9244d2b8"
"""Pro plan with the month used up and no pack credits: POST answers 402."""

REVOKED_KEY = "ft_live_b6a9e6f922b076a703cb0cf01a55dafb"
"""A well-formed key that was revoked: every request answers 401 INVALID_API_KEY."""

KEY_PATTERN = re.compile(r"ft_live_[0-9a-fA-F]{32}")


@dataclass
class Account:
    """One user of the API, with its mutable credit counters."""

    id: str
    email: str
    name: str
    tier: str
    api_access: bool
    monthly_generations: int
    generations_used: int
    pack_credits: int
    queue_depth: int = 5

    @property
    def monthly_remaining(self) -> int:
        return max(0, self.monthly_generations - self.generations_used)

    @property
    def total_remaining(self) -> int:
        return self.monthly_remaining + self.pack_credits

    def charge_one(self) -> None:
        """Deduct one credit: this month's allowance first, then pack credits."""
        if self.monthly_remaining > 0:
            self.generations_used += 1
        elif self.pack_credits > 0:
            self.pack_credits -= 1
        else:
            raise ValueError("no credits left")


def seeded_accounts() -> dict[str, Account]:
    """Fresh accounts keyed by their (lower-case) API key; the revoked key is absent."""
    return {
        DEMO_KEY: Account(
            id="usr_demo0001",
            email="demo@example.com",
            name="Demo User",
            tier="pro",
            api_access=True,
            monthly_generations=2000,
            generations_used=47,
            pack_credits=0,
        ),
        LIFETIME_KEY: Account(
            id="usr_life0002",
            email="lifetime@example.com",
            name="Lifetime User",
            tier="lifetime",
            api_access=True,
            monthly_generations=4000,
            generations_used=120,
            pack_credits=250,
        ),
        PACK_ONLY_KEY: Account(
            id="usr_pack0003",
            email="packs@example.com",
            name="Pack User",
            tier="pro",
            api_access=True,
            monthly_generations=2000,
            generations_used=2000,
            pack_credits=3,
        ),
        NO_API_PLAN_KEY: Account(
            id="usr_free0004",
            email="free@example.com",
            name="Free User",
            tier="free",
            api_access=False,
            monthly_generations=10,
            generations_used=2,
            pack_credits=0,
        ),
        EXHAUSTED_KEY: Account(
            id="usr_done0005",
            email="exhausted@example.com",
            name="Exhausted User",
            tier="pro",
            api_access=True,
            monthly_generations=2000,
            generations_used=2000,
            pack_credits=0,
        ),
    }


REVOKED_KEYS = frozenset({REVOKED_KEY})

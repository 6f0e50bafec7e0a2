"""What happens after a send attempt: retry when, check first, park, fall back, tell whom.

Guarantees:
- retry delays are capped exponential back-off with *full jitter* (a uniform draw between 0 and
  min(cap, base × 2^attempt)), so a gateway that comes back after an outage is not hit by
  every parked delivery in the same second; the random source is `random.SystemRandom` unless
  a test injects its own, so delays cannot be predicted from the hub's other random output;
- no delivery is retried forever: after `max_attempts` it is parked, and a parked or
  permanently failed delivery always asks for the focal point to be told and for the
  liaison's other channel to be tried — nothing fails silently;
- an `unknown` SMS outcome is never resent before the gateway is asked (`CHECK`); an email's
  is resent as is (its Message-ID is the same, so the duplicate is recognisable).

Pure functions: `now` is an argument; the dispatcher stores what `decide` returns.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from alerts.channels.base import ChannelKind, Outcome


class RandomSource(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


_SYSTEM_RANDOM = random.SystemRandom()


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(minutes=30)
    max_attempts: int = 8  # attempts, not retries: the first send counts

    def __post_init__(self) -> None:
        if self.base <= timedelta(0) or self.cap < self.base or self.max_attempts < 1:
            raise ValueError("back-off needs 0 < base <= cap and at least one attempt")

    def ceiling(self, attempt: int) -> timedelta:
        """Upper bound of the delay after the `attempt`-th failed attempt (1-based)."""
        exponent = min(max(attempt - 1, 0), 32)  # 2**32 × base is past any cap; no overflow
        return min(self.cap, self.base * (1 << exponent))

    def delay(self, attempt: int, rng: RandomSource | None = None) -> timedelta:
        ceiling = self.ceiling(attempt).total_seconds()
        drawn = (rng or _SYSTEM_RANDOM).uniform(0.0, ceiling)
        return timedelta(seconds=min(max(drawn, 0.0), ceiling))


class Action(StrEnum):
    DONE = "done"  # sent: record it, nothing more
    RETRY = "retry"  # send again at `retry_at`
    CHECK = "check"  # ask the gateway at `retry_at` whether it has it, then resend if not
    PARK = "park"  # stop on this channel


@dataclass(frozen=True, slots=True)
class NextStep:
    action: Action
    retry_at: datetime | None = None
    notify_focal_point: bool = False
    fall_back_to: ChannelKind | None = None
    reason: str = ""


def decide(
    outcome: Outcome,
    *,
    attempts: int,
    now: datetime,
    channel: ChannelKind,
    other_channel: ChannelKind | None,
    policy: BackoffPolicy | None = None,
    rng: RandomSource | None = None,
) -> NextStep:
    """The next step for a delivery whose `attempts`-th attempt ended in `outcome`.

    `other_channel` is the liaison's other confirmed channel, if any (email ↔ SMS).
    """
    policy = policy or BackoffPolicy()
    if attempts < 1:
        raise ValueError("decide() is called after an attempt")
    if outcome is Outcome.SENT:
        return NextStep(Action.DONE, reason="sent")
    if outcome is Outcome.PERMANENT:
        return NextStep(
            Action.PARK,
            notify_focal_point=True,
            fall_back_to=other_channel,
            reason="permanent failure",
        )
    if attempts >= policy.max_attempts:
        return NextStep(
            Action.PARK,
            notify_focal_point=True,
            fall_back_to=other_channel,
            reason=f"gave up after {attempts} attempts",
        )
    retry_at = now + policy.delay(attempts, rng)
    if outcome is Outcome.UNKNOWN and channel is ChannelKind.SMS:
        return NextStep(Action.CHECK, retry_at, reason="outcome unknown: check with gateway")
    return NextStep(Action.RETRY, retry_at, reason=str(outcome))

"""Back-off and the outcome → next-step rules."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from alerts.backoff import Action, BackoffPolicy, decide
from alerts.channels.base import ChannelKind, Outcome, classify_http_status, classify_smtp_code

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
POLICY = BackoffPolicy(base=timedelta(seconds=30), cap=timedelta(minutes=10), max_attempts=6)


class Top:
    """A random source that always draws the top of the range: shows the ceilings."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_ceilings_double_then_stop_at_the_cap() -> None:
    seconds = [POLICY.ceiling(n).total_seconds() for n in range(1, 9)]
    assert seconds == [30, 60, 120, 240, 480, 600, 600, 600]
    assert POLICY.ceiling(10_000) == timedelta(minutes=10)  # no overflow on absurd counts


def test_full_jitter_draws_between_zero_and_the_ceiling() -> None:
    rng = random.Random(7)  # noqa: S311 -- a seeded source so the test is repeatable
    draws = [POLICY.delay(4, rng).total_seconds() for _ in range(2000)]
    assert min(draws) >= 0
    assert max(draws) <= 240
    # Spread over the whole range, not bunched at the ceiling (that would be no jitter).
    assert min(draws) < 24
    assert max(draws) > 216
    assert POLICY.delay(4, Top()) == timedelta(seconds=240)


def test_the_default_source_is_the_system_random() -> None:
    # Without an injected source the delay still lands in range (SystemRandom underneath).
    assert timedelta(0) <= POLICY.delay(2) <= timedelta(seconds=60)


def test_sent_is_done() -> None:
    step = decide(
        Outcome.SENT, attempts=1, now=NOW, channel=ChannelKind.EMAIL, other_channel=ChannelKind.SMS
    )
    assert step.action is Action.DONE
    assert not step.notify_focal_point


def test_retryable_retries_at_a_jittered_time() -> None:
    step = decide(
        Outcome.RETRYABLE,
        attempts=3,
        now=NOW,
        channel=ChannelKind.EMAIL,
        other_channel=None,
        policy=POLICY,
        rng=Top(),
    )
    assert step.action is Action.RETRY
    assert step.retry_at == NOW + timedelta(seconds=120)
    assert step.fall_back_to is None


def test_retryable_is_parked_after_the_last_attempt_and_falls_back() -> None:
    step = decide(
        Outcome.RETRYABLE,
        attempts=6,
        now=NOW,
        channel=ChannelKind.EMAIL,
        other_channel=ChannelKind.SMS,
        policy=POLICY,
    )
    assert step.action is Action.PARK
    assert step.notify_focal_point
    assert step.fall_back_to is ChannelKind.SMS
    assert "6 attempts" in step.reason


def test_permanent_parks_at_once_tells_the_focal_point_and_falls_back() -> None:
    step = decide(
        Outcome.PERMANENT,
        attempts=1,
        now=NOW,
        channel=ChannelKind.SMS,
        other_channel=ChannelKind.EMAIL,
    )
    assert step.action is Action.PARK
    assert step.notify_focal_point
    assert step.fall_back_to is ChannelKind.EMAIL
    alone = decide(
        Outcome.PERMANENT, attempts=1, now=NOW, channel=ChannelKind.SMS, other_channel=None
    )
    assert alone.fall_back_to is None
    assert alone.notify_focal_point  # still not silent


def test_unknown_sms_is_checked_before_any_resend_but_unknown_email_is_resent() -> None:
    sms = decide(
        Outcome.UNKNOWN, attempts=1, now=NOW, channel=ChannelKind.SMS, other_channel=None, rng=Top()
    )
    assert sms.action is Action.CHECK
    assert sms.retry_at is not None
    email = decide(
        Outcome.UNKNOWN, attempts=1, now=NOW, channel=ChannelKind.EMAIL, other_channel=None
    )
    assert email.action is Action.RETRY


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="after an attempt"):
        decide(Outcome.SENT, attempts=0, now=NOW, channel=ChannelKind.SMS, other_channel=None)
    with pytest.raises(ValueError, match="back-off"):
        BackoffPolicy(base=timedelta(minutes=5), cap=timedelta(minutes=1))


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (250, Outcome.SENT),
        (421, Outcome.RETRYABLE),
        (450, Outcome.RETRYABLE),
        (452, Outcome.RETRYABLE),
        (535, Outcome.PERMANENT),
        (550, Outcome.PERMANENT),
        (552, Outcome.PERMANENT),
        (999, Outcome.RETRYABLE),
    ],
)
def test_smtp_codes(code: int, outcome: Outcome) -> None:
    assert classify_smtp_code(code) is outcome


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.SENT),
        (201, Outcome.SENT),
        (202, Outcome.SENT),
        (301, Outcome.RETRYABLE),
        (400, Outcome.PERMANENT),
        (401, Outcome.PERMANENT),
        (404, Outcome.PERMANENT),
        (422, Outcome.PERMANENT),
        (429, Outcome.RETRYABLE),
        (500, Outcome.RETRYABLE),
        (503, Outcome.RETRYABLE),
    ],
)
def test_http_statuses(status: int, outcome: Outcome) -> None:
    assert classify_http_status(status) is outcome

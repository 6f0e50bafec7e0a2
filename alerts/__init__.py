"""Alerts: telling liaisons, within minutes and without leaking, that something happened.

What this package guarantees, module by module:

- `facts`: an alert is built from typed header facts only — there is no way to hand it a
  report body;
- `render`: French and English subject, text, HTML (autoescaped) and SMS (two segments at
  most) from templates in `alerts/templates/<kind>/<lang>/`;
- `channels`: one `Channel` interface (email over SMTP, SMS over a gateway, console) whose
  sends end in one of four outcomes — sent, retryable, permanent, unknown — never in a
  swallowed exception;
- `backoff`: what to do after each outcome (retry with capped jittered back-off, check an
  unknown SMS with the gateway, park and tell the focal point, fall back to the other channel);
- `segments`: GSM-7 / UCS-2 segment arithmetic;
- `cap`: the public CAP 1.2 feed, schema-valid.

`alerts` never imports `hub`; the hub hands it facts and stores what it returns. The outbox,
dispatcher and scheduler (the database half) live in outbox.py, dispatcher/ (a package, one
module per part: planning, leases, messages, sending, digests, confirmations, deliveries),
scheduler.py and jobs.py.
"""

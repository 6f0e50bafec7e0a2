"""Contact confirmations: the link or code that confirms a new address is sent, then the
secret is forgotten.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from alerts import designations as des
from alerts.channels.base import ChannelKind, DeliveryKey, Outcome, OutgoingMessage
from alerts.channels.email import EmailChannel
from alerts.dispatcher.base import DispatcherBase
from alerts.dispatcher.sending import smime_signer
from alerts.models import LiaisonContact, LiaisonDesignation


def confirmation_message(
    *, key: DeliveryKey, to: str, secret: str, language: str, phrase: str, link: str
) -> OutgoingMessage:
    if key.channel is ChannelKind.SMS:
        text = (
            f"SLT Hub: code de confirmation {secret}. Phrase: {phrase}"
            if language == "fr"
            else f"SLT Hub: confirmation code {secret}. Phrase: {phrase}"
        )
        return OutgoingMessage(key=key, to=to, subject="", text=text, language=language)
    if language == "fr":
        subject = "SLT Hub : confirmez cette adresse pour les alertes"
        text = (
            f"Votre phrase anti-hameçonnage : {phrase}\n\n"
            f"Pour recevoir les alertes de sécurité à cette adresse, ouvrez ce lien et "
            f"confirmez :\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message.\n"
        )
    else:
        subject = "SLT Hub: confirm this address for alerts"
        text = (
            f"Your anti-phishing phrase: {phrase}\n\n"
            f"To receive security alerts at this address, open this link and confirm:\n"
            f"{link}\n\nIf you did not ask for this, ignore this message.\n"
        )
    return OutgoingMessage(key=key, to=to, subject=subject, text=text, language=language)


class Confirmations(DispatcherBase):
    def send_confirmations(self, now: dt.datetime) -> int:
        """Send the link or code that confirms a new address (then forget the secret)."""
        with self._lock, self.sessions() as session:
            pending = [
                (c.id, c.channel, c.address, c.pending_secret, c.designation_id)
                for c in des.pending_confirmations(session)
            ]
            owners = {
                d.id: (d.member_id, d.language, d.anti_phishing_phrase)
                for d in session.scalars(
                    select(LiaisonDesignation).where(
                        LiaisonDesignation.id.in_([p[4] for p in pending])
                    )
                )
            }
            session.rollback()
        sent = 0
        for contact_id, channel_name, address, secret, designation_id in pending:
            owner = owners.get(designation_id)
            channel = self.channels.get(channel_name)
            if owner is None or channel is None or secret is None:
                continue
            member_id, language, phrase = owner
            key = DeliveryKey(f"confirm:{contact_id}", member_id, ChannelKind(channel_name), 0)
            message = confirmation_message(
                key=key,
                to=address,
                secret=secret,
                language=language,
                phrase=phrase,
                link=self._link(f"/liaison/confirm/{secret}"),
            )
            if isinstance(channel, EmailChannel):
                channel.signer = (
                    smime_signer(self.channels.identity, None) if self.channels.identity else None
                )
            result = channel.send(message)
            if result.outcome is Outcome.RETRYABLE:
                continue  # the next sweep tries again
            with self.sessions() as session:
                contact = session.get(LiaisonContact, contact_id)
                if contact is not None and contact.pending_secret == secret:
                    contact.pending_secret = None
                session.commit()
            sent += 1
        return sent

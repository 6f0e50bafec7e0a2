"""One family of errors. Nothing in crypto/ signals failure by returning False or None:
a caller that forgets to check cannot mistake a forgery for a success."""


class CryptoError(Exception):
    """Base of every failure raised by crypto/."""


class InvalidEnvelope(CryptoError):
    """Malformed, truncated, tampered with, or opened with the wrong key."""


class UnknownVersion(InvalidEnvelope):
    """A blob of a known kind but a format version this code does not read."""


class BadSignature(CryptoError):
    """The signature does not match the signer's key and the signed content."""


class WrongPassphrase(CryptoError):
    """The passphrase (or recovery code) does not open the locked key."""


class NotARecipient(CryptoError):
    """The envelope holds no key wrap for this recipient."""

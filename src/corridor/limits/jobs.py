"""The Argon2id calls the pool runs, as plain data in and out (no Django).

Both the pool service and the in-process pool go through `execute`, so a job is
described the same way whichever runs it: an operation name and JSON-safe arguments
(bytes as base64). Only these three operations exist; nothing else can be asked of
the pool.
"""

from __future__ import annotations

import base64
from typing import Any

from corridor.crypto import codename
from corridor.crypto.errors import UnknownFormat, WrongPassword
from corridor.crypto.kdf import Argon2Cost, unwrap_with_password, wrap_with_password, wrapped_cost

DERIVE_CODENAME = "derive_codename"
WRAP = "wrap"
UNWRAP = "unwrap"


class JobFailed(Exception):
    """The job ran and failed in a way the caller expects (wrong password, unknown format)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _cost(args: dict[str, Any]) -> Argon2Cost:
    return Argon2Cost(opslimit=int(args["opslimit"]), memlimit=int(args["memlimit"]))


def memory_needed(op: str, args: dict[str, Any]) -> int:
    """Bytes the job's Argon2id call will hold; an unwrap's cost is read from the wrap itself."""
    if op == UNWRAP:
        try:
            return wrapped_cost(unb64(args["blob"])).memlimit
        except (WrongPassword, UnknownFormat, ValueError, KeyError):
            return 1  # fails at once without deriving anything
    if op in (DERIVE_CODENAME, WRAP):
        return _cost(args).memlimit
    raise ValueError(f"unknown pool operation {op!r}")


def execute(op: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run one job; raises JobFailed for the failures callers handle, ValueError for malformed jobs."""
    try:
        if op == DERIVE_CODENAME:
            derived = codename.derive(str(args["text"]), salt=unb64(args["salt"]), cost=_cost(args))
            return {
                "lookup_id": derived.lookup_id,
                "public": b64(derived.keypair.public),
                "private": b64(derived.keypair.private),
            }
        if op == WRAP:
            blob = wrap_with_password(
                unb64(args["secret"]), str(args["password"]), _cost(args), context=unb64(args["context"])
            )
            return {"blob": b64(blob)}
        if op == UNWRAP:
            secret = unwrap_with_password(
                unb64(args["blob"]), str(args["password"]), context=unb64(args["context"])
            )
            return {"secret": b64(secret)}
    except WrongPassword:
        raise JobFailed("wrong_password") from None
    except UnknownFormat:
        raise JobFailed("unknown_format") from None
    except codename.InvalidCodename:
        raise JobFailed("invalid_codename") from None
    raise ValueError(f"unknown pool operation {op!r}")

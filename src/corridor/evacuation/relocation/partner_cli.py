"""`corridor referral …`: the partner's side of a referral, with no Corridor installation.

    corridor referral keygen --out partner.key
    corridor referral open --key partner.key --signer "twelve words …" packet.crp [--out file]

Nothing here touches Django, a database or a data directory: a partner organisation runs
it on its own computer with only this package installed (see docs/partners.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from corridor.crypto import keys, referral
from corridor.crypto.errors import CryptoError
from corridor.crypto.words import fingerprint_digits, fingerprint_words


def _write_new(path: Path, data: bytes, *, force: bool) -> None:
    """Create the file readable by its owner only; never silently replace one."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _keygen(args: argparse.Namespace) -> int:
    pair = keys.generate_keypair()
    out = Path(args.out)
    try:
        _write_new(out, referral.encode_private(pair.private).encode(), force=args.force)
    except FileExistsError:
        sys.stderr.write(f"corridor referral keygen: {out} exists; choose another name or add --force\n")
        return 1
    sys.stdout.write(
        f"Private key written to {out} (readable by you only). Keep it on an encrypted disk;\n"
        "anyone who has it can read every packet sealed to you.\n\n"
        "Send this public key to the organisation (by e-mail or any channel):\n"
        f"  {referral.encode_public(pair.public)}\n\n"
        "Then read them its fingerprint over another channel (a call, in person):\n"
        f"  {fingerprint_words(pair.public)}\n"
        f"  {fingerprint_digits(pair.public)}\n"
    )
    return 0


def _open(args: argparse.Namespace) -> int:
    try:
        private = referral.decode_private(Path(args.key).read_text())
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        sys.stderr.write(f"corridor referral open: cannot use the key file: {exc}\n")
        return 1
    try:
        packet = Path(args.packet).read_bytes()
    except OSError as exc:
        sys.stderr.write(f"corridor referral open: cannot read the packet: {exc.strerror}\n")
        return 1
    try:
        opened = referral.open_packet(partner_private=private, signer_fingerprint=args.signer, packet=packet)
    except ValueError as exc:
        sys.stderr.write(f"corridor referral open: --signer: {exc}\n")
        return 1
    except CryptoError as exc:
        sys.stderr.write(f"corridor referral open: REFUSED: {exc}\n")
        return 2
    document = {
        "referral": opened.id,
        "signed_at": opened.created_at,
        "signed_by": fingerprint_words(opened.signer_key),
        **opened.payload,
    }
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.out:
        try:
            _write_new(Path(args.out), text.encode(), force=args.force)
        except FileExistsError:
            sys.stderr.write(
                f"corridor referral open: {args.out} exists; choose another name or add --force\n"
            )
            return 1
        sys.stderr.write(f"Signature verified; the referral is in {args.out}.\n")
    else:
        sys.stdout.write(text)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="corridor referral", description="Open referral packets sent by a Corridor organisation."
    )
    commands = top.add_subparsers(dest="command", required=True)
    keygen = commands.add_parser("keygen", help="make your organisation's key pair")
    keygen.add_argument("--out", required=True, help="where to write the private key file")
    keygen.add_argument("--force", action="store_true", help="replace an existing file")
    keygen.set_defaults(run=_keygen)
    opener = commands.add_parser("open", help="verify and decrypt a packet")
    opener.add_argument("--key", required=True, help="your private key file (from keygen)")
    opener.add_argument(
        "--signer",
        required=True,
        help="the signing-key fingerprint the organisation published (words or digits)",
    )
    opener.add_argument("--out", help="write the referral to this file instead of the screen")
    opener.add_argument("--force", action="store_true", help="replace an existing --out file")
    opener.add_argument("packet", help="the packet file (.crp)")
    opener.set_defaults(run=_open)
    return top


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))

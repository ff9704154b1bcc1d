"""`corridor referral …`: the partner's side of a referral, with no Corridor installation.

    corridor referral keygen --out partner.key [--passphrase-file FILE | --no-passphrase]
    corridor referral open --key partner.key --signer "twelve words …" packet.crp [--out file]

The private key is protected by a passphrase (asked for twice, or read from the first line
of --passphrase-file) unless --no-passphrase says the disk is protection enough.

Nothing here touches Django, a database or a data directory: a partner organisation runs
it on its own computer with only this package installed (see docs/partners.md).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path

from corridor.crypto import keys, referral
from corridor.crypto.errors import CryptoError, WrongPassword
from corridor.crypto.words import fingerprint_digits, fingerprint_words


def _write_new(path: Path, data: bytes, *, force: bool) -> None:
    """Create the file readable by its owner only; never silently replace one."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


class NoPassphrase(Exception):
    """No passphrase could be had: none in a file, and no terminal to ask on."""


def _passphrase(args: argparse.Namespace, *, confirm: bool) -> str:
    if args.passphrase_file:
        lines = Path(args.passphrase_file).read_text().splitlines()
        if not lines or not lines[0]:
            raise NoPassphrase("the passphrase file is empty")
        return lines[0]
    if not sys.stdin.isatty():
        raise NoPassphrase("no terminal to ask for the passphrase: use --passphrase-file")
    first = getpass.getpass("Passphrase for the key file: ")
    if confirm and getpass.getpass("The same passphrase again: ") != first:
        raise NoPassphrase("the two passphrases differ")
    if not first:
        raise NoPassphrase("an empty passphrase protects nothing: use --no-passphrase if you mean it")
    return first


def _keygen(args: argparse.Namespace) -> int:
    pair = keys.generate_keypair()
    out = Path(args.out)
    try:
        passphrase = None if args.no_passphrase else _passphrase(args, confirm=True)
    except (NoPassphrase, OSError) as exc:
        sys.stderr.write(f"corridor referral keygen: {exc}\n")
        return 1
    try:
        _write_new(
            out, referral.encode_private(pair.private, passphrase=passphrase).encode(), force=args.force
        )
    except FileExistsError:
        sys.stderr.write(f"corridor referral keygen: {out} exists; choose another name or add --force\n")
        return 1
    sys.stdout.write(
        f"Private key written to {out} (readable by you only"
        + (", protected by your passphrase" if passphrase else ", NOT protected by a passphrase")
        + ").\nKeep it on an encrypted disk and a backup in a safe place: with it"
        + (" and the passphrase" if passphrase else "")
        + ", anyone can read every packet sealed to you.\n\n"
        "Send this public key to the organisation (by e-mail or any channel):\n"
        f"  {referral.encode_public(pair.public)}\n\n"
        "Then read them its fingerprint over another channel (a call, in person):\n"
        f"  {fingerprint_words(pair.public)}\n"
        f"  {fingerprint_digits(pair.public)}\n"
    )
    return 0


def _open(args: argparse.Namespace) -> int:
    try:
        text = Path(args.key).read_text()
        passphrase = _passphrase(args, confirm=False) if referral.key_file_is_protected(text) else None
        private = referral.decode_private(text, passphrase=passphrase)
    except WrongPassword:
        sys.stderr.write("corridor referral open: the passphrase does not open the key file\n")
        return 1
    except (OSError, UnicodeDecodeError, ValueError, NoPassphrase) as exc:
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
    protection = keygen.add_mutually_exclusive_group()
    protection.add_argument(
        "--passphrase-file", help="read the key file's passphrase from this file's first line"
    )
    protection.add_argument(
        "--no-passphrase", action="store_true", help="store the key unprotected (only on an encrypted disk)"
    )
    keygen.set_defaults(run=_keygen)
    opener = commands.add_parser("open", help="verify and decrypt a packet")
    opener.add_argument("--key", required=True, help="your private key file (from keygen)")
    opener.add_argument(
        "--signer",
        required=True,
        help="the signing-key fingerprint the organisation published (words or digits)",
    )
    opener.add_argument("--out", help="write the referral to this file instead of the screen")
    opener.add_argument(
        "--passphrase-file", help="read the key file's passphrase from this file's first line"
    )
    opener.add_argument("--force", action="store_true", help="replace an existing --out file")
    opener.add_argument("packet", help="the packet file (.crp)")
    opener.set_defaults(run=_open)
    return top


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    return int(args.run(args))

"""``orgtf users password NAME``: a user's initial console password, shown to the operator.

The password is read from the master account's Terraform state (``orgtf.run.passwords``) and
printed alone on stdout, what to do with it on stderr. A password in the clear is printed only
to a terminal, so that it does not end up in a CI log or a file by accident, unless
``--allow-non-terminal`` says that is meant (to pipe it into a password manager, say). A
password encrypted to the user's PGP key may go anywhere: only their key decrypts it.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

from orgtf.commands.base import Command, Context, NoOptions, no_arguments, no_options
from orgtf.errors import ExitCode, UsageError
from orgtf.run.passwords import ConsolePassword, read_console_password
from orgtf.run.targets import select_target
from orgtf.text import terminal_safe

ALLOW_FLAG = "--allow-non-terminal"


def configure_password(parser: argparse.ArgumentParser) -> None:
    """``users password NAME [--allow-non-terminal]``."""
    parser.add_argument("name", metavar="NAME", help="the user, as named under users: in org.yaml")
    parser.add_argument(
        ALLOW_FLAG,
        action="store_true",
        help="print a password in the clear even when stdout is not a terminal (a pipe or a "
        "file); without it orgtf refuses, so that it never lands in a log by accident",
    )


@dataclass(frozen=True)
class PasswordOptions:
    """``users password NAME [--allow-non-terminal]``."""

    name: str
    allow_non_terminal: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> PasswordOptions:
        return cls(name=args.name, allow_non_terminal=args.allow_non_terminal)


def password_handler(options: PasswordOptions, ctx: Context) -> ExitCode:
    """Print the user's initial console password (or its encryption) and how to use it."""
    org = ctx.load()
    user = org.config.users.get(options.name)
    if user is not None and user.pgp_key is None:
        _check_terminal(options)  # before reading the state, which takes a while
    password = read_console_password(org, select_target(org, ctx.sandbox, os.environ), options.name)
    if password.encrypted:
        _print_encrypted(password, ctx)
        return ExitCode.OK
    _check_terminal(options)
    _print_clear(password, org.master.id)
    return ExitCode.OK


def _check_terminal(options: PasswordOptions) -> None:
    if options.allow_non_terminal or sys.stdout.isatty():
        return
    raise UsageError(
        f"refusing to print the console password of user {options.name!r}: stdout is not a "
        f"terminal, and a password in a pipe, file or CI log is a leak; run it on your "
        f"terminal, or pass {ALLOW_FLAG} if it is meant to go there"
    )


def _print_clear(password: ConsolePassword, master_id: str) -> None:
    sys.stdout.write(f"{password.password}\n")
    sys.stdout.flush()
    print(
        f"the initial console password of user {terminal_safe(password.user)}; they sign in at "
        f"https://{master_id}.signin.aws.amazon.com/console and must change it there. "
        "Hand it over on a channel only they read: Terraform's state keeps it until they do.",
        file=sys.stderr,
    )


def _print_encrypted(password: ConsolePassword, ctx: Context) -> None:
    sys.stdout.write(f"{password.encrypted_password}\n")
    sys.stdout.flush()
    fingerprint = terminal_safe(password.key_fingerprint or "unknown")
    command = _command(ctx, password.user)
    print(
        f"the initial console password of user {terminal_safe(password.user)}, encrypted to "
        f"their PGP key (fingerprint {fingerprint}); they decrypt it with their secret key: "
        f"{command} | base64 -d | gpg --decrypt",
        file=sys.stderr,
    )


def _command(ctx: Context, user: str) -> str:
    sandbox = " --sandbox" if ctx.sandbox else ""
    return terminal_safe(f"orgtf{sandbox} users password {user}")


PASSWORD = Command(
    "password",
    "print a user's initial console password from the master account's state (only to a "
    "terminal, unless encrypted to their PGP key or --allow-non-terminal)",
    configure_password,
    PasswordOptions.from_args,
    password_handler,
)


def _unreachable(options: NoOptions, ctx: Context) -> ExitCode:
    """``users`` alone: argparse requires an action, so this never runs."""
    raise UsageError("name a users action: password")


COMMANDS = (
    Command(
        "users",
        "the users' console passwords",
        no_arguments,
        no_options,
        _unreachable,
        actions=(PASSWORD,),
        action_required=True,
    ),
)

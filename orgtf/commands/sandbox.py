"""``orgtf sandbox up|status|down|env|credentials``: the local AWS sandbox of the project."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from dataclasses import dataclass

from orgtf.access.matrix import check_user
from orgtf.commands.base import (
    Command,
    Context,
    NoOptions,
    OptionsT,
    no_arguments,
    no_options,
)
from orgtf.errors import ExitCode, OrgtfError, UsageError
from orgtf.sandbox.runtime import (
    SandboxTarget,
    bring_up,
    has_leftover_state,
    require_sandbox_extra,
    sandbox_status,
    stop_sandbox,
)
from orgtf.sandbox.target import state_dir_of
from orgtf.sandbox.user_keys import NoSuchSandboxUser, user_access_key
from orgtf.text import elapsed, text_table

_IAM_TEXT = {
    "on": "sts:AssumeRole is checked against IAM and trust policies",
    "off": "not checked (ORGTF_SANDBOX_IAM=off): any caller may assume any role",
}


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected 1-65535")
    return port


@dataclass(frozen=True)
class UpOptions:
    """``sandbox up [--port N]``."""

    port: int | None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> UpOptions:
        return cls(port=args.port)


@dataclass(frozen=True)
class StatusOptions:
    """``sandbox status [--json]``."""

    json: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> StatusOptions:
        return cls(json=args.json)


@dataclass(frozen=True)
class CredentialsOptions:
    """``sandbox credentials --user NAME [--json]``."""

    user: str
    json: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CredentialsOptions:
        return cls(user=args.user, json=args.json)


def _configure_up(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=_port,
        default=None,
        help="listen on this port of 127.0.0.1 (default: a free one)",
    )


def _configure_status(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def _configure_credentials(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", required=True, metavar="NAME", help="the IAM user (org.yaml)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def _needs_extra(
    handler: Callable[[OptionsT, Context], ExitCode],
) -> Callable[[OptionsT, Context], ExitCode]:
    """``handler``, after checking that the sandbox extra is installed."""

    def checked(options: OptionsT, ctx: Context) -> ExitCode:
        require_sandbox_extra()
        return handler(options, ctx)

    return checked


def _unreachable(options: NoOptions, ctx: Context) -> ExitCode:
    """``sandbox`` alone: argparse requires an action, so this never runs."""
    raise UsageError("name a sandbox action: up, status, down, env or credentials")


def up(options: UpOptions, ctx: Context) -> ExitCode:
    """Start (or reuse) the sandbox and bootstrap it; report what happened and how long it took."""
    result = bring_up(ctx.load(), ctx.project_dir, port=options.port, env=os.environ)
    target = result.target
    verb = {"started": "started", "restarted": "restarted (it had died)", "reused": "running"}
    print(
        f"sandbox {verb[result.action]}: {target.endpoint} (pid {target.pid}), "
        f"ready in {elapsed(result.seconds)}"
    )
    for item in result.created:
        print(f"  created {item}")
    if not result.created:
        print("  bootstrap: nothing to add")
    _print_details(target)
    print('use it with: eval "$(orgtf sandbox env)"   or   orgtf --sandbox COMMAND')
    return ExitCode.OK


def status(options: StatusOptions, ctx: Context) -> ExitCode:
    """Describe the sandbox; exit 0 whether or not it runs (the text or JSON says which)."""
    target = sandbox_status(ctx.project_dir)
    if options.json:
        data = {"running": False} if target is None else {"running": True, **_as_json(target)}
        print(json.dumps(data, indent=2, sort_keys=True))
        return ExitCode.OK
    if target is None:
        print(f"sandbox not running ({ctx.project_dir})")
        if has_leftover_state(ctx.project_dir):
            print(
                f"  leftover state in {state_dir_of(ctx.project_dir)}: `orgtf sandbox up` "
                "restarts it, `orgtf sandbox down` removes it"
            )
        return ExitCode.OK
    print(f"sandbox running: {target.endpoint} (pid {target.pid})")
    _print_details(target)
    return ExitCode.OK


def down(options: NoOptions, ctx: Context) -> ExitCode:
    """Stop the sandbox and remove its state; succeed when there is nothing to stop.

    It does not need the sandbox extra: it stays usable to clean up after uninstalling it.
    """
    del options
    state_dir = state_dir_of(ctx.project_dir)
    had_state = state_dir.exists()
    stopped = stop_sandbox(ctx.project_dir)
    if stopped:
        pids = ", ".join(str(pid) for pid in stopped)
        print(f"sandbox stopped (pid {pids}); removed {state_dir}")
    elif had_state:
        print(f"sandbox not running; removed leftover state {state_dir}")
    else:
        print("sandbox not running; nothing to remove")
    return ExitCode.OK


def env(options: NoOptions, ctx: Context) -> ExitCode:
    """Print POSIX shell lines to ``eval``: plain terraform and AWS SDKs then use the sandbox."""
    del options
    target = _running(ctx)
    print(f"# orgtf sandbox {target.endpoint} (pid {target.pid}); undo by opening a new shell")
    for line in target.shell_exports(os.environ):
        print(line)
    return ExitCode.OK


def credentials(options: CredentialsOptions, ctx: Context) -> ExitCode:
    """Print an access key of an IAM user in the sandbox, made the first time it is asked for."""
    target = _running(ctx)
    try:
        key = user_access_key(target, options.user)
    except NoSuchSandboxUser:
        check_user(ctx.load(), options.user)  # not in org.yaml either: say so, with a hint
        raise
    if options.json:
        data = {"user": key.user, "access_key_id": key.access_key_id}
        data["secret_access_key"] = key.secret_access_key
        print(json.dumps(data, indent=2, sort_keys=True))
        return ExitCode.OK
    how = "created" if key.created else "kept since it was created"
    print(f"# orgtf sandbox: access key of user {key.user} ({how}); a credentials file section")
    print("[default]")
    print(f"aws_access_key_id = {key.access_key_id}")
    print(f"aws_secret_access_key = {key.secret_access_key}")
    return ExitCode.OK


def _running(ctx: Context) -> SandboxTarget:
    target = sandbox_status(ctx.project_dir)
    if target is None:
        raise OrgtfError(
            f"the sandbox for {ctx.config_path} is not running; start it with `orgtf sandbox up`"
        )
    return target


def _print_details(target: SandboxTarget) -> None:
    tf = target.terraform
    print(
        f"  terraform: {tf.path} {tf.version} (from {tf.source}); provider: {target.provider_mode}"
    )
    print(f"  state:     {target.state_dir}")
    print(f"  IAM:       {_IAM_TEXT[target.iam]}")
    print(f"  accounts ({target.region}, organization {target.organization_id}):")
    for line in text_table(list(target.accounts.items())):
        print(f"    {line}")


def _as_json(target: SandboxTarget) -> dict[str, object]:
    tf = target.terraform
    return {
        "endpoint": target.endpoint,
        "pid": target.pid,
        "port": target.port,
        "region": target.region,
        "organization_id": target.organization_id,
        "accounts": dict(target.accounts),
        "state_dir": str(target.state_dir),
        "work_dir": str(target.work_dir),
        "provider": target.provider_mode,
        "iam": target.iam,
        "terraform": {
            "path": str(tf.path),
            "version": tf.version,
            "flavour": tf.flavour,
            "source": tf.source,
        },
    }


COMMANDS = (
    Command(
        "sandbox",
        "run a local AWS sandbox (moto) bootstrapped from org.yaml: up, status, down, env, "
        "credentials",
        no_arguments,
        no_options,
        _unreachable,
        actions=(
            Command(
                "up",
                "start the sandbox if needed and bootstrap it from org.yaml",
                _configure_up,
                UpOptions.from_args,
                _needs_extra(up),
            ),
            Command(
                "status",
                "show whether the sandbox runs, where, its accounts",
                _configure_status,
                StatusOptions.from_args,
                _needs_extra(status),
            ),
            Command(
                "down",
                "stop the sandbox and remove all of its state",
                no_arguments,
                no_options,
                down,
            ),
            Command(
                "env",
                "print `export` lines pointing terraform and AWS SDKs at the sandbox",
                no_arguments,
                no_options,
                _needs_extra(env),
            ),
            Command(
                "credentials",
                "print an access key of an IAM user in the sandbox (made the first time)",
                _configure_credentials,
                CredentialsOptions.from_args,
                _needs_extra(credentials),
            ),
        ),
        action_required=True,
    ),
)

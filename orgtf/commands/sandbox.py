"""``orgtf sandbox up|status|down|env``: the local AWS sandbox of the project."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from orgtf.commands.base import Command, Context, Handler
from orgtf.errors import ExitCode, OrgtfError
from orgtf.sandbox.runtime import (
    SandboxTarget,
    bring_up,
    has_leftover_state,
    require_sandbox_extra,
    sandbox_status,
    stop_sandbox,
)
from orgtf.sandbox.target import state_dir_of


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: expected 1-65535")
    return port


def _configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="sandbox_action", metavar="ACTION", parser_class=type(parser))
    sub.required = True
    up_parser = _add(sub, "up", "start the sandbox if needed and bootstrap it from org.yaml", up)
    up_parser.add_argument(
        "--port",
        type=_port,
        default=None,
        help="listen on this port of 127.0.0.1 (default: a free one)",
    )
    status_parser = _add(
        sub, "status", "show whether the sandbox runs, where, its accounts", status
    )
    status_parser.add_argument("--json", action="store_true", help="print JSON")
    _add(sub, "down", "stop the sandbox and remove all of its state", down)
    _add(sub, "env", "print `export` lines pointing terraform and AWS SDKs at the sandbox", env)


def _add(
    sub: argparse._SubParsersAction[Any], name: str, text: str, handler: Handler
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = sub.add_parser(name, help=text, description=text)
    parser.set_defaults(sandbox_handler=handler)
    return parser


def sandbox(args: argparse.Namespace, ctx: Context) -> int:
    """Dispatch to the chosen ``sandbox`` action; all but ``down`` need the sandbox extra."""
    handler: Handler = args.sandbox_handler
    if handler is not down:  # down stays usable, to clean up after uninstalling the extra
        require_sandbox_extra()
    return handler(args, ctx)


def up(args: argparse.Namespace, ctx: Context) -> int:
    """Start (or reuse) the sandbox and bootstrap it; report what happened and how long it took."""
    result = bring_up(ctx.load(), ctx.project_dir, port=args.port, env=os.environ)
    target = result.target
    verb = {"started": "started", "restarted": "restarted (it had died)", "reused": "running"}
    print(
        f"sandbox {verb[result.action]}: {target.endpoint} (pid {target.pid}), "
        f"ready in {result.seconds:.1f}s"
    )
    for item in result.created:
        print(f"  created {item}")
    if not result.created:
        print("  bootstrap: nothing to add")
    _print_details(target)
    print('use it with: eval "$(orgtf sandbox env)"   or   orgtf --sandbox COMMAND')
    return int(ExitCode.OK)


def status(args: argparse.Namespace, ctx: Context) -> int:
    """Describe the sandbox; exit 0 whether or not it runs (the text or JSON says which)."""
    target = sandbox_status(ctx.project_dir)
    if args.json:
        data = {"running": False} if target is None else {"running": True, **_as_json(target)}
        print(json.dumps(data, indent=2, sort_keys=True))
        return int(ExitCode.OK)
    if target is None:
        print(f"sandbox not running ({ctx.project_dir})")
        if has_leftover_state(ctx.project_dir):
            print(
                f"  leftover state in {state_dir_of(ctx.project_dir)}: `orgtf sandbox up` "
                "restarts it, `orgtf sandbox down` removes it"
            )
        return int(ExitCode.OK)
    print(f"sandbox running: {target.endpoint} (pid {target.pid})")
    _print_details(target)
    return int(ExitCode.OK)


def down(args: argparse.Namespace, ctx: Context) -> int:
    """Stop the sandbox and remove its state; succeed when there is nothing to stop."""
    del args
    state_dir = state_dir_of(ctx.project_dir)
    running = sandbox_status(ctx.project_dir)
    had_state = state_dir.exists()
    stopped = stop_sandbox(ctx.project_dir)
    if stopped:
        pid = f" (pid {running.pid})" if running is not None else ""
        print(f"sandbox stopped{pid}; removed {state_dir}")
    elif had_state:
        print(f"sandbox not running; removed leftover state {state_dir}")
    else:
        print("sandbox not running; nothing to remove")
    return int(ExitCode.OK)


def env(args: argparse.Namespace, ctx: Context) -> int:
    """Print POSIX shell lines to ``eval``: plain terraform and AWS SDKs then use the sandbox."""
    del args
    target = sandbox_status(ctx.project_dir)
    if target is None:
        raise OrgtfError(
            f"the sandbox for {ctx.config_path} is not running; start it with `orgtf sandbox up`"
        )
    print(f"# orgtf sandbox {target.endpoint} (pid {target.pid}); undo by opening a new shell")
    for line in target.shell_exports(os.environ):
        print(line)
    return int(ExitCode.OK)


def _print_details(target: SandboxTarget) -> None:
    tf = target.terraform
    print(
        f"  terraform: {tf.path} {tf.version} (from {tf.source}); provider: {target.provider_mode}"
    )
    print(f"  state:     {target.state_dir}")
    print(f"  accounts ({target.region}, organization {target.organization_id}):")
    width = max(len(name) for name in target.accounts)
    for name, account_id in target.accounts.items():
        print(f"    {name:<{width}}  {account_id}")


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
        "run a local AWS sandbox (moto) bootstrapped from org.yaml: up, status, down, env",
        _configure,
        sandbox,
    ),
)

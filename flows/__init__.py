"""Prefect orchestration of the `cleaners` library.

Importing this package sets offline-friendly Prefect defaults (each only if unset): a temporary
server may take 16-35 s to start on a small machine, and no telemetry leaves the machine.
"""
import os

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

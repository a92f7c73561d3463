"""Prefect orchestration of the `cleaners` library.

Importing this package sets offline-friendly Prefect defaults (each only if unset): a temporary
server may take 16-35 s to start on a small machine, and no telemetry leaves the machine.
"""
import os

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# log records of the library's own loggers (`logging.getLogger("cleaners....")`) go where the flow
# run's go: to the console and, inside a run, to the run's logs on the Prefect server
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "cleaners")
# outside a flow run (a task called directly, a library call from a script) such records only go
# to the console; without this Prefect also warns that it has no run to send them to
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")

"""Prefect orchestration of the `cleaners` library."""

"""Prefect-free library that turns raw news files into clean, deduplicated articles."""

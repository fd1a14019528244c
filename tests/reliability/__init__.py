"""Reliability suites: crash safety, concurrency, corrupted files, backups, bad input, schema
evolution. The modules without a test_ prefix hold each suite's core, which bench/reliability.py
runs with larger counts."""

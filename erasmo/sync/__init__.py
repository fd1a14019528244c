"""Sync: an optional embedded server that lets erasmo installs exchange their event logs.

`server.create_app` builds the Flask API over any `served.ServedLog`, `serving.start_server` runs
it (waitress guarded against slow clients by `guarded`, over plain HTTP or TLS) in a background
thread, `client.SyncClient` pulls and pushes, and `token` keeps the secret. The server needs
Flask and waitress (installed with erasmo); the client needs neither. Nothing here is imported by
the other commands.
"""

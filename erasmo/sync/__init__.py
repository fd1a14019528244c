"""Sync: an optional embedded server that lets erasmo installs exchange their event logs.

`server.create_app` builds the Flask API, `serving.start_server` runs it (waitress, or cheroot for
TLS) in a background thread, `client.SyncClient` pulls and pushes, and `token` keeps the secret.
The server needs Flask, waitress and cheroot (all installed with erasmo); the client needs none
of them. Nothing here is imported by the other commands.
"""

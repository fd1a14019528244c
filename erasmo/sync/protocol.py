"""What a sync server and its clients agree on: the API's version, its path prefix and its limits.

Kept apart from `server` so that the client (`erasmo sync`) never imports Flask.
"""

from __future__ import annotations

API_VERSION = 1
#: The most events one page or one push carries.
MAX_PAGE = 1000
#: The largest request body a server accepts, in bytes.
MAX_BODY = 4 * 1024 * 1024
PREFIX = "/api/v1"

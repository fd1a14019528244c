"""The window's words for erasmo's errors: the GUI control a message means, never a CLI flag.

The domain words its errors for the command line ("Leave --price out", "pass it with --token").
Every message the window shows passes through `gui_text`, which rewrites those phrases with the
table below: first whole phrases, then any flag left by itself. No Qt.
"""

from __future__ import annotations

import re

# Whole phrases first (ordered: the longer phrase before a flag it contains).
PHRASES: tuple[tuple[str, str], ...] = (
    (r"Leave --price out", "Clear the Price field"),
    (r"leave --price out", "clear the Price field"),
    (r"leave --from out", "clear the From date"),
    (r"leave --to out", "clear the To date"),
    (r"leave --store out", "choose no store URL"),
    (
        r"Get the server's token with 'erasmo serve --show-token' on that install and pass it "
        r"with --token\.",
        "Copy the token shown under Serve on that install (Sync… on its window) and paste it "
        "into the Token field.",
    ),
    (
        r"Run 'erasmo serve --rotate-token' to make a new one\.",
        "Turn serving off and on again under Sync… to make a new one.",
    ),
    (r"'advance' takes no --days or --to", "its clock cannot be stepped"),
    (
        r"'erasmo portfolio rules (?P<name>.+?) --mode simulation'",
        "Portfolio ▸ Change rules… (mode: Simulation)",
    ),
    (r"See 'erasmo history (?P<name>.+?) --json'\.", "See the History tab."),
    (r"See 'erasmo portfolio list --deleted'\.", "See the deleted portfolios in the sidebar."),
    (r"'erasmo portfolio list --deleted'", "the deleted portfolios in the sidebar"),
    (r"open a portfolio with --on DATE", "open a portfolio with an earlier Opens on date"),
    (
        r"open it with --on DATE \(e\.g\. --on (?P<day>[0-9-]+)\)",
        r"give it an Opens on date (e.g. \g<day>)",
    ),
    (r"Without --on it", "Without an Opens on date it"),
    (r"\(--trail 2\.50 or --trail 5%\)", "(a Trail such as 2.50 or 5%)"),
    (
        r"a certificate and key \(--cert FILE --key FILE\), or --insecure if you really mean it",
        "a certificate and a key, or allow serving without encryption if you really mean it",
    ),
    (r"Give both --cert and --key", "Give both the certificate and the key"),
    (r" \(--offline / ", " ("),
    (r" \(--offline\)", ""),
    (r"`--offline` or ", ""),
    (
        r"Give one fork point: a log position \(--at\), a version \(--at-version\) or a date "
        r"\(--on\)\.",
        "Pick the event to fork after in the History tab.",
    ),
    (r"\(or copy the store elsewhere with --data-dir\)", "(or copy the store elsewhere)"),
    (r"choose another one with --data-dir", "start erasmo with another data folder"),
    (r"erasmo at another --data-dir", "erasmo with another data folder"),
    (r"\(--store or ERASMO_STORE\)", "(ERASMO_STORE)"),
    (
        r"give e\.g\. --max-volume-pct 10 \(at most 10% of a bar's volume\), or 'off' for no cap",
        "give e.g. 10 (at most 10% of a bar's volume), or leave the Volume cap empty for no cap",
    ),
    (r"trade without --max-volume-pct", "leave the Volume cap empty"),
)

# A flag left by itself: the control the window has for it.
FLAGS: dict[str, str] = {
    "--price": "the Price field",
    "--limit": "the Limit price field",
    "--stop": "the Stop price field",
    "--trail": "the Trail field",
    "--from": "the From date",
    "--to": "the To date",
    "--on": "the date field",
    "--at": "the History tab's event",
    "--at-version": "the History tab's event",
    "--days": "the clock's step buttons",
    "--token": "the Token field",
    "--show-token": "the token shown under Serve",
    "--rotate-token": "a new token",
    "--cert": "the certificate",
    "--key": "the key",
    "--insecure": "serving without encryption",
    "--offline": "offline mode",
    "--data-dir": "another data folder",
    "--store": "the store URL",
    "--mode": "the Mode",
    "--deleted": "the deleted portfolios",
    "--json": "the History tab",
}

_PHRASES = tuple((re.compile(pattern), words) for pattern, words in PHRASES)
_FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z-]*)")


def _flag(match: re.Match[str]) -> str:
    return FLAGS.get(match.group(1), match.group(1).lstrip("-").replace("-", " "))


def gui_text(message: str) -> str:
    """A domain message in the window's words (no CLI flag left in it)."""
    for pattern, words in _PHRASES:
        message = pattern.sub(words, message)
    return _FLAG.sub(_flag, message)

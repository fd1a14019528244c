"""Names that look alike are the same name.

A portfolio name is kept in Unicode's composed form (NFC), so "Café" typed with a combining
accent and "Café" typed with "é" are one name. A word mixing Latin, Cyrillic or Greek letters
("Тech" with a Cyrillic "Т") is refused: it exists only to be mistaken for another. Names are
unique by their skeleton, where the Cyrillic and Greek letters that look like Latin ones count
as those (a small part of Unicode's confusables list, enough for the alphabets that mix).
"""

from __future__ import annotations

import unicodedata

from events.errors import ConfusableNameError

#: Scripts whose letters are mistaken for one another.
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})

#: Cyrillic and Greek letters drawn like a Latin one, as that Latin letter.
_LOOK_ALIKES = str.maketrans(
    {
        **dict(zip("АВЕЅІЈКМНОРСТХУ", "ABESIJKMHOPCTXY", strict=True)),
        **dict(zip("аеѕіјкорсхуԁԛԝһүӏ", "aesijkopcxydqwhyl", strict=True)),
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),
        **dict(zip("αικνορτυχ", "aikvoptux", strict=True)),
    }
)


def mixed_word(name: str) -> tuple[str, set[str]] | None:
    """The first word of `name` mixing Latin, Cyrillic or Greek letters, and those scripts."""
    for word in _words(unicodedata.normalize("NFC", name)):
        scripts = {_script(c) for c in word} & _CONFUSABLE_SCRIPTS
        if len(scripts) > 1:
            return word, scripts
    return None


def normal_name(name: str) -> str:
    """`name` in composed form (NFC); a word mixing look-alike alphabets is refused."""
    name = unicodedata.normalize("NFC", name)
    found = mixed_word(name)
    if found is not None:
        word, scripts = found
        mixed = " and ".join(sorted(s.title() for s in scripts))
        raise ConfusableNameError(
            f"The portfolio name {name!r} mixes {mixed} letters in the word {word!r}, so it "
            "can be mistaken for another name: type each word in one alphabet."
        )
    return name


def skeleton(name: str) -> str:
    """What `name` looks like: composed, with look-alike letters as their Latin twins."""
    return unicodedata.normalize("NFC", name).translate(_LOOK_ALIKES)


def _words(name: str) -> list[str]:
    words, current = [], []
    for c in name:
        if c.isalpha() or unicodedata.category(c).startswith("M"):
            current.append(c)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return words


def _script(c: str) -> str:
    """The script of a letter: the first word of its Unicode name ("LATIN", "CYRILLIC", ...)."""
    if not c.isalpha():
        return ""
    return unicodedata.name(c, "").split(" ", 1)[0]

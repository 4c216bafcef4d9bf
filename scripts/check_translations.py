"""Fail when a translatable string has no Dutch translation.

Extracts every message from the code and templates (as ``pybabel extract`` does) and checks
that the nl catalogue translates each one, without fuzzy entries. English is the source
language of the code, so the en catalogue may leave strings untranslated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def extracted() -> dict[str, list[str]]:
    with open(ROOT / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"_": None, "gettext": None, "ngettext": (1, 2),
                                                       "lazy_gettext": None, "_l": None}
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def main() -> int:
    with open(ROOT / "burgerbegroting/translations/nl/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    problems = []
    for msgid, places in sorted(extracted().items()):
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"missing in nl: {msgid!r} ({places[0]})")
        elif message.fuzzy:
            problems.append(f"fuzzy in nl: {msgid!r} ({places[0]})")
        elif not (all(message.string) if isinstance(message.string, tuple) else message.string):
            problems.append(f"untranslated in nl: {msgid!r} ({places[0]})")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} strings need a Dutch translation "
              "(run scripts/i18n.sh, then fill in burgerbegroting/translations/nl/LC_MESSAGES/messages.po)",
              file=sys.stderr)
        return 1
    print("All strings have a Dutch translation.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write or update a Vietnamese .po domain from a Python dict of msgid → msgstr (maintainer tool).

Usage: python -m bot.i18n.write_po DOMAIN FILE.py   (FILE.py defines a dict ``T``)
Existing entries of the domain are kept unless the dict gives a new translation.
"""

from __future__ import annotations

import runpy
import sys

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalog import LOCALES_DIR


def main(domain: str, source: str) -> None:
    path = LOCALES_DIR / "vi" / "LC_MESSAGES" / f"{domain}.po"
    if path.exists():
        with path.open("rb") as fh:
            cat = read_po(fh, locale="vi")
    else:
        cat = Catalog(locale="vi", domain=domain, project="Loa Làng", charset="utf-8")
    for msgid, msgstr in runpy.run_path(source)["T"].items():
        cat.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, cat, width=0, omit_header=False, sort_output=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

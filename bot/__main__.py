"""Allows ``python -m bot`` to behave exactly like the ``loalang`` console script."""

from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m emulator.cli ...`` is the ``emulator`` command."""

from emulator.cli import main

main()

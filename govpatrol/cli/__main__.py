"""``python -m govpatrol.cli …``: the same command as the ``govpatrol`` script."""

from govpatrol.cli.main import main

main()

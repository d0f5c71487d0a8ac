"""``python -m cli``: the same as the ``ioc`` command."""

from cli.main import main

raise SystemExit(main())

"""Sub-commands of the ``ioc`` CLI; each module has ``register(subparsers)``."""

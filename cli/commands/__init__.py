"""Sub-commands of the ``ioc`` command; each module has ``register(subparsers)``."""

"""Tân An IOC: config, wire contract, store, live state, auth, the Dash app and the ``ioc`` CLI."""

__version__ = "0.1.0"

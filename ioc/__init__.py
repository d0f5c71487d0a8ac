"""Tân An IOC: config, wire contract, store, service adapters, live state, auth and the Dash app."""

__version__ = "0.1.0"

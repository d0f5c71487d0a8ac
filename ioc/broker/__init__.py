"""The broker's users and rights: registry, password hashes, and Mosquitto's generated configuration.

:mod:`ioc.broker.registry` reads the gateways / ingest registry (``config/gateways.toml``),
:mod:`ioc.broker.passwd` makes and reads Mosquitto's ``$7$`` password hashes,
:mod:`ioc.broker.render` turns a registry into ``mosquitto.conf`` and the dynamic-security
file, and :mod:`ioc.broker.local` runs a broker with them (demo, tests).
"""

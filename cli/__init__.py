"""The ``ioc`` command: the composition root that starts every service and tool.

Top level so that nothing imports it: it imports ``ioc``, ``ingest``,
``simulators`` and ``geodata`` and builds their real adapters.
"""

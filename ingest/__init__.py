"""The ingest worker: decode -> validate -> batch -> prepare -> write -> ack, with dead letters and live state.

Pure stages: ``decode``, ``batcher``, ``rows``, ``rules``, ``pipeline``.  The
write policy: ``retry``.  Bookkeeping: ``acks``, ``stats``, ``metrics``.  The
worker and what it is handed: ``worker``, ``ports``, ``live_updater``; the real
adapters are put together in ``assemble``.  Imports ``ioc`` (contract, model,
errors, adapters) and ``geodata``; never a driver directly.
"""

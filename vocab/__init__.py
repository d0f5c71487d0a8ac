"""The shared vocabulary: words, formats, severities and domain indicators.

Pure (standard library only), so every package may import it: ``ioc``, ``ingest``,
``maps``, ``widgets`` and ``simulators`` speak the same words and levels.
"""

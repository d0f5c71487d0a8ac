"""Alarm rules as data: the rules file's schema, its loader, and the pure evaluator.

* :mod:`ioc.rules.schema` — the YAML format (pydantic, unknown keys refused);
* :mod:`ioc.rules.loader` — validation with key paths, reload on change;
* :mod:`ioc.rules.machine` — one rule × scope key: pending → firing → clearing;
* :mod:`ioc.rules.evaluator` — readings, computed values and silence in, findings out;
* :mod:`ioc.rules.render` — message templates in Vietnamese and English;
* :mod:`ioc.rules.feeds` — cadences, late / offline, and device states;
* ``default.yaml`` — the default set, each rule citing its source.

Pure: no database, Redis or broker; the ingest worker and the periodic checks
feed it and store what it finds.
"""

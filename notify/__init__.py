"""The notifier: incident changes out to people, through a durable outbox (``ioc notify``).

* :mod:`notify.config` — channels and routes as data (YAML), the quick-wiring webhook;
* :mod:`notify.plan` — which messages a change makes, and the JSON body (pure);
* :mod:`notify.channels` — webhook, e-mail, Telegram and Zalo adapters;
* :mod:`notify.worker` — fill the outbox from incident_log, remind, drain.

May import ioc (config, store, rules), geodata and vocab; never ingest.
"""

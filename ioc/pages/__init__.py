"""The control-room pages: one module per page (``register_page`` + ``layout``), shared helpers in ``_``-prefixed modules."""

"""The Streamlit app (``sourcing ui``): one module per page under ``ui/app_pages``, shared
helpers beside them.

The page folder is not called ``pages``: Streamlit treats a ``pages`` folder beside the entry
script as a legacy (v1) multipage app, which skips ``app.py`` when a page runs. Nothing here
is imported by ``engine``; the app reaches the engine only through ``engine.api``.
"""

"""The app's web server: Streamlit's own (``st.App`` around ``app.py``), with each page told
where its server is (``ui/server_address.py``: no 404s in the console after a reload).

Run it as ``streamlit run ui/server.py`` (``sourcing ui`` does); ``ui/app.py`` stays the app
itself (``AppTest`` runs it directly).
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from ui.server_address import ServerAddress

app = st.App(
    "app.py",
    middleware=[Middleware(ServerAddress, base_url_path=st.get_option("server.baseUrlPath"))],
)

"""The server: Streamlit's ASGI app around app.py, with the app's own HTTP routes and start-up work.

`streamlit run serve.py` finds `app` here and serves app.py through it (st.App, Streamlit 1.67), so
the app can answer plain HTTP requests beside the websocket and prepare things before the first visitor.
"""

import asyncio
from contextlib import asynccontextmanager

import streamlit as st

from ui.session_cookie import routes as session_cookie_routes

# The app's own HTTP routes (Starlette), served beside Streamlit's, all under /_mentorship/ (Streamlit
# reserves /_stcore/, /media/, /component/ and /static/): the sign-in cookie's (ui/session_cookie.py).
ROUTES: list = [*session_cookie_routes()]


@asynccontextmanager
async def lifespan(_app):
    """Start-up and shut-down work of the server process: open the database (a new demo database is filled
    here, not in the first request), then warm the caches in a thread while the server answers (ui/warmup.py)."""
    from ui import warmup  # once Streamlit's runtime runs, so the caches it declares are the runtime's

    resources = await asyncio.to_thread(warmup.open_at_start)
    warmup.start_warm_up(resources)
    yield


app = st.App("app.py", routes=ROUTES, lifespan=lifespan)

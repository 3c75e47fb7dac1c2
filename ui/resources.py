"""The process-wide resources: the open store and the instrument catalogue, built once per path."""

import time
from dataclasses import dataclass, field
from datetime import date, datetime

import streamlit as st

from analytics.config import Settings
from analytics.errors import StoreError
from analytics.instruments import Catalogue, InstrumentError, load_catalogue
from analytics.people import has_no_people
from analytics.redcap import imports_stamp, with_program_instruments
from analytics.registry import register_catalogue
from analytics.store import Store
from demo import DEMO_INSTRUMENTS_DIR, build_demo_program

IMPORTS_CHECK = 10.0  # seconds: how soon an instrument imported on another server sharing the database is offered here


@dataclass(frozen=True)
class AppResources:
    store: Store
    files: Catalogue  # the instrument files, loaded and registered once per process
    settings: Settings
    # [(imports stamp, the files with every program's imported instruments, data version, when checked)], replaced whole.
    _loaded: list = field(default_factory=list, compare=False, repr=False)

    @property
    def catalogue(self) -> Catalogue:
        """Every instrument: the files and the programs' imported ones (each offered to its own program only,
        analytics.program_settings.own_instruments)."""
        if not self._loaded:
            self.refresh_catalogue(force=True)
        return self._loaded[0][1]

    def refresh_catalogue(self, force: bool = False) -> None:
        """Load the imported instruments again when any program imported one. Asked after every write of this
        process and at least every IMPORTS_CHECK seconds for another server's (one query of about 2 ms, so
        not on every run); the catalogue itself is rebuilt only when the imports changed."""
        version, clock = self.store.data_version, time.monotonic()
        if not force and self._loaded and self._loaded[0][2] == version and clock - self._loaded[0][3] < IMPORTS_CHECK:
            return
        stamp = imports_stamp(self.store)
        catalogue = self._loaded[0][1] if self._loaded and self._loaded[0][0] == stamp else None
        if catalogue is None:
            catalogue = with_program_instruments(self.store, self.files)
        self._loaded[:1] = [(stamp, catalogue, version, clock)]  # one assignment: a session reading meanwhile sees old or new


def today(settings: Settings | None = None) -> date:
    """The one place the app reads the calendar; analytics/ is always told the date."""
    settings = settings or Settings.from_environment()
    return settings.fixed_today or date.today()


def now(settings: Settings | None = None) -> datetime:
    """The one place the app reads the clock: on a pinned day (MENTORSHIP_TODAY) the time of day moves on,
    so what is recorded on it keeps its order; analytics/ is always told the time."""
    settings = settings or Settings.from_environment()
    current = datetime.now()
    return datetime.combine(settings.fixed_today, current.time()) if settings.fixed_today else current


def _close(resources: AppResources) -> None:
    resources.store.close()


# Keyed by path, so tests that switch files get a store of their own; closed when evicted.
@st.cache_resource(show_spinner="Opening the database...", max_entries=4, on_release=_close)
def _open(db_path: str, demo: bool, program_dir: str, memory_limit: str) -> AppResources:
    settings = Settings.from_environment()
    store = Store(db_path, memory_limit=memory_limit)
    try:
        folders = [DEMO_INSTRUMENTS_DIR, settings.program_instruments_dir] if demo else [settings.program_instruments_dir]
        catalogue = register_catalogue(store, load_catalogue(program_dir=folders), now(settings))
        if demo and has_no_people(store):
            build_demo_program(store, catalogue, today(settings))
    except BaseException:
        store.close()
        raise
    return AppResources(store, catalogue, settings)


def open_resources(settings: Settings | None = None) -> AppResources:
    """The open store for the configured database, the same object every script run of the process uses (the
    server's own routes too), opened (and a new demo database filled) once per process and path: at server
    start (ui/warmup.py) or else by the first run. Raises StoreError or InstrumentError if it cannot open."""
    settings = settings or Settings.from_environment()
    resources = _open(str(settings.db_path), settings.demo, str(settings.program_instruments_dir), settings.memory_limit)
    resources.store.ensure_open()  # after a fatal I/O error, the file is opened again (or the page says why not)
    resources.refresh_catalogue()
    return resources


def app_resources() -> AppResources:
    """The open store for the configured database; stops the page with a clear message if it cannot open."""
    try:
        return open_resources()
    except (StoreError, InstrumentError) as error:
        st.error(str(error))
        st.stop()

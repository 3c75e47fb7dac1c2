"""The bytes behind an AppTest download button.

AppTest keeps a download's data in a media file store that it drops after each run; this keeps every
store made while it is active, so a test can read what a person would download.
"""

from contextlib import contextmanager

from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import app_test


class _KeptStorage(MemoryMediaFileStorage):
    kept: list["_KeptStorage"] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _KeptStorage.kept.append(self)


@contextmanager
def kept_downloads(monkeypatch):
    _KeptStorage.kept = []
    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", _KeptStorage)
    yield
    _KeptStorage.kept = []


def download_bytes(button) -> bytes:
    """The data of an AppTest download button (inside `kept_downloads`)."""
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    for storage in reversed(_KeptStorage.kept):
        try:
            return storage.get_file(file_id).content
        except Exception:  # not in this run's store
            continue
    raise AssertionError(f"no stored download for {button.proto.url}; is the test inside kept_downloads()?")

"""The bytes behind an AppTest download button.

AppTest keeps a download's data in a media file store that it drops after each run; this keeps every
store made while it is active, so a test can read what a person would download. A deferred download
(a callable Streamlit runs when the button is clicked, such as the review report's PDF) is kept by the
run's media file manager; `download_bytes` runs it, as a click does.
"""

import shutil
import subprocess
from contextlib import contextmanager

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import app_test


class _KeptStorage(MemoryMediaFileStorage):
    kept: list["_KeptStorage"] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _KeptStorage.kept.append(self)


class _KeptManager(MediaFileManager):
    kept: list["_KeptManager"] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _KeptManager.kept.append(self)


@contextmanager
def kept_downloads(monkeypatch):
    _KeptStorage.kept, _KeptManager.kept = [], []
    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", _KeptStorage)
    monkeypatch.setattr(app_test, "MediaFileManager", _KeptManager)
    yield
    _KeptStorage.kept, _KeptManager.kept = [], []


def download_bytes(button) -> bytes:
    """The data of an AppTest download button (inside `kept_downloads`); a deferred one's callable is run."""
    deferred = button.proto.deferred_file_id
    if deferred:
        for manager in reversed(_KeptManager.kept):
            entry = manager._deferred_callables.get(deferred)
            if entry is not None:
                data = entry["callable"]()
                return data.encode("utf-8") if isinstance(data, str) else data
        raise AssertionError(f"no deferred download {deferred}; is the test inside kept_downloads()?")
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    for storage in reversed(_KeptStorage.kept):
        try:
            return storage.get_file(file_id).content
        except Exception:  # not in this run's store
            continue
    raise AssertionError(f"no stored download for {button.proto.url}; is the test inside kept_downloads()?")


def download_name(button) -> str:
    """The file name a download button gives (inside `kept_downloads`), deferred or not; a stored
    download's URL ends in its extension only."""
    deferred = button.proto.deferred_file_id
    if deferred:
        for manager in reversed(_KeptManager.kept):
            entry = manager._deferred_callables.get(deferred)
            if entry is not None:
                return str(entry["filename"])
        raise AssertionError(f"no deferred download {deferred}; is the test inside kept_downloads()?")
    return button.proto.url.rsplit("/", 1)[-1]


def pdf_text(data: bytes) -> str:
    """A PDF's text as a reader selects it (poppler's pdftotext), words joined by single spaces."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is not installed (apt-get install poppler-utils)"
    out = subprocess.run([tool, "-", "-"], input=data, capture_output=True, check=True).stdout
    return " ".join(out.decode("utf-8").split())

"""The app's upload path: an uploaded scenario never makes the server read (or echo) a file
outside what was uploaded, and an upload cannot unpack past ``MAX_UPLOAD_BYTES``."""

from __future__ import annotations

import io
import zipfile

import pytest

from engine.api import MAX_UPLOAD_BYTES, ScenarioError
from tests.conftest import DTC_BRAND
from ui import loading


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _example(**changed: bytes) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in DTC_BRAND.iterdir() if p.is_file()}
    return {**files, **changed}


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../../etc/passwd", "/dev/zero"])
def test_a_table_path_leading_out_of_the_upload_is_refused(path: str) -> None:
    settings = (DTC_BRAND / "scenario.yaml").read_text(encoding="utf-8")
    settings += f"\ntables:\n  skus: {path}\n"
    with pytest.raises(ScenarioError) as raised:
        loading.read_upload([("s.zip", _zip(_example(**{"scenario.yaml": settings.encode()})))])
    text = "\n".join(str(p) for p in raised.value.problems)
    assert "tables.skus" in text and "inside the scenario's folder" in text
    assert "root:" not in text


@pytest.mark.slow
def test_an_upload_that_unpacks_past_the_limit_is_refused() -> None:
    bomb = _zip(_example(**{"demand.csv": b"\n" * (MAX_UPLOAD_BYTES + 1)}))
    assert len(bomb) < MAX_UPLOAD_BYTES // 100
    with pytest.raises(ScenarioError) as raised:
        loading.read_upload([("s.zip", bomb)])
    assert "upload limit" in str(raised.value)


def test_the_example_uploads_as_a_zip() -> None:
    loaded = loading.read_upload([("s.zip", _zip(_example()))])
    assert loaded.scenario.name == "dtc-brand"


def test_every_uploaded_file_is_used_or_reported() -> None:
    """A junk workbook uploaded beside a valid YAML + CSV scenario is reported as not used (and
    left out of the scenario's source); the scenario's own files are not."""
    from tests.ui.conftest import new_app, upload

    files = [(name, data, "text/plain") for name, data in _example().items()]
    at = upload(new_app(), [*files, ("notes.xlsx", b"not a workbook", "application/x")])
    assert not at.exception
    warnings = [w.value for w in at.warning]
    reported = [w for w in warnings if "uploaded file(s) not used" in w]
    assert reported and "notes.xlsx" in reported[0], warnings
    assert "suppliers.csv" not in reported[0] and "scenario.yaml" not in reported[0]
    space = at.session_state["workspace"]
    assert space.loaded is not None and "notes.xlsx" not in space.source
    assert "scenario.yaml" in space.source

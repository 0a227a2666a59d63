"""The packaged Chime model: intact (checksums), stripped of prose, and refreshable from botocore."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from chime_local.model import MODEL_DIR, MODEL_FILES, file_digest, load_document, read_provenance
from chime_local.model.refresh import (
    compare_models,
    read_botocore_document,
    render,
    strip_documentation,
    write_copy,
)


def test_every_kept_file_matches_its_recorded_checksum() -> None:
    provenance = read_provenance()
    assert provenance["botocore"].startswith("1.")
    assert sorted(provenance["files"]) == sorted(path.name for path in MODEL_DIR.iterdir())
    for name, digest in provenance["files"].items():
        assert file_digest(MODEL_DIR / name) == digest, f"{name} drifted: run ./run refresh-model"


def test_the_copy_has_the_files_botocore_loads_and_no_documentation() -> None:
    assert {path.name for path in MODEL_DIR.iterdir()} == set(MODEL_FILES)
    for name in MODEL_FILES:
        assert '"documentation": "' not in (MODEL_DIR / name).read_text()
    service = load_document("service-2.json")
    assert service["metadata"]["uid"] == "chime-2018-05-01"
    assert len(service["operations"]) == 62


def test_stripping_keeps_structure_and_members_named_documentation() -> None:
    document = {
        "documentation": "<p>prose</p>",
        "shapes": {"S": {"members": {"documentation": {"shape": "String"}}, "documentation": "x"}},
        "list": [{"documentation": "y", "type": "string"}],
    }
    assert strip_documentation(document) == {
        "shapes": {"S": {"members": {"documentation": {"shape": "String"}}}},
        "list": [{"type": "string"}],
    }


def test_botocore_files_are_read_plain_or_gzipped(tmp_path: Path) -> None:
    (tmp_path / "service-2.json.gz").write_bytes(gzip.compress(b'{"a": 1}'))
    (tmp_path / "paginators-1.json").write_text('{"b": 2}')
    assert read_botocore_document(tmp_path, "service-2.json") == {"a": 1}
    assert read_botocore_document(tmp_path, "paginators-1.json") == {"b": 2}
    assert read_botocore_document(tmp_path, "waiters-2.json") is None


def test_the_report_names_operations_shapes_and_members() -> None:
    old = {
        "operations": {"GetA": {"http": {"method": "GET"}}, "Gone": {}},
        "shapes": {"A": {"members": {"X": {"shape": "S"}, "Y": {"shape": "S"}}}, "Old": {}},
    }
    new = {
        "operations": {"GetA": {"http": {"method": "POST"}}, "New": {}},
        "shapes": {"A": {"members": {"X": {"shape": "T"}, "Z": {"shape": "S"}}}, "Fresh": {}},
    }
    changes = compare_models(old, new)
    assert changes.lines() == [
        "operation added: New",
        "operation removed: Gone",
        "operation changed: GetA",
        "shape added: Fresh",
        "shape removed: Old",
        "shape changed: A",
        "member added: A.Z",
        "member removed: A.Y",
        "member changed: A.X",
    ]
    assert compare_models(old, json.loads(json.dumps(old))).empty()


def test_a_refresh_from_botocore_folder_writes_stripped_files_in_order(tmp_path: Path) -> None:
    source = tmp_path / "botocore"
    source.mkdir()
    service = {"documentation": "d", "shapes": {"B": {}, "A": {"documentation": "e"}}}
    (source / "service-2.json.gz").write_bytes(gzip.compress(json.dumps(service).encode()))
    (source / "paginators-1.json").write_text('{"pagination": {}}')
    target = tmp_path / "copy"
    provenance = write_copy(source, target)
    written = (target / "service-2.json").read_text()
    assert written == render({"shapes": {"B": {}, "A": {}}})
    assert list(json.loads(written)["shapes"]) == ["B", "A"]  # member order is meaningful
    assert provenance["files"]["service-2.json"] == file_digest(target / "service-2.json")
    assert sorted(provenance["files"]) == ["paginators-1.json", "service-2.json"]


def test_a_refresh_needs_a_chime_model(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no chime"):
        write_copy(tmp_path, tmp_path / "copy")

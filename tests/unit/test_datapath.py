"""The packaged model as a botocore data folder, and how SDK sessions are pointed at it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import botocore.loaders
import botocore.session
import pytest

from chime_local.model.datapath import (
    ENVIRONMENT_VARIABLE,
    data_path,
    packaged_model_for_sdks,
    register_with_session,
)
from chime_local.testing import mock_chime


def test_the_cli_prints_a_folder_botocore_loads_chime_from_alone() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "chime_local", "botocore-data-path"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert printed == data_path()
    loader = botocore.loaders.Loader(
        extra_search_paths=[printed], include_default_search_paths=False
    )
    assert loader.list_available_services("service-2") == ["chime"]
    model = loader.load_service_model("chime", "service-2")
    assert model["metadata"]["serviceId"] == "Chime"
    assert "ListUsers" in loader.load_service_model("chime", "paginators-1")["pagination"]


def test_the_folder_is_added_after_existing_ones_and_the_old_value_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, "/models/of/mine")
    with packaged_model_for_sdks() as folder:
        assert os.environ[ENVIRONMENT_VARIABLE] == os.pathsep.join(["/models/of/mine", folder])
    assert os.environ[ENVIRONMENT_VARIABLE] == "/models/of/mine"
    monkeypatch.delenv(ENVIRONMENT_VARIABLE)
    with mock_chime():
        assert os.environ[ENVIRONMENT_VARIABLE] == data_path()
    assert ENVIRONMENT_VARIABLE not in os.environ


def test_a_session_made_before_finds_the_folder_after_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = botocore.session.get_session()
    register_with_session(session)
    register_with_session(session)  # once only
    search_paths = session.get_component("data_loader").search_paths
    assert search_paths.count(data_path()) == 1
    assert search_paths.index(data_path()) == len(search_paths) - 1
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", boto3.session.Session())
    with mock_chime():
        loader = boto3.DEFAULT_SESSION._session.get_component("data_loader")
        assert data_path() in loader.search_paths


def test_the_data_folder_holds_only_chime() -> None:
    assert sorted(p.name for p in Path(data_path()).iterdir()) == ["chime"]

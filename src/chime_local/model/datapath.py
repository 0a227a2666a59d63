"""Handing the packaged Chime model to SDK sessions, for the day botocore no longer ships it.

botocore finds service models through its loader's search paths: the folders in
``AWS_DATA_PATH`` first, then its own ``data``. chime-local's ``model/data`` folder has botocore's
layout, so naming it there lets boto3 and the AWS CLI build ``chime`` clients from it. Inside
``mock_chime`` and the pytest fixtures this happens by itself: :func:`use_packaged_model` puts the
folder in ``AWS_DATA_PATH`` for sessions created in the block and appends it to the search paths
of boto3's default session if one exists (its loader was made before). Server users run
``chime-local botocore-data-path`` and export the folder it prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from chime_local.model import DATA_DIR

ENVIRONMENT_VARIABLE = "AWS_DATA_PATH"


def data_path() -> str:
    """The folder to put in ``AWS_DATA_PATH`` (it holds ``chime/2018-05-01/service-2.json``)."""
    return str(DATA_DIR)


def register_with_session(session: Any) -> None:
    """Let a botocore session's loader find the packaged model, after its own folders."""
    search_paths = session.get_component("data_loader").search_paths
    if data_path() not in search_paths:
        search_paths.append(data_path())


def use_packaged_model() -> dict[str, str | None]:
    """Make the packaged model visible to SDK sessions; returns the environment values to restore.

    The folder is added to ``AWS_DATA_PATH`` (after any folders already there) and to boto3's
    default session, if it exists.
    """
    previous = os.environ.get(ENVIRONMENT_VARIABLE)
    folders = previous.split(os.pathsep) if previous else []
    if data_path() not in folders:
        os.environ[ENVIRONMENT_VARIABLE] = os.pathsep.join([*folders, data_path()])
    try:
        import boto3
    except ImportError:
        return {ENVIRONMENT_VARIABLE: previous}
    if boto3.DEFAULT_SESSION is not None:
        register_with_session(boto3.DEFAULT_SESSION._session)
    return {ENVIRONMENT_VARIABLE: previous}


@contextmanager
def packaged_model_for_sdks() -> Iterator[str]:
    """:func:`use_packaged_model` for the length of a ``with`` block; yields the folder."""
    previous = use_packaged_model()[ENVIRONMENT_VARIABLE]
    try:
        yield data_path()
    finally:
        if previous is None:
            del os.environ[ENVIRONMENT_VARIABLE]
        else:
            os.environ[ENVIRONMENT_VARIABLE] = previous

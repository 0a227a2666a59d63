"""``chime-local operations``, ``openapi`` and ``botocore-data-path``: what the emulator carries,
printed."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(commands: Any) -> None:
    commands.add_parser(
        "operations",
        help="print the table of Chime operations and their status (Markdown)",
        description="Print the 62 operations of the model and whether each is implemented.",
    )
    commands.add_parser(
        "openapi",
        help="print the OpenAPI 3.1 document of the Chime API (JSON)",
        description="Print the OpenAPI 3.1 document of the Chime API, derived from the model.",
    )
    commands.add_parser(
        "botocore-data-path",
        help="print the folder to put in AWS_DATA_PATH so SDKs find the Chime model",
        description="Print the folder holding chime-local's copy of the Chime model in botocore's"
        " layout; with it in AWS_DATA_PATH, boto3 and the AWS CLI build chime clients even when"
        " botocore has no Chime model.",
    )


def run(args: argparse.Namespace) -> int:
    if args.command == "openapi":
        import json

        from chime_local.protocol.openapi import openapi_document

        print(json.dumps(openapi_document(), indent=2))
        return 0
    if args.command == "botocore-data-path":
        from chime_local.model.datapath import data_path

        print(data_path())
        return 0
    from chime_local.catalog import operations_markdown

    print(operations_markdown(), end="")
    return 0

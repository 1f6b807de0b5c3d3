"""The OpenAPI document: generated from the code, committed in docs/openapi.json, and the API tested
against it by Schemathesis with a real client token (zero server errors, every response conforming)."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from api.openapi import openapi_document
from api.services import SCOPES
from tests.api.conftest import make_caller
from tests.cards.factories import CardFactory, TransactionFactory
from tests.conftest import ROOT

COMMITTED = ROOT / "docs" / "openapi.json"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_the_committed_openapi_document_is_the_one_the_code_generates():
    assert COMMITTED.read_text(encoding="utf-8") == openapi_document(), (
        "docs/openapi.json drifted from the code: run `.venv/bin/python manage.py api_schema` and commit it"
    )


def test_every_write_declares_its_idempotency_key_and_every_operation_its_scope():
    document = json.loads(openapi_document())
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            [requirement] = operation["security"]
            assert list(requirement) == ["ClientToken"] and len(requirement["ClientToken"]) == 1, (
                method,
                path,
            )
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            assert ("Idempotency-Key" in headers) == (method == "post"), (method, path)


def test_schemathesis_finds_no_server_error_and_no_nonconforming_response(
    live_server, transactional_db, tmp_path, case
):
    """With the stateful phase following the document's links (``api.views.LINKS``); ``case``: a filed
    claim, so the claim list's first item leads to a claim to read."""
    caller = make_caller("schemathesis", list(SCOPES), rate_limit=1_000_000)
    card = CardFactory(processor_token="tok_schemathesis")
    TransactionFactory(card=card, processor_reference="ST-1")
    result = subprocess.run(  # noqa: S603 (the installed Schemathesis CLI, fixed arguments)
        [
            str(Path(sys.executable).parent / "st"),
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {caller.token}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            "30",
            "--workers",
            "1",
            "--seed",
            "20261206",
            "--suppress-health-check",
            "all",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    summary = "\n".join(
        line
        for line in result.stdout.splitlines()
        if re.search(r"passed|failed|error|Test cases|Scenarios|API Links", line, re.I)
    )
    print(summary)
    assert result.returncode == 0, result.stdout[-6000:]
    assert not re.search(r"Server error", result.stdout)
    pytest.importorskip("schemathesis")

"""Making the packaged copy from the installed botocore, and reporting how the two differ.

The copy keeps the structure and drops AWS's ``documentation`` prose (decision 23). Keys keep
botocore's order rather than being sorted: a structure's member order is meaningful (the order
the serializer writes members in, the order the validator reports them in). Files are written
with one-space indentation so a refresh shows up as a readable diff. botocore ships some of its
files gzipped (``service-2.json.gz``); both forms are read.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chime_local.model import (
    API_VERSION,
    MODEL_DIR,
    MODEL_FILES,
    PROVENANCE_FILE,
    SERVICE_NAME,
    file_digest,
    load_document,
)


def botocore_model_dir() -> Path:
    import botocore

    return Path(botocore.__file__).parent / "data" / SERVICE_NAME / API_VERSION


def botocore_version() -> str:
    import botocore

    return str(botocore.__version__)


def read_botocore_document(directory: Path, name: str) -> dict[str, Any] | None:
    """``name`` (``service-2.json``, ...) from botocore's folder, plain or gzipped; None: absent."""
    plain, packed = directory / name, directory / f"{name}.gz"
    if plain.is_file():
        raw = plain.read_bytes()
    elif packed.is_file():
        raw = gzip.decompress(packed.read_bytes())
    else:
        return None
    document: dict[str, Any] = json.loads(raw)
    return document


def strip_documentation(value: Any) -> Any:
    """``value`` without its ``documentation`` strings (keys of that name holding other values,
    such as a member named ``documentation``, are kept)."""
    if isinstance(value, dict):
        return {
            key: strip_documentation(item)
            for key, item in value.items()
            if not (key == "documentation" and isinstance(item, str))
        }
    if isinstance(value, list):
        return [strip_documentation(item) for item in value]
    return value


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


@dataclass
class ModelChanges:
    """What differs between two service models, by operation, shape and member."""

    operations: dict[str, list[str]] = field(default_factory=dict)  # added/removed/changed
    shapes: dict[str, list[str]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)  # "Shape.Member"

    def empty(self) -> bool:
        return (
            not any(self.operations.values())
            and not any(self.shapes.values())
            and not any(self.members.values())
        )

    def lines(self) -> list[str]:
        out: list[str] = []
        for kind, table in (("operation", self.operations), ("shape", self.shapes),
                            ("member", self.members)):  # fmt: skip
            for change in ("added", "removed", "changed"):
                out.extend(f"{kind} {change}: {name}" for name in table.get(change, []))
        return out


def _compare(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "changed": sorted(name for name in set(old) & set(new) if old[name] != new[name]),
    }


def compare_models(old: dict[str, Any], new: dict[str, Any]) -> ModelChanges:
    """Operations, shapes and members added, removed or changed from ``old`` to ``new``."""
    changes = ModelChanges(
        operations=_compare(old.get("operations", {}), new.get("operations", {})),
        shapes=_compare(old.get("shapes", {}), new.get("shapes", {})),
    )
    members: dict[str, list[str]] = {"added": [], "removed": [], "changed": []}
    for shape in changes.shapes["changed"]:
        before = old["shapes"][shape].get("members", {})
        after = new["shapes"][shape].get("members", {})
        for change, names in _compare(before, after).items():
            members[change].extend(f"{shape}.{name}" for name in names)
    changes.members = members
    return changes


def installed_copy(source: Path) -> dict[str, dict[str, Any]]:
    """The documents botocore has in ``source``, stripped as the packaged copy is."""
    documents = {}
    for name in MODEL_FILES:
        document = read_botocore_document(source, name)
        if document is not None:
            documents[name] = strip_documentation(document)
    return documents


def changes_from_installed(source: Path | None = None) -> ModelChanges | None:
    """How botocore's installed service model differs from the copy; None without a Chime model."""
    documents = installed_copy(source or botocore_model_dir())
    if "service-2.json" not in documents:
        return None
    return compare_models(load_document("service-2.json"), documents["service-2.json"])


def write_copy(source: Path | None = None, target: Path = MODEL_DIR) -> dict[str, Any]:
    """Replace the packaged copy with botocore's (stripped) and record its provenance."""
    documents = installed_copy(source or botocore_model_dir())
    missing = [name for name in ("service-2.json", "paginators-1.json") if name not in documents]
    if missing:
        raise FileNotFoundError(f"the installed botocore has no chime {', '.join(missing)}")
    target.mkdir(parents=True, exist_ok=True)
    for name, document in documents.items():
        (target / name).write_text(render(document))
    provenance = {
        "botocore": botocore_version(),
        "files": {name: file_digest(target / name) for name in sorted(documents)},
    }
    if target == MODEL_DIR:
        PROVENANCE_FILE.write_text(json.dumps(provenance, indent=1, sort_keys=True) + "\n")
    return provenance

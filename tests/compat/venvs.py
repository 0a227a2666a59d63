"""Virtual environments with other botocore releases, built once and reused (stamped).

Three flavours: ``oldest`` (botocore and boto3 at ``pyproject.toml``'s lower bounds), ``newest``
(the newest releases pip can get) and ``no-chime`` (the newest, with every ``botocore/data/chime``
folder deleted: what a botocore release without Chime looks like). Each has only the SDK packages
of its own; a ``.pth`` file adds the running environment's site-packages after them, so
chime-local, its other dependencies and pytest come from there while ``import botocore`` finds
the flavour's. They live under the running environment's folder (``.venv/compat``), are built
under a file lock (xdist workers may ask at once) and are rebuilt when their stamp (the
flavour, its requirements and the environment they layer on) changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
HOME = Path(sys.prefix) / "compat"
SDK_PACKAGES = ("botocore", "boto3", "awscli")
FLAVOURS = ("oldest", "newest", "no-chime")


def lower_bound(package: str) -> str:
    """The ``>=`` bound ``pyproject.toml`` declares for ``package`` (runtime or test extra)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        match = re.fullmatch(rf"{package}>=([\w.]+)(,.*)?", requirement.replace(" ", ""))
        if match:
            return match.group(1)
    raise LookupError(f"pyproject.toml declares no lower bound for {package}")


def requirements(flavour: str) -> list[str]:
    if flavour == "oldest":
        return [f"botocore=={lower_bound('botocore')}", f"boto3=={lower_bound('boto3')}", "awscli"]
    return list(SDK_PACKAGES)


def python_for(flavour: str) -> Path:
    """The interpreter of ``flavour``'s environment, built first if missing or stale."""
    folder = HOME / flavour
    python = folder / "bin" / "python"
    stamp_text = f"{flavour} {requirements(flavour)} {sysconfig.get_path('purelib')}"
    stamp = folder / f".stamp-{hashlib.sha256(stamp_text.encode()).hexdigest()[:16]}"
    HOME.mkdir(parents=True, exist_ok=True)
    with (HOME / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.is_file():
            _build(folder, flavour)
            stamp.touch()
    return python


def _site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return Path(out.stdout.strip())


def _build(folder: Path, flavour: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    python = folder / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    subprocess.run([*install, *requirements(flavour)], check=True)
    site = _site_packages(python)
    base = sysconfig.get_path("purelib")
    (site / "zz_chime_local_base.pth").write_text(f"import site; site.addsitedir({base!r})\n")
    if flavour == "no-chime":
        for model in site.glob("**/botocore/data/chime"):
            shutil.rmtree(model)

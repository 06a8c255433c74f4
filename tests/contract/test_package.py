"""The package the image installs works outside the repository (deploy/Dockerfile, stage 1).

There is no Docker engine here, so the image is checked by what goes into it: the wheel built
from just what the build stage copies. It must carry every data file of the source tree (tables,
reference knowledge, worked examples), and once installed alone in a fresh venv it must load its
tables and print its contract, run from a directory that holds no source.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.contract import images
from tests.venvs import BIN, install_into_venv, run

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("pricing", "service")


def data_files() -> set[str]:
    """Every file of the packages that is not Python source, as a path inside the wheel."""
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and path.suffix not in {".py", ".pyc"}:
                found.add(path.relative_to(ROOT).as_posix())
    return found


@pytest.fixture(name="wheel", scope="module")
def fixture_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    context = tmp_path_factory.mktemp("context")
    for source in images.copied_from_context(images.stages()[0]):
        if (ROOT / source).is_dir():
            shutil.copytree(ROOT / source, context / source, ignore=shutil.ignore_patterns("*.pyc"))
        else:
            shutil.copy(ROOT / source, context / source)
    output = tmp_path_factory.mktemp("wheel")
    built = run([str(BIN / "uv"), "build", "--wheel", "--quiet", "-o", str(output), str(context)])
    assert built.returncode == 0, built.stderr
    (wheel,) = output.glob("*.whl")
    return wheel


def test_the_build_stage_copies_the_packages() -> None:
    assert {"pyproject.toml", *PACKAGES} <= set(images.copied_from_context(images.stages()[0]))


def test_the_wheel_carries_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert data_files(), "the tree has tables and examples"
    assert data_files() <= names, sorted(data_files() - names)


def test_the_installed_package_loads_its_tables_and_prints_its_contract(
    wheel: Path, tmp_path: Path
) -> None:
    python = install_into_venv(wheel, tmp_path)
    elsewhere = tmp_path / "empty"
    elsewhere.mkdir()
    probe = (
        "import json, pricing.loader; "
        "catalog = pricing.loader.load_catalog(); "
        "print(json.dumps({'versions': sorted(catalog.tables), "
        "'module': pricing.loader.__file__}))"
    )

    loaded = run([str(python), "-c", probe], cwd=elsewhere)
    document = run([str(python), "-m", "service", "openapi"], cwd=elsewhere)

    assert loaded.returncode == 0, loaded.stderr
    found = json.loads(loaded.stdout)
    shipped = sorted(path.stem for path in (ROOT / "pricing" / "tables").glob("*.toml"))
    assert found["versions"] == shipped
    assert str(ROOT) not in found["module"]  # the installed copy, not the source tree
    assert document.returncode == 0, document.stderr
    assert document.stdout == (ROOT / "openapi.yaml").read_text()

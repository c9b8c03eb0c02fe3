"""`data prepare --executor slurm` on the real cluster: a submitit job array of work units whose output is
byte-identical to a local prepare, a refused sbatch named as such, and a cancelled array resumed."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parents[1] / "mixtures"))
from mixtures_testing import make_dirty_corpus  # noqa: E402
from slurm_testing import wait_for  # noqa: E402

from codescale.core.errors import CodescaleError  # noqa: E402
from codescale.mixtures.prepare import prepare, work_dir_of  # noqa: E402

pytestmark = [pytest.mark.slurm, pytest.mark.slow]
UNIT_BYTES = 6_000


def prepared_bytes(prepared: Path) -> dict[str, bytes]:
    """Every file but manifest.duckdb; the manifest without the catalog path (the Slurm catalogs are copies)."""
    files = {
        str(p.relative_to(prepared)): p.read_bytes()
        for p in sorted(prepared.rglob("*"))
        if p.is_file() and p.name != "manifest.duckdb"
    }
    manifest = json.loads(files["manifest.json"])
    files["manifest.json"] = json.dumps({k: v for k, v in manifest.items() if k != "catalog"}).encode()
    return files


def with_cluster(catalog: Path, **cluster) -> Path:
    body = yaml.safe_load(catalog.read_text())
    body["cluster"] = {"time_limit_min": 5, "mem_gb": 1, "cpus_per_task": 1, **cluster}
    path = catalog.with_name(f"catalog-{len(cluster)}-{abs(hash(str(cluster))) % 10**6}.yaml")
    path.write_text(yaml.safe_dump(body, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def dirty(tmp_path_factory):
    root = tmp_path_factory.mktemp("slurm-prepare")
    catalog, _ = make_dirty_corpus(root)
    prepare(catalog, root / "local", progress=False, workers=1, unit_bytes=UNIT_BYTES)
    return catalog, prepared_bytes(root / "local")


def test_a_slurm_array_writes_the_same_bytes_as_a_local_prepare(dirty, tmp_path):
    catalog, reference = dirty
    out = tmp_path / "slurm"
    prepare(with_cluster(catalog, max_array_tasks=3), out, progress=False, executor="slurm", unit_bytes=UNIT_BYTES)
    assert prepared_bytes(out) == reference
    assert not work_dir_of(out).exists()


def test_sbatch_refusing_the_array_is_a_located_error(dirty, tmp_path):
    catalog, _ = dirty
    with pytest.raises(CodescaleError) as err:
        prepare(
            with_cluster(catalog, partition="no-such-partition"),
            tmp_path / "out",
            progress=False,
            executor="slurm",
            unit_bytes=UNIT_BYTES,
        )
    assert "sbatch refused the prepare array" in err.value.render() and "cluster" in err.value.render()
    assert not (tmp_path / "out").exists()


def _array_jobs() -> list[str]:
    out = subprocess.run(["squeue", "-h", "-o", "%A %j"], capture_output=True, text=True, check=True).stdout
    return [line.split()[0] for line in out.splitlines() if "codescale-prepare-" in line]


def test_a_cancelled_array_is_resumed_by_running_prepare_again(dirty, tmp_path):
    catalog, reference = dirty
    sequential = with_cluster(catalog, max_array_tasks=9, array_parallelism=1)  # tasks one after another (the
    # local cluster's MaxArraySize of 4 caps the array at 4 tasks of 2-3 units each)
    out = tmp_path / "out"
    failure: list[BaseException] = []

    def run() -> None:
        try:
            prepare(sequential, out, progress=False, executor="slurm", unit_bytes=UNIT_BYTES)
        except BaseException as err:  # noqa: BLE001 - handed to the test thread
            failure.append(err)

    thread = threading.Thread(target=run)
    thread.start()
    units = work_dir_of(out) / "units"
    wait_for(lambda: units.is_dir() and any(units.glob("*/unit.json")), 240, "a first finished unit")
    for job in _array_jobs():
        subprocess.run(["scancel", job], check=False)
    thread.join(timeout=300)
    assert not thread.is_alive()
    if failure:  # the usual case: the later tasks were still queued behind array_parallelism 1
        assert isinstance(failure[0], CodescaleError) and "did not finish" in failure[0].render()
        assert not out.exists() and any(units.glob("*/unit.json"))
        prepare(sequential, out, progress=False, executor="slurm", unit_bytes=UNIT_BYTES)
    assert prepared_bytes(out) == reference

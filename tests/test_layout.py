"""The pipeline's stages import one way (read <- checks <- render <- build <- tools),
as the import-linter contract in pyproject.toml says."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_stages_import_one_way():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_stage_is_a_package_named_in_the_readme():
    stages = {path.name for path in (ROOT / "pipeline").iterdir()
              if path.is_dir() and (path / "__init__.py").is_file()}
    assert stages == {"read", "checks", "render", "build"}
    readme = (ROOT / "README.md").read_text()
    for stage in stages:
        assert f"{stage}/" in readme

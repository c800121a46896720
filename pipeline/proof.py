"""Rasterise PDF pages to PNG proofs, so reviewers can check pages without a PDF viewer."""

from __future__ import annotations

from pathlib import Path

import pypdfium2

from .build.staging import move_into, staging


def write_proofs(pdf_path: Path, proof_dir: Path, dpi: int = 110) -> list[Path]:
    """One PNG per page of `pdf_path`, named `<pdf stem>-<page>.png`, in `proof_dir`.

    Older proofs of the same PDF are removed, so the folder never mixes two versions.
    """
    with staging(proof_dir.parent, "proof") as folder:
        document = pypdfium2.PdfDocument(pdf_path)
        try:
            digits = len(str(len(document)))
            for number, page in enumerate(document, start=1):
                image = page.render(scale=dpi / 72).to_pil()
                image.save(folder / f"{pdf_path.stem}-{number:0{digits}}.png", optimize=True)
                page.close()
        finally:
            document.close()
        for old in proof_dir.glob(f"{pdf_path.stem}-*.png"):
            if old.stem[len(pdf_path.stem) + 1:].isdigit():
                old.unlink()
        return move_into(folder, proof_dir)

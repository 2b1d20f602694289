"""Write a case report to disk: `<name>.pdf`, the JSON sidecar `<name>.json` and the portrait `<name>.png`.

Each file is written to a temporary name in the same folder and then renamed, so a crash never leaves a
half-written report that looks complete. The input recording is never written to: an output path that is the
input itself is refused.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from s2f_desktop.report.case_report import CaseReport


class ExportError(OSError):
    """The report could not be written; the message is meant for the user."""


def report_paths(out_pdf: str | Path) -> tuple[Path, Path, Path]:
    """(pdf, json, png) for a requested PDF path ('.pdf' is added when missing)."""
    pdf = Path(out_pdf)
    if pdf.suffix.lower() != ".pdf":
        pdf = pdf.with_name(pdf.name + ".pdf")
    return pdf, pdf.with_suffix(".json"), pdf.with_suffix(".png")


def export_case_report(report: CaseReport, out_pdf: str | Path) -> tuple[Path, Path, Path]:
    """Write the PDF, its JSON sidecar and the portrait PNG beside it; returns (pdf, json, png).

    Needs a QGuiApplication (the PDF's fonts). Raises ExportError (folder not writable, disk full, or an output
    path that would overwrite the input recording).
    """
    from s2f_desktop.report.pdf import write_pdf  # QtGui: imported only when a report is written

    pdf, sidecar, png = report_paths(out_pdf)
    source = Path(report.input.path).resolve()
    for target in (pdf, sidecar, png):
        if target.resolve() == source:
            raise ExportError(
                f"refusing to overwrite the recording itself ({source.name}); choose another name."
            )
    try:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(png, report.portrait_png)
        data = report.to_json()
        data["files"] = {"pdf": pdf.name, "json": sidecar.name, "png": png.name}
        _write_atomic(sidecar, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
        part = pdf.with_name(pdf.name + ".part")
        try:
            write_pdf(report, png, part)
            os.replace(part, pdf)
        finally:
            with contextlib.suppress(OSError):
                part.unlink()
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(f"the report could not be written to {pdf.parent}: {exc.strerror or exc}") from exc
    return pdf, sidecar, png


def _write_atomic(path: Path, data: bytes) -> None:
    part = path.with_name(path.name + ".part")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    finally:
        with contextlib.suppress(OSError):
            part.unlink()

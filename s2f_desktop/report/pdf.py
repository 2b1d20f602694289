"""The case report as an A4 PDF: QPdfWriter + QTextDocument (HTML), no other libraries.

Every number is printed from `CaseReport.to_json()` (the JSON sidecar's values), so the PDF and the JSON agree.
Layout: title; the caveat box; input and integrity; portrait and posteriors; refinement plot and table; settings;
models and providers; limits and caveats. Needs a QGuiApplication (fonts); the CLI creates an offscreen one.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QMarginsF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from s2f_desktop.inference.session import provider_label
from s2f_desktop.report.case_report import CAVEAT_SENTENCE, ETHNICITY_NOTE, CaseReport
from s2f_desktop.report.plot import refinement_plot

PORTRAIT_URL = "report://portrait.png"
PLOT_URL = "report://refinement.png"
TEXT_WIDTH = (
    630  # image widths, in CSS pixels (96 per inch); QTextDocument.print_ keeps 2 cm margins: ~643 wide
)

STYLE = """
body { font-family: 'DejaVu Sans'; font-size: 9pt; color: #202020; }
h1 { font-size: 17pt; margin-bottom: 2px; }
h2 { font-size: 12pt; margin-top: 14px; margin-bottom: 4px; color: #1c3d6e; }
h3 { font-size: 10pt; margin-top: 8px; margin-bottom: 2px; }
td, th { padding: 2px 5px; }
th { background-color: #e8ecf2; text-align: left; }
.mono { font-family: 'DejaVu Sans Mono'; font-size: 8pt; }
.hash { font-family: 'DejaVu Sans Mono'; font-size: 7pt; }
.small { font-size: 8pt; color: #505050; }
.big { font-size: 12pt; font-weight: bold; }
"""


class PdfError(OSError):
    """The PDF could not be written (folder missing, no permission, disk full)."""


def write_pdf(report: CaseReport, portrait_png_path: str | Path, out_pdf: str | Path) -> Path:
    """Write the report to `out_pdf` (A4); returns its path. Raises PdfError when it cannot be written."""
    out = Path(out_pdf)
    # On a plain worker thread (the window's export job) Qt has no event dispatcher, and QTextDocument's lazy layout
    # of a long document starts timers that then only print warnings. A QEventLoop gives this thread a dispatcher
    # (it is never run: print_ finishes the layout itself).
    dispatcher = QEventLoop()
    portrait = QImage(str(portrait_png_path))
    if portrait.isNull():
        portrait = QImage.fromData(report.portrait_png)
    data = report.to_json()
    document = QTextDocument()
    document.setDefaultStyleSheet(STYLE)
    document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(PORTRAIT_URL), portrait)
    document.addResource(
        QTextDocument.ResourceType.ImageResource, QUrl(PLOT_URL), refinement_plot(report.history)
    )
    document.setHtml(report_html(data))
    document.setMetaInformation(
        QTextDocument.MetaInformation.DocumentTitle, f"Case report: {report.input.name}"
    )

    writer = QPdfWriter(str(out))
    # QTextDocument.print_ adds its own 2 cm margins and the page numbers: the writer's own margins stay 0
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
            QPageLayout.Unit.Millimeter,
        )
    )
    writer.setResolution(300)
    writer.setTitle(f"Voice portrait case report: {report.input.name}")
    writer.setCreator(f"s2f-desktop {report.app_version}")
    document.print_(writer)
    del writer  # flushes and closes the file
    del document, dispatcher
    if not out.is_file() or out.stat().st_size == 0:
        raise PdfError(f"the PDF could not be written to {out} (check the folder exists and is writable).")
    return out


def _e(value: object) -> str:
    return html.escape(str(value))


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><td width='140'><b>{_e(k)}</b></td><td>{v}</td></tr>" for k, v in pairs)


def _provider(name: str | None) -> str:
    if name is None:
        return "(data file)"
    return provider_label(name)


def _pct(value: float) -> str:
    return f"{value:.4f} ({value * 100:.1f}%)"


def report_html(data: dict[str, Any]) -> str:
    """The report body as Qt rich-text HTML, from the JSON object of `CaseReport.to_json()`."""
    inp = data["input"]
    post = data["posteriors"]
    analysis = data["analysis"]
    settings = data["settings"]
    segment = data["segment"]
    segment_text = (
        "the whole recording"
        if segment is None
        else f"{segment['start_s']:.3f} s to {segment['end_s']:.3f} s"
    )
    if data.get("max_seconds"):
        segment_text += f" (at most {data['max_seconds']:g} s of speech)"
    parts: list[str] = []
    parts.append("<h1>Voice portrait — case report</h1>")
    parts.append(
        f"<p class='small'>s2f-desktop {_e(data['app']['version'])} · report created {_e(data.get('created_utc', ''))}"
        " · everything computed offline on this computer</p>"
    )
    # the caveat box, first thing on the page
    parts.append(
        "<table width='100%' border='1' cellspacing='0' cellpadding='8' bgcolor='#fff3cd' style='border-color:#c08a00'>"
        f"<tr><td><p class='big'>{_e(CAVEAT_SENTENCE)}</p>"
        f"<p>{_e(ETHNICITY_NOTE)} Gender and age are probabilities with known error rates "
        "(Speech2Face: gender 94% agreement, age within one decade 71%). Identity cannot be recovered from a voice: "
        "<b>this report is not evidence of identity</b>. See the limits at the end.</p></td></tr></table>"
    )
    # input and integrity
    parts.append("<h2>Input and integrity</h2>")
    parts.append(
        "<table width='100%' cellspacing='0'>"
        + _rows(
            [
                ("File name", _e(inp["name"])),
                ("Full path", f"<span class='mono'>{_e(inp['path'])}</span>"),
                ("Size", f"{inp['size_bytes']:,} bytes"),
                ("SHA-256", f"<span class='mono'>{_e(inp['sha256'])}</span>"),
                ("Last modified (UTC)", _e(inp["modified_utc"])),
                (
                    "Recording",
                    _e(
                        f"{inp['duration_s']:.3f} s, {inp['sample_rate']} Hz, {inp['channels']} channel(s), {inp['format']}"
                    ),
                ),
                ("Segment analysed", _e(segment_text)),
                ("Audio analysed", f"{analysis['analysed_seconds']:.3f} s"),
                (
                    "Speech used",
                    f"{analysis['speech_seconds']:.3f} s ({analysis['encoder_windows']} encoder windows)",
                ),
            ]
        )
        + "</table>"
    )
    parts.append(
        "<p class='small'>The recording was only read, never modified. The SHA-256 identifies the exact bytes "
        "analysed; recompute it (e.g. <span class='mono'>sha256sum</span>) to check a copy.</p>"
    )
    # portrait + posteriors
    parts.append("<h2>Portrait and voice estimate</h2>")
    summary = _rows(
        [
            ("P(male)", _pct(post["p_male"])),
            ("P(female)", _pct(post["p_female"])),
            ("P(child, under 13)", _pct(post["p_child"])),
            ("Estimated age", f"{post['age_years']:.2f} years (posterior median)"),
            ("Speech used", f"{analysis['speech_seconds']:.3f} s"),
            ("Portrait PNG SHA-256", f"<span class='mono'>{_e(data['portrait']['png_sha256'])}</span>"),
        ]
    )
    parts.append(
        "<table width='100%' cellspacing='0'><tr>"
        f"<td width='250' valign='top'><img src='{PORTRAIT_URL}' width='240' height='240'></td>"
        f"<td valign='top'><table cellspacing='0'>{summary}</table>"
        "<p class='small'>A statistical average of many real faces (at least 50 per group), never a picture of the "
        f"speaker. Population prior: {_e(settings['population_prior_description'])}.</p></td></tr></table>"
    )
    bins = list(post["age_bins"])
    parts.append("<h3>Age distribution and gender × age table</h3>")
    head = "".join(f"<th>{_e(b)}</th>" for b in bins)
    rows = (
        "<tr><td><b>age bin</b></td>" + "".join(f"<td>{post['age_bins'][b]:.4f}</td>" for b in bins) + "</tr>"
    )
    for gender, values in post["joint"].items():
        rows += f"<tr><td>{_e(gender)}</td>" + "".join(f"<td>{values[b]:.4f}</td>" for b in bins) + "</tr>"
    parts.append(
        f"<table class='small' border='1' cellspacing='0' width='100%'><tr><th></th>{head}</tr>{rows}</table>"
    )
    # refinement
    parts.append("<h2 style='page-break-before: always'>How the estimate refined with more speech</h2>")
    parts.append(f"<p><img src='{PLOT_URL}' width='{TEXT_WIDTH}' height='{TEXT_WIDTH * 640 // 1600}'></p>")
    ref_rows = "".join(
        f"<tr><td>{p['speech_seconds']:.3f}</td><td>{p['p_male']:.4f}</td><td>{p['p_child']:.4f}</td>"
        f"<td>{p['age_years']:.2f}</td></tr>"
        for p in data["refinement"]
    )
    parts.append(
        "<table border='1' cellspacing='0'><tr><th>speech (s)</th><th>P(male)</th><th>P(child)</th>"
        f"<th>estimated age</th></tr>{ref_rows}</table>"
        "<p class='small'>Estimates after 1, 2, 4, 8, ... seconds of speech and at the end, from the same speech "
        "in the same order. Short evidence gives flatter, less certain estimates.</p>"
    )
    # settings
    parts.append("<h2>Settings</h2>")
    prior_head = "".join(f"<th>{_e(name)}</th>" for name in settings["population_prior"])
    prior_row = "".join(f"<td>{weight:.4f}</td>" for weight in settings["population_prior"].values())
    parts.append(
        "<table cellspacing='0'>"
        + _rows(
            [
                ("Population prior", _e(settings["population_prior_description"])),
                ("Ethnicity from voice", "<b>no</b> — " + _e(settings["ethnicity_source"])),
                (
                    "P(male) override",
                    _e(
                        "none (the voice's estimate)"
                        if settings["p_male_override"] is None
                        else settings["p_male_override"]
                    ),
                ),
                (
                    "Age override",
                    _e(
                        "none (the voice's estimate)"
                        if settings["age_bin_override"] is None
                        else settings["age_bin_override"]
                    ),
                ),
                ("Portrait size", f"{settings['portrait_size']} px"),
            ]
        )
        + "</table>"
    )
    parts.append(
        "<p class='small'>Population prior weights (the face model's seven groups):</p>"
        f"<table class='small' border='1' cellspacing='0' width='100%'><tr>{prior_head}</tr><tr>{prior_row}</tr></table>"
    )
    # models
    parts.append("<h2>Models and providers</h2>")
    providers = data["providers"]
    model_rows = "".join(
        f"<tr><td>{_e(name)}</td><td class='hash'>{_e(sha)}</td><td>{_e(_provider(providers.get(name)))}</td></tr>"
        for name, sha in data["models"].items()
    )
    parts.append(
        "<table class='small' border='1' cellspacing='0' width='100%'><tr><th width='125'>file</th><th>SHA-256</th><th width='65'>ran on</th></tr>"
        f"{model_rows}</table>"
        "<p class='small'>Model cards in the app's models/ folder state what each model was trained on and how "
        "well it measured on held-out speakers.</p>"
    )
    # limits
    parts.append("<h2 style='page-break-before: always'>Limits and caveats</h2>")
    parts.append(markdown_to_html(data.get("limits", "")))
    return "<html><body>" + "".join(parts) + "</body></html>"


def markdown_to_html(text: str) -> str:
    """The small subset caveats.md uses: '#'/'##' headings, '- ' bullets (with continuation lines), paragraphs."""
    out: list[str] = []
    paragraph: list[str] = []
    bullets: list[list[str]] = []

    def flush() -> None:
        if paragraph:
            out.append(f"<p>{_e(' '.join(paragraph))}</p>")
            paragraph.clear()
        if bullets:
            out.append("<ul>" + "".join(f"<li>{_e(' '.join(b))}</li>" for b in bullets) + "</ul>")
            bullets.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            level = min(len(line) - len(line.lstrip("#")), 3)
            if level == 1:
                continue  # the section already has a heading
            out.append(f"<h3>{_e(line.lstrip('#').strip())}</h3>")
        elif line.startswith("- "):
            if paragraph:
                flush()
            bullets.append([line[2:].strip()])
        elif bullets:
            bullets[-1].append(line)
        else:
            paragraph.append(line)
    flush()
    return "".join(out)

"""Case reports for investigators: the analysis, its history, the portrait and the limits, as PDF + JSON + PNG.

`case_report` is Qt-free; `plot`, `pdf` and `export` draw with QtGui (QPainter, QPdfWriter, QTextDocument) and
need a QGuiApplication (the CLI creates an offscreen one when none exists).
"""

from s2f_desktop.report.case_report import CAVEAT_SENTENCE, CaseReport, build_case_report

__all__ = ["CAVEAT_SENTENCE", "CaseReport", "build_case_report"]

"""The refinement plot: P(male) (and P(child)) and the estimated age (posterior median) against seconds of speech, drawn with QPainter.

QtGui only (no widgets, no matplotlib): works offscreen, in the CLI and on a worker thread that owns a QImage.
The x axis is logarithmic (base 2) because the history is sampled at 1, 2, 4, 8, ... seconds of speech.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

from s2f_desktop.portrait.engine import HistoryPoint

MALE_COLOUR = QColor(40, 90, 170)
CHILD_COLOUR = QColor(200, 120, 20)
AGE_COLOUR = QColor(30, 130, 70)
GRID_COLOUR = QColor(215, 215, 215)
AXIS_COLOUR = QColor(60, 60, 60)


def refinement_plot(history: Sequence[HistoryPoint], width: int = 1600, height: int = 640) -> QImage:
    """Two panels side by side: probabilities (0-1) and estimated age (years), both vs seconds of speech."""
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        scale = height / 640
        font = QFont("DejaVu Sans")
        font.setPixelSize(max(10, round(26 * scale)))
        painter.setFont(font)
        xs = [max(p.speech_seconds, 1e-3) for p in history]
        x_max = max([2.0, *xs])
        x_min = min([1.0, *xs])
        gap = 40 * scale
        panel_w = (width - gap) / 2
        left = QRectF(0, 0, panel_w, height)
        right = QRectF(panel_w + gap, 0, panel_w, height)
        ages = [p.age_years for p in history]
        age_top = max(80.0, math.ceil((max(ages) if ages else 0) / 10) * 10)
        _panel(
            painter,
            left,
            scale,
            (x_min, x_max),
            (0.0, 1.0),
            [0.0, 0.25, 0.5, 0.75, 1.0],
            "probability",
            [
                (
                    "P(male)",
                    MALE_COLOUR,
                    Qt.PenStyle.SolidLine,
                    [(x, p.p_male) for x, p in zip(xs, history, strict=True)],
                ),
                (
                    "P(child, under 13)",
                    CHILD_COLOUR,
                    Qt.PenStyle.DashLine,
                    [(x, p.p_child) for x, p in zip(xs, history, strict=True)],
                ),
            ],
            "P(male) and P(child)",
        )
        _panel(
            painter,
            right,
            scale,
            (x_min, x_max),
            (0.0, age_top),
            [float(v) for v in range(0, int(age_top) + 1, 10)],
            "estimated age (years)",
            [
                (
                    "estimated age",
                    AGE_COLOUR,
                    Qt.PenStyle.SolidLine,
                    [(x, p.age_years) for x, p in zip(xs, history, strict=True)],
                )
            ],
            "Estimated age",
        )
    finally:
        painter.end()
    return image


def _fmt_seconds(value: float) -> str:
    return f"{value:g}" if value >= 1 else f"{value:.2g}"


def _panel(
    painter: QPainter,
    rect: QRectF,
    scale: float,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    y_ticks: list[float],
    y_label: str,
    series: list[tuple[str, QColor, Qt.PenStyle, list[tuple[float, float]]]],
    title: str,
) -> None:
    metrics = painter.fontMetrics()
    line_h = metrics.height()
    plot = QRectF(
        rect.left() + line_h * 1.4 + metrics.horizontalAdvance("0.75") + 14 * scale,
        rect.top() + line_h * 2.9,  # title row, legend row
        0,
        0,
    )
    plot.setRight(rect.right() - 12 * scale)
    plot.setBottom(rect.bottom() - line_h * 2.6)
    lo, hi = math.log2(x_range[0]), math.log2(x_range[1])
    if hi - lo < 1e-9:
        hi = lo + 1

    def px(x: float) -> float:
        return plot.left() + (math.log2(x) - lo) / (hi - lo) * plot.width()

    def py(y: float) -> float:
        return plot.bottom() - (y - y_range[0]) / (y_range[1] - y_range[0]) * plot.height()

    # title
    painter.setPen(AXIS_COLOUR)
    bold = QFont(painter.font())
    bold.setBold(True)
    painter.save()
    painter.setFont(bold)
    painter.drawText(
        QRectF(plot.left(), rect.top(), plot.width(), line_h * 1.4), Qt.AlignmentFlag.AlignCenter, title
    )
    painter.restore()
    # grid and ticks: y
    for value in y_ticks:
        y = py(value)
        painter.setPen(QPen(GRID_COLOUR, 1 * scale))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(AXIS_COLOUR)
        text = f"{value:g}"
        painter.drawText(
            QRectF(plot.left() - 200, y - line_h / 2, 200 - 8 * scale, line_h),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            text,
        )
    # grid and ticks: x at powers of two
    tick = 2.0 ** math.floor(lo)
    while tick <= 2.0**hi * 1.0001:
        if tick >= x_range[0] * 0.999:
            x = px(tick)
            painter.setPen(QPen(GRID_COLOUR, 1 * scale))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(AXIS_COLOUR)
            painter.drawText(
                QRectF(x - 60, plot.bottom() + 4 * scale, 120, line_h),
                Qt.AlignmentFlag.AlignHCenter,
                _fmt_seconds(tick),
            )
        tick *= 2
    # axes
    painter.setPen(QPen(AXIS_COLOUR, 2 * scale))
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    painter.drawLine(plot.bottomLeft(), plot.topLeft())
    painter.drawText(
        QRectF(plot.left(), plot.bottom() + line_h * 1.3, plot.width(), line_h),
        Qt.AlignmentFlag.AlignHCenter,
        "seconds of speech (log scale)",
    )
    painter.save()
    painter.translate(rect.left() + line_h * 0.2, plot.center().y())
    painter.rotate(-90)
    painter.drawText(
        QRectF(-plot.height() / 2, 0, plot.height(), line_h), Qt.AlignmentFlag.AlignHCenter, y_label
    )
    painter.restore()
    # series + legend (one row between the title and the plot, never over the data)
    legend_y = rect.top() + line_h * 1.4
    legend_x = plot.left()
    for name, colour, style, points in series:
        pen = QPen(colour, 3.5 * scale, style)
        painter.setPen(pen)
        screen = [QPointF(px(x), py(y)) for x, y in points]
        for a, b in zip(screen, screen[1:], strict=False):
            painter.drawLine(a, b)
        painter.setBrush(colour)
        painter.setPen(QPen(colour, 1))
        for point in screen:
            painter.drawEllipse(point, 5 * scale, 5 * scale)
        painter.setPen(pen)
        painter.drawLine(
            QPointF(legend_x, legend_y + line_h / 2), QPointF(legend_x + 40 * scale, legend_y + line_h / 2)
        )
        painter.setPen(AXIS_COLOUR)
        painter.drawText(QPointF(legend_x + 50 * scale, legend_y + metrics.ascent()), name)
        legend_x += 50 * scale + metrics.horizontalAdvance(name) + 30 * scale
    painter.setBrush(Qt.BrushStyle.NoBrush)

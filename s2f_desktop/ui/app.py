"""`s2f-desktop`: start the window."""

from __future__ import annotations

import argparse
import sys


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="s2f-desktop", description="Voice to portrait, offline.")
    parser.add_argument("file", nargs="?", help="a recording to open")
    parser.add_argument("--listen", action="store_true", help="start listening to the microphone at once")
    parser.add_argument("--quit-after", type=float, metavar="SECONDS", help="close by itself (smoke tests, demos)")
    parser.add_argument("--screenshot", metavar="PNG", help="with --quit-after: save the window just before closing")
    parser.add_argument(
        "--kiosk", action="store_true", help="exhibition mode: full screen, unattended, saves nothing (exit: Ctrl+Alt+Shift+Q)"
    )
    parser.add_argument("--config", metavar="INI", help="with --kiosk: the operator's configuration file")
    args = parser.parse_args(argv)
    if args.config and not args.kiosk:
        parser.error("--config is for --kiosk")
    if args.kiosk and (args.screenshot or args.file or args.listen):
        parser.error("--kiosk saves nothing and always listens: it takes no file, --listen or --screenshot")
    return args


def run_kiosk(args: argparse.Namespace) -> int:
    """Kiosk mode: no QSettings, nothing written; the window recovers from device errors by itself."""
    import pyqtgraph as pg
    from PySide6 import QtCore, QtWidgets

    from s2f_desktop.kiosk_config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"s2f-desktop: {exc}", file=sys.stderr)
        return 2
    from s2f_desktop.ui.kiosk_window import KioskWindow

    app = QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("s2f-desktop")  # no organisation name: nothing is ever stored under it
    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
    window = KioskWindow(config)
    window.show_kiosk()
    if args.quit_after is not None:
        QtCore.QTimer.singleShot(int(args.quit_after * 1000), window.operator_exit)
    return app.exec()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.kiosk:
        return run_kiosk(args)
    import pyqtgraph as pg
    from PySide6 import QtWidgets

    from s2f_desktop.ui.main_window import MainWindow

    app = QtWidgets.QApplication(sys.argv[:1])
    app.setOrganizationName("s2f-desktop")
    app.setApplicationName("s2f-desktop")
    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
    window = MainWindow()
    window.show()
    if args.file:
        window.open_file(args.file)
    elif args.listen:
        window.start_listening()
    if args.quit_after is not None:
        from PySide6 import QtCore

        def finish() -> None:
            if args.screenshot:
                window.save_screenshot(args.screenshot)
            window.close()

        QtCore.QTimer.singleShot(int(args.quit_after * 1000), finish)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
